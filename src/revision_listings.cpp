#include "revision_listings.h"

#include <utility>

#include "expiry.h"
#include "message_text.h"

namespace coc {
namespace {

// Listings kept at once (one per repo revision; LRU by listing time) and files kept in all of them
// (a real repo of 200,000 files fits; about 45 MB of heap): a page of the hub's tree API holds
// 1000, so these only bound what a hostile server can send.
constexpr std::size_t kMaxListings = 16;
constexpr std::size_t kMaxListedFiles = 250000;

}  // namespace

RevisionListings::RevisionListings(double max_age_ms, bool list_repos)
    : max_age_ms_(max_age_ms), list_repos_(list_repos) {}

bool RevisionListings::stale(const ArtifactUrl& url, const Listing& listing, double now_ms) const {
  return !url.immutable && expired(listing.listed_at, max_age_ms_, now_ms);
}

bool RevisionListings::answers(const ArtifactUrl& url, double now_ms) const {
  auto found = listings_.find(batch_group(url));
  if (found == listings_.end() || stale(url, found->second, now_ms)) return false;
  return found->second.complete || found->second.files.count(url.path) != 0;
}

ListingLookup RevisionListings::look_up(const ArtifactUrl& url, double now_ms) {
  ListingLookup lookup;
  if (!url.is_hub || listings_.empty()) return lookup;
  auto found = listings_.find(batch_group(url));
  if (found == listings_.end()) return lookup;
  const Listing& listing = found->second;
  if (stale(url, listing, now_ms)) {
    listings_.erase(found);
    return lookup;
  }
  auto file = listing.files.find(url.path);
  if (file == listing.files.end()) {
    // Not on a complete listing: the revision has no such file.
    if (listing.complete) lookup.listed = Listed::absent;
    return lookup;
  }
  lookup.listed = file->second.is_lfs ? Listed::lfs : Listed::plain;
  lookup.listing = &listing;
  lookup.file = &file->second;
  return lookup;
}

PathsInfoScan RevisionListings::read_listing(const std::string& group, std::string_view body,
                                             std::string_view link_header, std::string commit, double now_ms) {
  Listing listing;
  listing.complete = !link_has_next(link_header);
  listing.listed_at = now_ms;
  listing.commit = std::move(commit);
  // Files go straight into the listing as they are read: nothing else of the body is kept.
  const PathsInfoScan scan = scan_paths_info(body, [&listing](PathInfo& entry) {
    if (entry.type != "file") return std::string();
    if (listing.files.size() >= kMaxListedFiles) {
      listing.complete = false;  // the rest is asked of paths-info
      return std::string();
    }
    ListedFile file;
    file.is_lfs = entry.is_lfs;
    file.sha256 = std::move(entry.sha256);
    file.size = entry.size;
    file.blob = std::move(entry.git_oid);
    if (listing.files.try_emplace(std::move(entry.path), std::move(file)).second) return std::string();
    return "duplicate path \"" + message_text_in_quotes(entry.path) + "\"";
  }, "listing");
  if (scan.ok) keep(group, std::move(listing));
  return scan;
}

void RevisionListings::keep(const std::string& group, Listing listing) {
  listings_.erase(group);
  // The oldest listings make room, by count and by files held.
  std::size_t files = listing.files.size();
  for (const auto& kept : listings_) files += kept.second.files.size();
  while (!listings_.empty() && (listings_.size() >= kMaxListings || files > kMaxListedFiles)) {
    auto oldest = listings_.begin();
    for (auto it = listings_.begin(); it != listings_.end(); ++it) {
      if (it->second.listed_at < oldest->second.listed_at) oldest = it;
    }
    files -= oldest->second.files.size();
    listings_.erase(oldest);
  }
  listings_[group] = std::move(listing);
}

bool RevisionListings::forget(const std::string& group) {
  return listings_.erase(group) != 0;
}

bool RevisionListings::batch_allowed(const ArtifactUrl& url) const {
  return batch_disabled_.count(url.endpoint) == 0 && batch_failed_.count(batch_group(url)) == 0;
}

std::vector<BatchRequest> RevisionListings::plan(const std::vector<ArtifactUrl>& urls) {
  std::vector<BatchRequest> requests = group_batch_requests(urls);
  for (BatchRequest& request : requests) {
    const ArtifactUrl first = parse_artifact_url(request.keys.front());
    // Datasets and spaces can hold millions of files: only model revisions are listed.
    if (list_repos_ && first.repo_type == "model" && listings_.count(request.group) == 0 &&
        tree_failed_.count(request.group) == 0 && tree_disabled_.count(first.endpoint) == 0) {
      request = as_tree_request(std::move(request), first);
    }
    pending_[request.group] = request;
  }
  return requests;
}

std::optional<BatchRequest> RevisionListings::take_pending(const std::string& group) {
  auto pending = pending_.find(group);
  if (pending == pending_.end()) return std::nullopt;
  BatchRequest request = std::move(pending->second);
  pending_.erase(pending);
  return request;
}

void RevisionListings::listing_failed(const BatchRequest& request, const std::string& endpoint, int status) {
  tree_failed_.insert(request.group);
  if (status == 405 || status == 501) tree_disabled_.insert(endpoint);
  for (const std::string& key : request.keys) retry_.insert(key);
}

}  // namespace coc
