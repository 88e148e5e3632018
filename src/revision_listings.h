// The Resolver's batch requests, per repo revision: the listings the hub's tree API gave (one
// request answers for every file of a revision, asked for yet or not), the requests sent and not
// yet answered, and the revisions and endpoints whose answers failed (not asked that way again).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "artifact_url.h"
#include "paths_info.h"

namespace coc {

// What a listing of one repo revision says about one of its files.
struct ListedFile {
  bool is_lfs = false;
  std::string sha256;
  std::int64_t size = -1;
  std::string blob;  // git blob id of a file not in LFS
};

struct Listing {
  bool complete = false;  // false when the hub had a next page: absent paths may still exist
  double listed_at = 0;
  std::string commit;
  std::map<std::string, ListedFile> files;
};

// What the listing of a URL's revision says of its file: unknown when there is no fresh listing
// or the file may be on a page not read.
enum class Listed { unknown, lfs, plain, absent };

struct ListingLookup {
  Listed listed = Listed::unknown;
  // With lfs and plain; valid until the listings next change.
  const Listing* listing = nullptr;
  const ListedFile* file = nullptr;
};

class RevisionListings {
 public:
  // max_age_ms: a listing of a branch or tag is dropped after this (< 0: never). list_repos: a
  // model revision is listed whole rather than asked paths-info (ResolverOptions::list_repos).
  RevisionListings(double max_age_ms, bool list_repos);

  // Whether a fresh listing answers for the URL's file (absent from a complete listing counts).
  bool answers(const ArtifactUrl& url, double now_ms) const;
  // What the listing of the URL's revision says of it; a stale listing is dropped on the way.
  ListingLookup look_up(const ArtifactUrl& url, double now_ms);
  // Reads a listing answer for `group` file by file and keeps it (the oldest listings make room);
  // nothing is kept when the scan fails. A Link header with a next page makes it incomplete.
  PathsInfoScan read_listing(const std::string& group, std::string_view body, std::string_view link_header,
                             std::string commit, double now_ms);
  // Drops the listing of a revision (a hash it gave is in doubt); true if there was one.
  bool forget(const std::string& group);
  std::size_t size() const { return listings_.size(); }

  // Whether the URL's revision and endpoint may still be asked paths-info or a listing.
  bool batch_allowed(const ArtifactUrl& url) const;
  bool pending(const std::string& group) const { return pending_.count(group) != 0; }
  // The requests for URLs (hub URLs to ask about): a model revision not yet listed is listed
  // whole when that may be. Each is pending until take_pending().
  std::vector<BatchRequest> plan(const std::vector<ArtifactUrl>& urls);
  // The request sent for group, no longer pending; none when nothing was sent for it.
  std::optional<BatchRequest> take_pending(const std::string& group);

  // A listing failed (status 0 when there was no answer): its URLs ask paths-info next, and an
  // endpoint that said it has no tree API (405, 501) is never listed again.
  void listing_failed(const BatchRequest& request, const std::string& endpoint, int status);
  // A URL the listing did not answer for (beyond its first page): paths-info is asked next.
  void retry_with_paths_info(const std::string& key) { retry_.insert(key); }
  // Whether the URL is to ask paths-info after a listing; true once.
  bool take_retry(const std::string& key) { return retry_.erase(key) != 0; }
  // paths-info for a revision failed: its URLs go on to their pointers.
  void paths_info_failed(const std::string& group) { batch_failed_.insert(group); }
  // An endpoint without a working paths-info: never asked again.
  void paths_info_unavailable(const std::string& endpoint) { batch_disabled_.insert(endpoint); }

 private:
  bool stale(const ArtifactUrl& url, const Listing& listing, double now_ms) const;
  void keep(const std::string& group, Listing listing);

  double max_age_ms_;
  bool list_repos_;
  std::map<std::string, Listing> listings_;      // group -> listing of that revision
  std::map<std::string, BatchRequest> pending_;  // group -> request sent
  std::set<std::string> batch_failed_;           // groups whose paths-info failed
  std::set<std::string> batch_disabled_;         // endpoints without a working paths-info
  std::set<std::string> tree_failed_;            // groups whose listing failed
  std::set<std::string> tree_disabled_;          // endpoints without a tree API
  std::set<std::string> retry_;                  // keys a listing did not answer: ask paths-info
};

}  // namespace coc
