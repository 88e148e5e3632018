// Batch resolution through the hub's API: one request per repo revision returns the sha256 of every
// LFS file, and tells which files are not in LFS. Either a listing of the whole revision (GET
// .../tree/{revision}?recursive=true, so one request answers for files not yet asked for) or
// paths-info for the paths asked (POST .../paths-info/{revision}); both answer with the same entries.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "artifact_url.h"
#include "function_ref.h"

namespace coc {

// paths-info for the paths asked (POST), or a listing of the whole revision (GET tree).
enum class BatchKind { paths_info, tree };

struct BatchRequest {
  std::string group;                    // batch_group() of its URLs
  BatchKind kind = BatchKind::paths_info;
  std::string method = "POST";          // POST for paths-info, GET for tree
  std::string url;                      // {endpoint}/api/{models|datasets|spaces}/{repo}/paths-info/{revision_raw}
  std::string body;                     // {"paths":[...],"expand":false}; "" for tree
  std::vector<std::string> keys;        // storage keys of the URLs in this group, in input order
  std::vector<std::string> paths;       // their repo paths, same order
};

// The group of a hub URL: its endpoint, repo type, repo id and revision, each length-prefixed
// ("19:https://hub.example|5:model|9:org/model|4:main"); one batch request answers for it.
std::string batch_group(const ArtifactUrl& url);

// Groups hub URLs by repo revision (non-hub URLs are skipped); duplicate paths are asked once.
std::vector<BatchRequest> group_batch_requests(const std::vector<ArtifactUrl>& urls);

// Turns a paths-info request into a listing of the whole revision (same group, keys and paths);
// `first` is the URL the request was built from (its first key).
BatchRequest as_tree_request(BatchRequest request, const ArtifactUrl& first);

// Whether a Link header names a next page (rel="next"): then a listing is not complete.
bool link_has_next(std::string_view link_header);

struct PathInfo {
  std::string path;
  std::string type;        // "file" | "directory"
  std::string git_oid;     // git blob SHA-1 ("" when absent)
  std::int64_t size = -1;
  bool is_lfs = false;
  std::string sha256;      // lowercase, only when is_lfs
};

// The largest listing or paths-info answer read (bodies are cut there before they reach the core):
// a listing of 200,000 files is about 37 MiB; the wasm heap must hold one body and what is kept
// of it well below its 256 MiB.
inline constexpr std::size_t kMaxBatchBodyBytes = std::size_t{64} << 20;

struct PathsInfoParse {
  bool ok = false;
  std::vector<PathInfo> entries;
  std::string reason;
};

// Takes one valid entry as it is read: "" to go on, or why the answer cannot be used.
using PathInfoSink = FunctionRef<std::string(PathInfo& entry)>;

struct PathsInfoScan {
  bool ok = false;
  std::size_t entries = 0;  // entries read
  std::string reason;
};

// Reads an answer entry by entry, keeping nothing itself: memory is what `keep` keeps. A body of
// the wrong shape is refused at the first thing that is wrong (a JSON object instead of an array,
// an entry that is not an object), without reading further. Entries that are malformed are a
// failure as a whole (never a wrong hash). A tree listing has the same shape; `asked` names the
// answer in the reasons ("paths-info", "listing").
PathsInfoScan scan_paths_info(std::string_view body, const PathInfoSink& keep, std::string_view asked = "paths-info");

// Every entry; a path given twice is a failure too.
PathsInfoParse parse_paths_info(std::string_view body);

}  // namespace coc
