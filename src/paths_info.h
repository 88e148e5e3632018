// Batch resolution through the hub's paths-info API: one POST per repo revision returns the sha256
// of every LFS file asked for, and tells which files are not in LFS.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "artifact_url.h"

namespace coc {

struct BatchRequest {
  std::string group;                    // endpoint|repo_type|repo_id|revision
  std::string url;                      // {endpoint}/api/{models|datasets|spaces}/{repo}/paths-info/{revision_raw}
  std::string body;                     // {"paths":[...],"expand":false}
  std::vector<std::string> keys;        // storage keys of the URLs in this group, in input order
  std::vector<std::string> paths;       // their repo paths, same order
};

// Groups hub URLs by repo revision (non-hub URLs are skipped); duplicate paths are asked once.
std::vector<BatchRequest> group_batch_requests(const std::vector<ArtifactUrl>& urls);

struct PathInfo {
  std::string path;
  std::string type;        // "file" | "directory"
  std::string git_oid;     // git blob SHA-1 ("" when absent)
  std::int64_t size = -1;
  bool is_lfs = false;
  std::string sha256;      // lowercase, only when is_lfs
};

struct PathsInfoParse {
  bool ok = false;
  std::vector<PathInfo> entries;
  std::string reason;
};

// Entries that are malformed are a parse failure as a whole (never a wrong hash).
PathsInfoParse parse_paths_info(std::string_view body);

}  // namespace coc
