#include "resolver.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <stdexcept>
#include <utility>

#include "ascii.h"
#include "error_kinds.h"
#include "hash_descriptor.h"
#include "lfs_pointer.h"
#include "message_text.h"
#include "tensor_cache.h"

namespace coc {
namespace {

bool is_commit(const std::string& text) {
  if (text.size() != 40) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The commit a hub answer belongs to: the header if it is a commit, else a commit URL's revision.
std::string commit_of(const ArtifactUrl& url, const std::string& repo_commit) {
  if (is_commit(repo_commit)) return repo_commit;
  return url.immutable ? url.revision : std::string();
}

bool looks_like_pointer(const std::string& text) {
  return text.rfind("version ", 0) == 0;
}

// A date further ahead of the clock than this comes from a clock that was wrong: it is stale. A
// minute covers clock adjustments; a shorter max_age bounds it too.
constexpr double kClockSkewMs = 60 * 1000;

// Whether something learned at `at` is to be asked for again at now (max_age < 0: never).
bool expired(double at, double max_age, double now) {
  if (max_age < 0) return false;
  return at - now > std::min(kClockSkewMs, max_age) || now - at > max_age;
}

// The git blob id an ETag names (W/ and quotes dropped), or "" when it is none: the hub's ETag
// of a file not in LFS is its blob id; an LFS file's is its SHA-256, which is not a blob id.
std::string blob_of(const std::string& etag, const std::string& sha256) {
  std::string text = etag;
  if (text.rfind("W/", 0) == 0) text.erase(0, 2);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  text = to_lower_ascii(text);
  if ((text.size() != 40 && text.size() != 64) || !is_lower_hex(text) || text == sha256) return "";
  return text;
}

// Listings kept at once (one per repo revision; LRU by listing time) and files kept in all of them
// (a real repo of 200,000 files fits; about 45 MB of heap): a page of the hub's tree API holds
// 1000, so these only bound what a hostile server can send.
constexpr std::size_t kMaxListings = 16;
constexpr std::size_t kMaxListedFiles = 250000;

}  // namespace

const char* step_action_name(StepAction action) {
  switch (action) {
    case StepAction::done: return "done";
    case StepAction::read_persisted: return "read-persisted";
    case StepAction::read_legacy: return "read-legacy";
    case StepAction::fetch_batch: return "fetch-batch";
    case StepAction::fetch_pointer: return "fetch-pointer";
  }
  return "unknown";
}

Resolver::Resolver(ResolverOptions options)
    : options_(std::move(options)), index_(options_.capacity) {}

std::string Resolver::timeout_text() const {
  return std::to_string(static_cast<long long>(options_.resolution_timeout_ms)) + " ms";
}

bool Resolver::persistable(const std::string& url) const {
  return options_.persist && !parse_artifact_url(url).has_credentials;
}

bool Resolver::is_stale(const ArtifactUrl& url, const HashRecord& record, double now_ms) const {
  if (record.source == "hint") return false;
  if (url.is_hub) return !url.immutable && expired(record.stored_at, options_.max_age_ms, now_ms);
  return expired(record.stored_at, options_.max_age_other_hosts_ms, now_ms);
}

bool Resolver::known_plain(const ArtifactUrl& url) const {
  // A tensor cache is a small plain JSON file whose shards are batch-resolved once it is read:
  // asking for its own hash would cost a request per model and say only "not in LFS".
  return no_pointer_.count(url.storage_key) != 0 || is_tensor_cache_url(url.storage_key);
}

bool Resolver::batch_usable(const ArtifactUrl& url) const {
  return options_.batch && url.is_hub && batch_disabled_.count(url.endpoint) == 0 &&
         batch_failed_.count(batch_group(url)) == 0;
}

Step Resolver::done(const ArtifactUrl& url, const HashRecord* record, const std::string& hit) {
  Step step;
  step.action = StepAction::done;
  step.key = url.storage_key;
  if (record != nullptr) {
    step.found = true;
    step.record = *record;
    step.hit = hit;
  }
  return step;
}

void Resolver::settle_distrust(const ArtifactUrl& url, Step& step) {
  if (!step.found) return;  // nothing learned yet: still distrusted
  auto distrusted = distrusted_.find(url.storage_key);
  if (distrusted == distrusted_.end() || distrusted->second == step.record.value) return;
  if (step.error_kind.empty()) {
    step.error_kind = error_kind::record_corrected;
    step.error_message = "the record of " + url.redacted + " said SHA-256 " + distrusted->second +
                         ", which its bytes refuted; it is now " + step.record.value + " (" +
                         step.record.source + ")";
  }
  distrusted_.erase(distrusted);
}

void Resolver::learn(const ArtifactUrl& url, HashRecord record, Step& step) {
  if (options_.persist && !url.has_credentials) {
    step.persist_key = url.storage_key;
    step.persist_body = encode_record(record);
  }
  keep(url, std::move(record));
}

void Resolver::keep_from_store(const ArtifactUrl& url) {
  // Bounded by memory: keys the index has dropped need no mark.
  if (from_stores_.size() > options_.capacity * 2) {
    for (auto it = from_stores_.begin(); it != from_stores_.end();) {
      it = index_.contains(*it) ? std::next(it) : from_stores_.erase(it);
    }
  }
  from_stores_.insert(url.storage_key);
}

void Resolver::keep(const ArtifactUrl& url, HashRecord record) {
  from_snapshot_.erase(url.storage_key);
  from_stores_.erase(url.storage_key);  // learned now; a read from a store marks it again
  if (options_.persist && !url.has_credentials) {
    forgotten_.erase(url.storage_key);
    unsaved_[url.storage_key] = ++generation_;
    // Bounded by memory: keys the index has dropped need no writing.
    if (unsaved_.size() > options_.capacity * 2) {
      for (auto it = unsaved_.begin(); it != unsaved_.end();) {
        it = index_.contains(it->first) ? std::next(it) : unsaved_.erase(it);
      }
    }
  }
  index_.put(url.storage_key, std::move(record));
}

Step Resolver::plan(const ArtifactUrl& url, Stage from, std::size_t legacy_index, double now_ms) {
  Step step = plan_unsettled(url, from, legacy_index, now_ms);
  settle_distrust(url, step);
  return step;
}

Step Resolver::plan_unsettled(const ArtifactUrl& url, Stage from, std::size_t legacy_index, double now_ms) {
  const std::string& key = url.storage_key;
  const auto distrust = distrusted_.find(key);
  const bool distrusted = distrust != distrusted_.end();
  // The hash the bytes refuted, wherever it is found again (a store, another tab's snapshot).
  auto refuted = [&](const HashRecord* record) { return distrusted && record != nullptr && record->value == distrust->second; };
  const HashRecord* known = index_.find(key);
  if (refuted(known)) known = nullptr;
  if (from <= Stage::memory && known != nullptr && !is_stale(url, *known, now_ms)) {
    if (from_snapshot_.erase(key) != 0) return done(url, known, "persisted");
    return done(url, known, known->source == "hint" ? "hint" : "memory");
  }
  // A listing of the revision is as fresh as any network answer and costs no request.
  Step listed;
  if (from_listing(url, now_ms, listed) != Listed::unknown) return listed;
  known = index_.find(key);
  if (refuted(known)) known = nullptr;
  // A stale record in memory is newer than anything persisted: go straight to revalidation. A
  // refuted record is asked of the hub alone: the stores hold what was refuted.
  if (known == nullptr && !distrusted) {
    if (from <= Stage::persisted && options_.persist && !url.has_credentials) {
      Step step;
      step.action = StepAction::read_persisted;
      step.key = key;
      return step;
    }
    // A URL with userinfo cannot key a Cache API entry: its Request constructor refuses it with an
    // error quoting the URL whole. Nothing is stored under one, so there is nothing to read.
    if (from <= Stage::legacy && options_.persist && !url.has_userinfo &&
        legacy_index < options_.legacy_stores.size()) {
      Step step;
      step.action = StepAction::read_legacy;
      step.key = key;
      step.store = options_.legacy_stores[legacy_index];
      return step;
    }
  }
  // A file not in LFS (known so, or learned with its git blob id) has its hash from its bytes: the
  // hub can confirm a stale record of it only by that blob id, and its /raw/ is the file itself.
  const bool has_blob = known != nullptr && !known->blob.empty();
  const bool plain_file = known_plain(url) || has_blob;
  if (from <= Stage::batch && (!plain_file || has_blob) && batch_usable(url)) {
    Step step;
    step.action = StepAction::fetch_batch;
    step.key = key;
    step.group = batch_group(url);
    return step;
  }
  if (from <= Stage::pointer && !plain_file && url.is_hub) {
    Step step;
    step.action = StepAction::fetch_pointer;
    step.key = key;
    step.pointer_url = url.pointer_url;
    return step;
  }
  // Nothing on the network says more. For an LFS file a stale hash is still the best guess (the
  // download is verified against it); a plain file's bytes, or an expired hash elsewhere, must be
  // hashed again.
  return done(url, url.is_hub && !plain_file ? known : nullptr, "stale");
}

Step Resolver::find_local(const ArtifactUrl& url) {
  const HashRecord* known = index_.find(url.storage_key);
  if (known != nullptr) {
    return done(url, known, from_snapshot_.count(url.storage_key) != 0 ? "persisted"
                            : known->source == "hint"                   ? "hint"
                                                                        : "memory");
  }
  if (!options_.persist || url.has_credentials) return done(url, nullptr, "");
  Step step;
  step.action = StepAction::read_persisted;
  step.key = url.storage_key;
  return step;
}

Step Resolver::begin(const std::string& url, double now_ms, Lookup lookup) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  if (lookup == Lookup::local) return find_local(parsed);
  return plan(parsed, Stage::memory, 0, now_ms);
}

Step Resolver::after_persisted(const std::string& url, bool found, const std::string& body,
                               double now_ms, Lookup lookup) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  const bool local = lookup == Lookup::local;
  if (!found) return local ? done(parsed, nullptr, "") : plan(parsed, Stage::legacy, 0, now_ms);
  RecordDecode decoded = decode_record(body);
  if (!decoded.ok) {
    Step step = local ? done(parsed, nullptr, "") : plan(parsed, Stage::legacy, 0, now_ms);
    step.error_kind = error_kind::persisted_record_invalid;
    step.error_message = "persisted record for " + parsed.redacted + " ignored: " + decoded.reason;
    return step;
  }
  HashRecord record = decoded.record;
  if (record.stored_at <= 0) {
    // A record without a date (tvmjs's form) counts from now; rewriting it dates it, so it is
    // revalidated after max_age like our own.
    record.stored_at = now_ms;
    Step step = done(parsed, &record, "persisted");
    learn(parsed, std::move(record), step);
    keep_from_store(parsed);
    return step;
  }
  // Read from its own entry: the snapshot may lack it (written by tvmjs or before the snapshot).
  if (local || !is_stale(parsed, record, now_ms)) {
    keep(parsed, record);
    keep_from_store(parsed);
    return done(parsed, &record, "persisted");
  }
  keep(parsed, std::move(record));
  keep_from_store(parsed);
  return plan(parsed, Stage::batch, 0, now_ms);
}

Step Resolver::after_legacy(const std::string& url, const std::string& store, bool found,
                            const std::string& body, double now_ms) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  std::size_t position = 0;
  while (position < options_.legacy_stores.size() && options_.legacy_stores[position] != store) {
    ++position;
  }
  if (!found) return plan(parsed, Stage::legacy, position + 1, now_ms);
  // tvmjs writes JSON records, transformers.js the bare hex string.
  RecordDecode decoded = decode_record(body);
  if (!decoded.ok) {
    RecordDecode plain = decode_plain_hex_record(body);
    if (plain.ok) decoded = plain;
  }
  if (!decoded.ok) {
    Step step = plan(parsed, Stage::legacy, position + 1, now_ms);
    step.error_kind = error_kind::persisted_record_invalid;
    step.error_message = "record for " + parsed.redacted + " in " + store + " ignored: " + decoded.reason;
    return step;
  }
  HashRecord record = decoded.record;
  record.source = "imported";
  // Other libraries keep no date: the entry counts as learned now. A dated one ages as ours do.
  if (record.stored_at <= 0) record.stored_at = now_ms;
  if (is_stale(parsed, record, now_ms)) {
    keep(parsed, std::move(record));
    keep_from_store(parsed);
    return plan(parsed, Stage::batch, 0, now_ms);
  }
  Step step = done(parsed, &record, "imported");
  learn(parsed, std::move(record), step);
  keep_from_store(parsed);
  return step;
}

std::vector<BatchRequest> Resolver::plan_batch(const std::vector<std::string>& urls, double now_ms) {
  std::vector<ArtifactUrl> wanted;
  for (const std::string& text : urls) {
    ArtifactUrl url = parse_artifact_url(text);
    if (!batch_usable(url)) continue;
    if (pending_batches_.count(batch_group(url)) != 0) continue;
    const HashRecord* known = index_.find(url.storage_key);
    if (known != nullptr && !is_stale(url, *known, now_ms)) continue;
    // A plain file's hash comes from its bytes: only a blob id to confirm is worth a request.
    if (known_plain(url) && (known == nullptr || known->blob.empty())) continue;
    if (listing_answers(url, now_ms)) continue;
    wanted.push_back(std::move(url));
  }
  std::vector<BatchRequest> requests = group_batch_requests(wanted);
  for (BatchRequest& request : requests) {
    const ArtifactUrl first = parse_artifact_url(request.keys.front());
    if (options_.list_repos && first.repo_type == "model" && listings_.count(request.group) == 0 &&
        tree_failed_.count(request.group) == 0 && tree_disabled_.count(first.endpoint) == 0) {
      request = as_tree_request(std::move(request), first);
    }
    pending_batches_[request.group] = request;
  }
  return requests;
}

bool Resolver::listing_answers(const ArtifactUrl& url, double now_ms) const {
  auto found = listings_.find(batch_group(url));
  if (found == listings_.end() || listing_stale(url, found->second, now_ms)) return false;
  return found->second.complete || found->second.files.count(url.path) != 0;
}

bool Resolver::listing_stale(const ArtifactUrl& url, const Listing& listing, double now_ms) const {
  return !url.immutable && expired(listing.listed_at, options_.max_age_ms, now_ms);
}

Resolver::Listed Resolver::from_listing(const ArtifactUrl& url, double now_ms, Step& step) {
  if (!url.is_hub || listings_.empty()) return Listed::unknown;
  auto found = listings_.find(batch_group(url));
  if (found == listings_.end()) return Listed::unknown;
  const Listing& listing = found->second;
  if (listing_stale(url, listing, now_ms)) {
    listings_.erase(found);
    return Listed::unknown;
  }
  auto file = listing.files.find(url.path);
  if (file == listing.files.end()) {
    if (!listing.complete) return Listed::unknown;
    // The revision has no such file: its download will say so; nothing to ask the hub.
    step = done(url, nullptr, "");
    return Listed::absent;
  }
  if (!file->second.is_lfs) {
    step = learn_plain(url, file->second.blob, listing.commit, listing.listed_at, now_ms);
    return Listed::plain;
  }
  // As old as the listing, not as this lookup.
  step = learn_batch(url, file->second.sha256, file->second.size, listing.commit, listing.listed_at);
  return Listed::lfs;
}

Step Resolver::learn_plain(const ArtifactUrl& url, const std::string& blob, const std::string& commit,
                           double answered_at, double now_ms) {
  // Its /raw/ is the whole file: the hash can only come from the content, or be confirmed by the
  // blob id it was learned with.
  no_pointer_.insert(url.storage_key);
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
    Step step = done(url, &confirmed, "batch");
    learn(url, std::move(confirmed), step);
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

void Resolver::keep_listing(const std::string& group, Listing listing) {
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

BatchOutcome Resolver::apply_tree(const BatchRequest& request, int status, std::string_view body,
                                  const std::string& repo_commit, const std::string& link_header,
                                  double now_ms, bool timed_out) {
  BatchOutcome outcome;
  const ArtifactUrl first = parse_artifact_url(request.keys.front());
  const std::string where = first.repo_id + "@" + first.revision;
  // Failure costs nothing but the request: the same URLs ask paths-info next.
  auto fall_back = [&](std::string_view kind, std::string message) {
    tree_failed_.insert(request.group);
    if (status == 405 || status == 501) tree_disabled_.insert(first.endpoint);
    for (const std::string& key : request.keys) retry_batch_.insert(key);
    outcome.error_kind = kind;
    outcome.error_message = std::move(message) + "; asking paths-info instead";
    return outcome;
  };
  if (timed_out) {
    return fall_back(error_kind::listing_failed, "listing of " + where + " timed out after " + timeout_text());
  }
  if (status < 200 || status > 299) {
    return fall_back(error_kind::listing_failed, "listing of " + where + " failed with status " + std::to_string(status));
  }
  Listing listing;
  listing.complete = !link_has_next(link_header);
  listing.listed_at = now_ms;
  listing.commit = commit_of(first, repo_commit);
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
  });
  if (!scan.ok) return fall_back(error_kind::listing_invalid, "listing of " + where + " ignored: " + scan.reason);
  keep_listing(request.group, std::move(listing));

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
        retry_batch_.insert(key);  // beyond the first page: paths-info knows
        break;
    }
  }
  return outcome;
}

BatchOutcome Resolver::apply_batch(const std::string& group, int status, std::string_view body,
                                   const std::string& repo_commit, const std::string& link_header,
                                   double now_ms, bool timed_out) {
  BatchOutcome outcome;
  auto pending = pending_batches_.find(group);
  if (pending == pending_batches_.end()) {
    outcome.error_kind = error_kind::batch_invalid;
    outcome.error_message = "no batch request is pending for " + group;
    return outcome;
  }
  const BatchRequest request = std::move(pending->second);
  pending_batches_.erase(pending);
  if (request.kind == BatchKind::tree) {
    return apply_tree(request, status, body, repo_commit, link_header, now_ms, timed_out);
  }
  const ArtifactUrl first = parse_artifact_url(request.keys.front());

  // No answer in time says nothing of the endpoint: this revision asks pointers instead.
  if (timed_out) {
    batch_failed_.insert(group);
    outcome.error_kind = error_kind::batch_failed;
    outcome.error_message = "paths-info for " + first.repo_id + "@" + first.revision + " timed out after " +
                            timeout_text() + "; resolving by LFS pointer instead";
    return outcome;
  }
  // A hub (or mirror) without the endpoint: stop asking it, pointers still work.
  if (status == 404 || status == 405 || status == 501 || status == 0) {
    batch_disabled_.insert(first.endpoint);
    outcome.error_kind = error_kind::batch_unavailable;
    outcome.error_message = "paths-info unavailable at " + first.endpoint + " (status " +
                            std::to_string(status) + "); resolving by LFS pointer instead";
    return outcome;
  }
  if (status < 200 || status > 299) {
    batch_failed_.insert(group);
    outcome.error_kind = error_kind::batch_failed;
    outcome.error_message = "paths-info for " + first.repo_id + "@" + first.revision +
                            " failed with status " + std::to_string(status);
    return outcome;
  }
  // Only the entries of the paths asked are kept; a path answered twice spoils the answer.
  std::unordered_map<std::string, PathInfo> by_path;
  for (const std::string& path : request.paths) by_path.emplace(path, PathInfo());
  const PathsInfoScan scan = scan_paths_info(body, [&by_path](PathInfo& entry) {
    auto asked = by_path.find(entry.path);
    if (asked == by_path.end()) return std::string();
    if (!asked->second.path.empty()) return "duplicate path \"" + message_text_in_quotes(entry.path) + "\"";
    asked->second = std::move(entry);
    return std::string();
  });
  if (!scan.ok) {
    batch_failed_.insert(group);
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
      count_plain(learn_plain(url, entry->second.git_oid, commit_of(url, repo_commit), now_ms, now_ms), outcome);
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

Step Resolver::after_batch(const std::string& url, double now_ms) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  const HashRecord* known = index_.find(parsed.storage_key);
  if (known != nullptr && !is_stale(parsed, *known, now_ms)) {
    Step step = done(parsed, known, known->source == "batch" ? "batch" : "memory");
    settle_distrust(parsed, step);
    return step;
  }
  // A listing that did not answer for it (failed, or the file is past its first page).
  if (retry_batch_.erase(parsed.storage_key) != 0) return plan(parsed, Stage::batch, 0, now_ms);
  return plan(parsed, Stage::pointer, 0, now_ms);
}

Step Resolver::after_pointer(const std::string& url, int status, const std::string& text,
                             const std::string& repo_commit, double now_ms, bool timed_out) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  if (timed_out) {
    // As any failed request: the stale hash, if any, or the content decides.
    Step step = done(parsed, index_.find(parsed.storage_key), "stale");
    step.error_kind = error_kind::pointer_fetch_failed;
    step.error_message = "LFS pointer request for " + parsed.redacted + " timed out after " + timeout_text();
    return step;
  }
  // 416: the range asked for (the first KiB) is beyond the end, i.e. an empty plain file.
  if (status == 416) {
    no_pointer_.insert(parsed.storage_key);
    return done(parsed, nullptr, "");
  }
  if (status < 200 || status > 299) {
    Step step = done(parsed, index_.find(parsed.storage_key), "stale");
    step.error_kind = error_kind::pointer_fetch_failed;
    step.error_message = status == 0 ? "LFS pointer request for " + parsed.redacted + " failed: " + text
                                     : "LFS pointer request for " + parsed.redacted +
                                           " answered status " + std::to_string(status);
    return step;
  }
  LfsPointerParse pointer = parse_lfs_pointer(text);
  if (pointer.ok && pointer.pointer.size > static_cast<std::uint64_t>(INT64_MAX)) {
    pointer.ok = false;
    pointer.reason = "size " + std::to_string(pointer.pointer.size) + " is beyond any real file";
  }
  if (!pointer.ok) {
    // Most often an ordinary file, served whole by /raw/: not an error, but never ask again.
    no_pointer_.insert(parsed.storage_key);
    Step step = done(parsed, nullptr, "");
    if (looks_like_pointer(text)) {
      step.error_kind = error_kind::pointer_invalid;
      step.error_message = "LFS pointer for " + parsed.redacted + " ignored: " + pointer.reason;
    }
    return step;
  }
  HashRecord record;
  record.value = pointer.pointer.oid;
  record.size = static_cast<std::int64_t>(pointer.pointer.size);
  record.source = "pointer";
  record.commit = commit_of(parsed, repo_commit);
  record.stored_at = now_ms;
  Step step = done(parsed, &record, "pointer");
  learn(parsed, std::move(record), step);
  settle_distrust(parsed, step);
  return step;
}

Step Resolver::record_content(const std::string& url, const Content& content, double now_ms) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  HashCheck check = check_sha256_hex(content.sha256);
  if (!check.ok) throw std::invalid_argument("content hash for " + parsed.redacted + ": " + check.reason);
  std::string expected;
  if (!content.expected.empty()) {
    HashCheck guard = check_sha256_hex(content.expected);
    if (!guard.ok) throw std::invalid_argument("expected hash for " + parsed.redacted + ": " + guard.reason);
    expected = std::move(guard.value);
  }
  const HashRecord* known = index_.find(parsed.storage_key);
  const bool known_fresh = known != nullptr && !is_stale(parsed, *known, now_ms);
  // The hash the download started with judges its bytes, however old its record has become
  // meanwhile (a truncated body must never become the URL's hash); without one, a fresh record.
  const std::string* judge = !expected.empty() ? &expected : known_fresh ? &known->value : nullptr;
  if (judge != nullptr && *judge != check.value) {
    // A record read from a store is a cache: forget it and ask again. A caller's hint is a
    // verdict, and so is what the hub or the bytes said in this session (after a refutation too).
    const bool cached = known != nullptr && known->value == *judge && known->source != "hint" &&
                        from_stores_.count(parsed.storage_key) != 0;
    const bool refuted_before = distrusted_.count(parsed.storage_key) != 0;
    Step step = done(parsed, nullptr, "");
    if (cached && !refuted_before) {
      const std::string refuted = *judge;
      forget(url);
      if (distrusted_.size() >= options_.capacity) distrusted_.clear();  // bounded, as memory is
      distrusted_[parsed.storage_key] = refuted;
      step.recheck = true;
      // The entry the refuted record may sit in, in our store and the legacy ones: to be dropped.
      if (options_.persist && !parsed.has_credentials) step.drop_key = parsed.storage_key;
      return step;  // not reported yet: the fresh answer reports the correction (settle_distrust)
    }
    step.refused = true;
    step.error_kind = error_kind::cos_hash_mismatch;
    step.error_message = "content of " + parsed.redacted + " has SHA-256 " + check.value + ", expected " +
                         *judge + " (" + (known != nullptr && known->value == *judge ? known->source : "when its download started") + ")";
    return step;
  }
  HashRecord record;
  record.value = check.value;
  record.size = content.size;
  record.source = "content";
  record.stored_at = now_ms;
  // What a mutable revision's file is revalidated by later (commit URLs never are).
  if (parsed.is_hub && !parsed.immutable) {
    record.commit = commit_of(parsed, content.repo_commit);
    record.blob = blob_of(content.etag, check.value);
  }
  if (known != nullptr && known->value == check.value) {
    // Confirmed, not learned: it keeps where it came from (hints are the caller's, never
    // persisted). A stale record the bytes confirm counts from now again, else every later
    // lookup would revalidate it; a blob id it lacked is added, unless the hub gave its hash as
    // an LFS file's (a listing revalidates that by the hash itself).
    const bool from_lfs = known->source == "batch" || known->source == "pointer";
    const bool gains_blob = !from_lfs && !record.blob.empty() && record.blob != known->blob;
    if (known->source == "hint" || (known_fresh && !gains_blob)) return done(parsed, known, "verified");
    HashRecord confirmed = *known;
    if (!known_fresh) confirmed.stored_at = now_ms;
    if (gains_blob) confirmed.blob = record.blob;
    if (!record.commit.empty()) confirmed.commit = record.commit;
    Step step = done(parsed, &confirmed, "verified");
    learn(parsed, std::move(confirmed), step);
    return step;
  }
  if (known_fresh) {
    // The bytes match the hash their download started with, but a newer record came in
    // meanwhile (the file changed): that one stands; these bytes are what was asked for.
    return done(parsed, &record, "verified");
  }
  Step step = done(parsed, &record, "content");
  learn(parsed, std::move(record), step);
  settle_distrust(parsed, step);
  return step;
}

void Resolver::add_hint(const std::string& url, const std::string& sha256_hex, std::int64_t size) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  HashCheck check = check_sha256_hex(sha256_hex);
  if (!check.ok) throw std::invalid_argument("hint for " + parsed.redacted + ": " + check.reason);
  HashRecord record;
  record.value = check.value;
  record.size = size;
  record.source = "hint";
  index_.put(parsed.storage_key, std::move(record));
}

void Resolver::add_integrity(const std::string& url, const std::string& integrity) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  HashCheck bare = check_sha256_hex(integrity);
  if (bare.ok) {
    add_hint(url, bare.value, -1);
    return;
  }
  SriParse sri = parse_sri(integrity);
  std::vector<SriHash> others;
  bool keyed = false;
  for (const SriHash& hash : sri.hashes) {
    if (hash.algorithm == "sha256") {
      if (!keyed) add_hint(url, hash.hex, -1);
      keyed = true;
    } else {
      others.push_back(hash);
    }
  }
  if (!keyed && others.empty()) {
    std::string reasons;
    for (const std::string& error : sri.errors) reasons += (reasons.empty() ? "" : "; ") + error;
    throw std::invalid_argument("integrity for " + parsed.redacted + " has no usable sha256, sha384 or sha512 hash" +
                                (reasons.empty() ? std::string() : ": " + reasons));
  }
  if (!others.empty()) verify_only_[parsed.storage_key] = std::move(others);
}

std::vector<SriHash> Resolver::verify_only(const std::string& url) const {
  auto found = verify_only_.find(parse_artifact_url(url).storage_key);
  return found == verify_only_.end() ? std::vector<SriHash>() : found->second;
}

Step Resolver::check_digest(const std::string& url, const std::string& algorithm,
                            const std::string& hex) const {
  const ArtifactUrl parsed = parse_artifact_url(url);
  Step step;
  step.action = StepAction::done;
  step.key = parsed.storage_key;
  auto found = verify_only_.find(parsed.storage_key);
  if (found == verify_only_.end()) return step;
  for (const SriHash& expected : found->second) {
    if (expected.algorithm == algorithm && expected.hex != hex) {
      step.error_kind = error_kind::integrity_mismatch;
      step.error_message = "content of " + parsed.redacted + " has " + algorithm + " " + hex +
                           ", expected " + expected.hex + " (integrity hint)";
    }
  }
  return step;
}

bool Resolver::forget(const std::string& url) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  const bool plain = no_pointer_.erase(parsed.storage_key) != 0;
  from_snapshot_.erase(parsed.storage_key);
  unsaved_.erase(parsed.storage_key);
  // Bounded: past capacity the oldest tombstones matter least (a merge may bring one back).
  if (forgotten_.size() >= options_.capacity) forgotten_.clear();
  forgotten_[parsed.storage_key] = ++generation_;
  // A listing that gave a hash now in doubt must not give it again.
  const bool listed = parsed.is_hub && listings_.erase(batch_group(parsed)) != 0;
  return index_.erase(parsed.storage_key) || plain || listed;
}

}  // namespace coc
