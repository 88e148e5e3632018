// The Resolver's side of batch requests (paths_info.h): which to send, what their answers (listings
// of a whole revision or paths-info for the paths asked) teach it of each file, and the step after.
#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "artifact_url.h"
#include "error_kinds.h"
#include "git_blob.h"
#include "message_text.h"
#include "paths_info.h"
#include "resolver.h"
#include "revision_listings.h"

namespace coc {
namespace {

// The most of a network error's text a message quotes: its words are short, a hostile one is cut.
constexpr std::size_t kNetworkErrorChars = 160;

// How a batch request failed: its status, or with none (0), the network error the shim gave as its
// body ("terminated (other side closed)"), quoted as untrusted text.
std::string failure_text(int status, std::string_view body) {
  if (status != 0) return "failed with status " + std::to_string(status);
  return body.empty() ? "failed" : "failed: " + message_text(body, kNetworkErrorChars);
}

}  // namespace

std::vector<BatchRequest> Resolver::plan_batch(const std::vector<std::string>& urls, double now_ms) {
  std::vector<ArtifactUrl> wanted;
  for (const std::string& text : urls) {
    ArtifactUrl url = parse_artifact_url(text);
    if (!batch_usable(url)) continue;
    if (listings_.pending(batch_group(url))) continue;
    const HashRecord* known = index_.find(url.storage_key);
    if (known != nullptr && !is_stale(url, *known, now_ms)) continue;
    // A plain file's hash comes from its bytes: only a blob id to confirm is worth a request.
    if (known_plain(url) && (known == nullptr || known->blob.empty())) continue;
    if (listings_.answers(url, now_ms)) continue;
    wanted.push_back(std::move(url));
  }
  return listings_.plan(wanted);
}

BatchPlan Resolver::take_batches(double now_ms) {
  BatchPlan result;
  std::vector<BatchArrival> ready =
      desk_.take_ready([this](const std::string& group) { return listings_.pending(group); });
  // One partition at a time: a request carries one partition's credentials.
  while (!ready.empty()) {
    const std::string partition = ready.front().partition;
    std::vector<BatchArrival> going;
    std::vector<BatchArrival> rest;
    std::vector<std::string> urls;
    for (BatchArrival& arrival : ready) {
      if (arrival.partition != partition) {
        rest.push_back(std::move(arrival));
      } else if (listings_.pending(arrival.group)) {
        // Another partition's request for the revision just went: it may answer for this too.
        desk_.arrive(std::move(arrival), BatchDesk::kNoCohort, false);
      } else {
        urls.push_back(arrival.url);
        going.push_back(std::move(arrival));
      }
    }
    ready = std::move(rest);
    for (BatchRequest& request : plan_batch(urls, now_ms)) {
      PlannedBatch planned;
      planned.partition = partition;
      for (BatchArrival& arrival : going) {
        if (arrival.ticket == 0 || arrival.group != request.group) continue;
        if (std::find(request.keys.begin(), request.keys.end(), arrival.key) == request.keys.end()) continue;
        planned.tickets.push_back(arrival.ticket);
        arrival.ticket = 0;  // placed
      }
      planned.request = std::move(request);
      result.requests.push_back(std::move(planned));
    }
    for (const BatchArrival& arrival : going) {
      if (arrival.ticket != 0) result.released.push_back(arrival.ticket);
    }
  }
  return result;
}

Step Resolver::after_batch(const std::string& url, double now_ms) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  const HashRecord* known = index_.find(parsed.storage_key);
  if (known != nullptr && !is_stale(parsed, *known, now_ms)) {
    Step step = done(parsed, known, known->source == "batch" ? "batch" : "memory");
    settle_distrust(parsed, step);
    return step;
  }
  // A listing that did not answer for it (failed, or the file is past its first page).
  if (listings_.take_retry(parsed.storage_key)) return plan(parsed, Stage::batch, 0, now_ms);
  return plan(parsed, Stage::pointer, 0, now_ms);
}

Listed Resolver::from_listing(const ArtifactUrl& url, double now_ms, Step& step) {
  const ListingLookup lookup = listings_.look_up(url, now_ms);
  switch (lookup.listed) {
    case Listed::unknown:
      break;
    case Listed::absent:
      // The revision has no such file: its download will say so; nothing to ask the hub.
      step = done(url, nullptr, "");
      break;
    case Listed::plain:
      step = learn_plain(url, {lookup.file->blob, lookup.file->size, lookup.listing->commit, "listing"},
                         lookup.listing->listed_at, now_ms);
      break;
    case Listed::lfs:
      // As old as the listing, not as this lookup.
      step = learn_batch(url, lookup.file->sha256, lookup.file->size, lookup.listing->commit,
                         lookup.listing->listed_at);
      break;
  }
  return lookup.listed;
}

Step Resolver::learn_plain(const ArtifactUrl& url, PlainAnswer answer, double answered_at, double now_ms) {
  // Its /raw/ is the whole file: the hash can only come from the content, or be confirmed by the
  // blob id it was learned with.
  no_pointer_.insert(url.storage_key);
  const std::string blob = answer.blob;
  const std::string commit = answer.commit;
  keep_plain_answer(url, std::move(answer));
  const HashRecord* known = index_.find(url.storage_key);
  if (known == nullptr) return done(url, nullptr, "");
  if (!is_stale(url, *known, now_ms) && (known->blob.empty() || blob.empty() || known->blob == blob)) {
    return done(url, known, known->source == "hint" ? "hint" : "memory");
  }
  if (!blob.empty() && known->blob == blob) {
    // The same bytes as when it was learned: as fresh as this answer.
    HashRecord confirmed = *known;
    confirmed.stored_at = answered_at;
    if (!commit.empty()) confirmed.commit = commit;
    // The answer confirms the blob the record names, not its hash: a record read from a store stays
    // a cache that the stored entry's own blob may still refute.
    const bool read_from_store = from_stores_.count(url.storage_key) != 0;
    Step step = done(url, &confirmed, "batch");
    learn(url, std::move(confirmed), step);
    if (read_from_store) keep_from_store(url);
    return step;
  }
  // Stale with no blob id to compare, or the blob changed: only the bytes can tell now.
  index_.erase(url.storage_key);
  return done(url, nullptr, "");
}

Step Resolver::learn_batch(const ArtifactUrl& url, const std::string& sha256, std::int64_t size,
                           const std::string& commit, double learned_at) {
  HashRecord record;
  record.value = sha256;
  record.size = size;
  record.source = "batch";
  record.commit = commit;
  record.stored_at = learned_at;
  Step step = done(url, &record, "batch");
  learn(url, std::move(record), step);
  return step;
}

// A batch answer's word on a plain file: a record it confirmed (by blob id) is resolved and
// written again; otherwise the file's hash must come from its bytes.
void Resolver::count_plain(const Step& side_effects, BatchOutcome& outcome) {
  if (!side_effects.found) {
    ++outcome.plain;
    return;
  }
  if (!side_effects.persist_key.empty()) {
    outcome.persist_keys.push_back(side_effects.persist_key);
    outcome.persist_bodies.push_back(side_effects.persist_body);
  }
  ++outcome.resolved;
}

BatchOutcome Resolver::apply_tree(const BatchRequest& request, int status, std::string_view body,
                                  const std::string& repo_commit, const std::string& link_header,
                                  double now_ms, bool timed_out) {
  BatchOutcome outcome;
  const ArtifactUrl first = parse_artifact_url(request.keys.front());
  const std::string where = first.repo_id + "@" + first.revision;
  // Failure costs nothing but the request: the same URLs ask paths-info next.
  auto fall_back = [&](std::string_view kind, std::string message) {
    listings_.listing_failed(request, first.endpoint, status);
    outcome.error_kind = kind;
    outcome.error_message = std::move(message) + "; asking paths-info instead";
    return outcome;
  };
  if (timed_out) {
    return fall_back(error_kind::listing_failed, "listing of " + where + " timed out after " + timeout_text());
  }
  if (status < 200 || status > 299) {
    return fall_back(error_kind::listing_failed, "listing of " + where + " " + failure_text(status, body));
  }
  if (const std::string other = other_commit(first, repo_commit); !other.empty()) {
    return fall_back(error_kind::listing_invalid,
                     "listing of " + where + " ignored: it is of commit " + other + ", not " + first.revision);
  }
  const PathsInfoScan scan =
      listings_.read_listing(request.group, body, link_header, commit_of(first, repo_commit), now_ms);
  if (!scan.ok) return fall_back(error_kind::listing_invalid, "listing of " + where + " ignored: " + scan.reason);

  outcome.ok = true;
  for (const std::string& key : request.keys) {
    const ArtifactUrl url = parse_artifact_url(key);
    Step side_effects;
    switch (from_listing(url, now_ms, side_effects)) {
      case Listed::lfs:
        if (!side_effects.persist_key.empty()) {
          outcome.persist_keys.push_back(side_effects.persist_key);
          outcome.persist_bodies.push_back(side_effects.persist_body);
        }
        ++outcome.resolved;
        break;
      case Listed::plain:
        // A plain file's record the listing confirmed by its blob id is written again.
        count_plain(side_effects, outcome);
        break;
      case Listed::absent:
        break;
      case Listed::unknown:
        listings_.retry_with_paths_info(key);  // beyond the first page: paths-info knows
        break;
    }
  }
  return outcome;
}

BatchOutcome Resolver::apply_batch(const std::string& group, int status, std::string_view body,
                                   const std::string& repo_commit, const std::string& link_header,
                                   double now_ms, bool timed_out) {
  BatchOutcome outcome;
  const std::optional<BatchRequest> pending = listings_.take_pending(group);
  if (!pending) {
    outcome.error_kind = error_kind::batch_invalid;
    outcome.error_message = "no batch request is pending for " + group;
    return outcome;
  }
  const BatchRequest& request = *pending;
  if (request.kind == BatchKind::tree) {
    return apply_tree(request, status, body, repo_commit, link_header, now_ms, timed_out);
  }
  const ArtifactUrl first = parse_artifact_url(request.keys.front());

  // No answer in time says nothing of the endpoint: this revision asks pointers instead.
  if (timed_out) {
    listings_.paths_info_failed(group);
    outcome.error_kind = error_kind::batch_failed;
    outcome.error_message = "paths-info for " + first.repo_id + "@" + first.revision + " timed out after " +
                            timeout_text() + "; resolving by LFS pointer instead";
    return outcome;
  }
  // A hub (or mirror) without the endpoint: stop asking it, pointers still work. A 404 or no
  // answer at all may be this repo's (missing, private, a connection cut): this revision only.
  if (status == 405 || status == 501) {
    listings_.paths_info_unavailable(first.endpoint);
    outcome.error_kind = error_kind::batch_unavailable;
    outcome.error_message = "paths-info unavailable at " + first.endpoint + " (status " +
                            std::to_string(status) + "); resolving by LFS pointer instead";
    return outcome;
  }
  if (status < 200 || status > 299) {
    listings_.paths_info_failed(group);
    outcome.error_kind = error_kind::batch_failed;
    outcome.error_message = "paths-info for " + first.repo_id + "@" + first.revision + " " +
                            failure_text(status, body) + "; resolving by LFS pointer instead";
    return outcome;
  }
  if (const std::string other = other_commit(first, repo_commit); !other.empty()) {
    listings_.paths_info_failed(group);
    outcome.error_kind = error_kind::batch_invalid;
    outcome.error_message = "paths-info for " + first.repo_id + "@" + first.revision + " ignored: it is of commit " +
                            other + "; resolving by LFS pointer instead";
    return outcome;
  }
  // Only the entries of the paths asked are kept; a path answered twice spoils the answer.
  std::map<std::string, PathInfo> by_path;
  for (const std::string& path : request.paths) by_path.emplace(path, PathInfo());
  const PathsInfoScan scan = scan_paths_info(body, [&by_path](PathInfo& entry) {
    auto asked = by_path.find(entry.path);
    if (asked == by_path.end()) return std::string();
    if (!asked->second.path.empty()) return "duplicate path \"" + message_text_in_quotes(entry.path) + "\"";
    asked->second = std::move(entry);
    return std::string();
  });
  if (!scan.ok) {
    listings_.paths_info_failed(group);
    outcome.error_kind = error_kind::batch_invalid;
    outcome.error_message = "paths-info for " + first.repo_id + "@" + first.revision +
                            " ignored: " + scan.reason;
    return outcome;
  }

  outcome.ok = true;
  for (std::size_t i = 0; i < request.keys.size(); ++i) {
    auto entry = by_path.find(request.paths[i]);
    if (entry == by_path.end() || entry->second.path.empty() || entry->second.type != "file") continue;
    const ArtifactUrl url = parse_artifact_url(request.keys[i]);
    if (!entry->second.is_lfs) {
      count_plain(learn_plain(url, {entry->second.git_oid, entry->second.size, commit_of(url, repo_commit), "paths-info answer"},
                              now_ms, now_ms),
                  outcome);
      continue;
    }
    const Step side_effects =
        learn_batch(url, entry->second.sha256, entry->second.size, commit_of(url, repo_commit), now_ms);
    if (!side_effects.persist_key.empty()) {
      outcome.persist_keys.push_back(side_effects.persist_key);
      outcome.persist_bodies.push_back(side_effects.persist_body);
    }
    ++outcome.resolved;
  }
  return outcome;
}

}  // namespace coc
