#include "resolver.h"

#include <cstdint>
#include <iterator>
#include <algorithm>
#include <stdexcept>
#include <utility>

#include "ascii.h"
#include "error_kinds.h"
#include "expiry.h"
#include "git_blob.h"
#include "hash_descriptor.h"
#include "lfs_pointer.h"
#include "sha256.h"
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

bool looks_like_pointer(const std::string& text) {
  return text.rfind("version ", 0) == 0;
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

// Whether a response from response_url ("" when the URL's own) came from `origin`. A URL that does
// not parse is not taken to be the hub's.
bool from_origin(const std::string& response_url, const std::string& origin) {
  if (response_url.empty()) return true;
  try {
    return parse_artifact_url(response_url).origin == origin;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

}  // namespace

const char* step_action_name(StepAction action) {
  switch (action) {
    case StepAction::done: return "done";
    case StepAction::read_snapshot: return "read-snapshot";
    case StepAction::read_persisted: return "read-persisted";
    case StepAction::read_legacy: return "read-legacy";
    case StepAction::fetch_batch: return "fetch-batch";
    case StepAction::fetch_pointer: return "fetch-pointer";
  }
  return "unknown";
}

Resolver::Resolver(ResolverOptions options)
    : options_(std::move(options)),
      index_(options_.capacity),
      listings_(options_.max_age_ms, options_.list_repos),
      ledger_(options_.capacity) {}

std::string Resolver::commit_of(const ArtifactUrl& url, const std::string& repo_commit) {
  if (is_commit(repo_commit)) return repo_commit;
  return url.immutable ? url.revision : std::string();
}

std::string Resolver::other_commit(const ArtifactUrl& url, const std::string& repo_commit) {
  return url.immutable && is_commit(repo_commit) && repo_commit != url.revision ? repo_commit : std::string();
}

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
  return options_.batch && url.is_hub && listings_.batch_allowed(url);
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
  from_stores_.erase(url.storage_key);  // learned now; a read from a store marks it again
  ledger_.learned(url.storage_key, options_.persist && !url.has_credentials, index_);
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
    if (ledger_.hit(key)) return done(url, known, "persisted");
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
    if (from <= Stage::persisted && options_.persist && !url.has_credentials) return read_persisted(url);
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
    return done(url, known, ledger_.unhit(url.storage_key) ? "persisted"
                            : known->source == "hint"                   ? "hint"
                                                                        : "memory");
  }
  if (!options_.persist || url.has_credentials) return done(url, nullptr, "");
  return read_persisted(url);
}

Step Resolver::read_persisted(const ArtifactUrl& url) const {
  Step step;
  step.action = options_.snapshot && !snapshot_read_ ? StepAction::read_snapshot : StepAction::read_persisted;
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
  if (decoded.ok && decoded.record.source == "hint") {
    // A hint is the caller's verdict and is never written: one read from the store was planted,
    // and would be a verdict no download could correct.
    decoded.ok = false;
    decoded.reason = "hints are never persisted";
  }
  if (!decoded.ok) {
    Step step = local ? done(parsed, nullptr, "") : plan(parsed, Stage::legacy, 0, now_ms);
    step.error_kind = error_kind::persisted_record_invalid;
    step.error_message = "persisted record for " + parsed.redacted + " ignored: " + decoded.reason;
    return step;
  }
  HashRecord record = decoded.record;
  if (deleted_after(parsed.storage_key, record)) {
    // Written by a write that was under way when the record was deleted: it goes too.
    Step step = local ? done(parsed, nullptr, "") : plan(parsed, Stage::legacy, 0, now_ms);
    step.drop_key = parsed.storage_key;
    return step;
  }
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
  if (deleted_after(parsed.storage_key, record)) {
    // Deleted here after the other library wrote it (a reload would import it back).
    Step step = plan(parsed, Stage::legacy, position + 1, now_ms);
    step.drop_key = parsed.storage_key;
    return step;
  }
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

Step Resolver::after_pointer(const std::string& url, int status, const std::string& text,
                             const std::string& repo_commit, double now_ms, bool timed_out,
                             const std::string& etag, std::int64_t file_size) {
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
  if (const std::string other = other_commit(parsed, repo_commit); !other.empty()) {
    // Not the pinned commit's file: its bytes decide.
    Step step = done(parsed, nullptr, "");
    step.error_kind = error_kind::pointer_invalid;
    step.error_message = "LFS pointer for " + parsed.redacted + " ignored: it is of commit " + other + ", not " +
                         parsed.revision;
    return step;
  }
  LfsPointerParse pointer = parse_lfs_pointer(text);
  if (pointer.ok && pointer.pointer.size > static_cast<std::uint64_t>(INT64_MAX)) {
    pointer.ok = false;
    pointer.reason = "size " + std::to_string(pointer.pointer.size) + " is beyond any real file";
  }
  if (!pointer.ok) {
    // Most often an ordinary file, served whole by /raw/: not an error, but never ask again. Its
    // ETag names its blob, which its download must then be, and its headers its size. Only an
    // answer that names a blob is the hub's word on the file (an error page served as 200 is not),
    // and text that reads as a broken pointer is more likely an LFS file's pointer than the file.
    no_pointer_.insert(parsed.storage_key);
    const std::string blob = blob_of(etag, "");
    const std::int64_t named_size = blob.empty() || looks_like_pointer(text) ? -1 : file_size;
    keep_plain_answer(parsed, {blob, named_size, commit_of(parsed, repo_commit), "/raw/ answer"});
    Step step = done(parsed, nullptr, "");
    if (looks_like_pointer(text)) {
      step.error_kind = error_kind::pointer_invalid;
      step.error_message = "LFS pointer for " + parsed.redacted + " ignored: " + pointer.reason;
    }
    return step;
  }
  if (pointer_texts_.size() >= options_.capacity) pointer_texts_.clear();  // bounded, as memory is
  pointer_texts_[parsed.storage_key] = sha256_hex(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
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
  const bool known_judges = known_fresh && judges_bytes(parsed, *known);
  // The hash the download started with judges its bytes, however old its record has become
  // meanwhile (a truncated body must never become the URL's hash); without one, a fresh record
  // that judges bytes (another host's learned from earlier bytes does not: these replace it).
  const std::string* judge = !expected.empty() ? &expected : known_judges ? &known->value : nullptr;
  const bool overran = content.size_limit >= 0 && content.size > content.size_limit;
  // Without a hash, the limit is the size the hub named for a plain file: its word on the bytes.
  if (overran && judge == nullptr) return past_named_size(parsed, content);
  if (judge == nullptr) {
    // No hash judges these bytes: the hub's word on a plain file's blob does.
    for (const BlobClaim& claim : blob_claims(parsed, content, now_ms)) {
      if (content.git_blob == claim.blob) continue;
      // A hub answer read before the download may be of an older commit (or came in while the
      // bytes did, after the shim asked which id to compute): forgotten, and asked for again once.
      if (claim.hub_answer && !answer_asked_again_before(parsed)) {
        return answer_asked_again(parsed, "content of " + parsed.redacted + " is not the blob " + claim.blob + " the " +
                                              claim.source + " named; the " + claim.source + " is forgotten and asked for again");
      }
      if (content.git_blob.empty()) {
        throw std::invalid_argument("content of " + parsed.redacted + ": its git blob id is needed (the " +
                                    claim.source + " names " + claim.blob + ")");
      }
      Step step = done(parsed, nullptr, "");
      step.refused = true;
      step.error_kind = error_kind::cos_hash_mismatch;
      step.error_message = "content of " + parsed.redacted + " has git blob id " + content.git_blob + ", expected " +
                           claim.blob + " (the " + claim.source + ")";
      return step;
    }
    answer_rechecked_.erase(parsed.storage_key);
  }
  if (judge != nullptr && (*judge != check.value || overran)) {
    const auto text = pointer_texts_.find(parsed.storage_key);
    if (!overran && text != pointer_texts_.end() && text->second == check.value && known != nullptr &&
        known->value == *judge && known->source == "pointer") {
      return plain_after_all(parsed, *judge);
    }
    // The hub's answer that gave the hash is of another commit than the download (the branch moved
    // since it was read): that answer is forgotten and asked for again, once; only the fresh
    // answer the bytes refute again is a verdict.
    if (!overran && !content.from_caller && known != nullptr && known->value == *judge &&
        (known->source == "batch" || known->source == "pointer") && is_commit(known->commit) &&
        is_commit(content.repo_commit) && content.repo_commit != known->commit &&
        distrusted_.count(parsed.storage_key) == 0) {
      return recheck(parsed, *judge);
    }
    // A caller's own bytes (put()) that refute the hub's answer: its commit header is the caller's
    // word, so the branch may have moved since the answer was read, or the bytes be wrong. The
    // put is refused either way, but the answer is forgotten and asked for again, once: the next
    // load takes the hub's word as it is now, not an answer an hour old.
    if (!overran && content.from_caller && known != nullptr && known->value == *judge &&
        (known->source == "batch" || known->source == "pointer") && distrusted_.count(parsed.storage_key) == 0) {
      return recheck(parsed, *judge);
    }
    const std::string source = known != nullptr && known->value == *judge ? known->source : "when its download started";
    return refuted(parsed, *judge, overran ? "content of " + parsed.redacted + " runs past the " +
                                                 std::to_string(content.size_limit) + " bytes recorded with " + *judge +
                                                 " (" + source + "): cut off at " + std::to_string(content.size) + " bytes"
                                           : "content of " + parsed.redacted + " has SHA-256 " + check.value +
                                                 ", expected " + *judge + " (" + source + ")");
  }
  HashRecord record;
  record.value = check.value;
  record.size = content.size;
  record.source = "content";
  record.stored_at = now_ms;
  // What a mutable revision's file is revalidated by later (commit URLs never are), and what a
  // stored entry opened for the record must be (only an id computed from these bytes: an ETag's
  // could name other bytes than these).
  if (parsed.is_hub) record.blob = content.git_blob;
  if (parsed.is_hub && !parsed.immutable) record.commit = commit_of(parsed, content.repo_commit);
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
  if (known_judges) {
    // The bytes match the hash their download started with, but a newer record came in
    // meanwhile (the file changed): that one stands; these bytes are what was asked for.
    return done(parsed, &record, "verified");
  }
  Step step = done(parsed, &record, "content");
  learn(parsed, std::move(record), step);
  settle_distrust(parsed, step);
  return step;
}

std::vector<Resolver::BlobClaim> Resolver::blob_claims(const ArtifactUrl& url, const Content& content,
                                                       double now_ms) {
  std::vector<BlobClaim> claims;
  if (!url.is_hub || !content.expected.empty()) return claims;
  const HashRecord* known = index_.find(url.storage_key);
  if (known != nullptr && !is_stale(url, *known, now_ms)) return claims;  // that record's hash judges
  // A caller's own X-Repo-Commit cannot set the hub's answers aside.
  const std::string commit = content.from_caller ? std::string() : commit_of(url, content.repo_commit);
  // First the response's own word: bytes that contradict it are refused without asking again.
  // The hub's ETag of a plain file is its blob id; an LFS file's is its SHA-256 (not a claim),
  // and a CDN's after a redirect elsewhere names nothing of the hub's.
  const std::string etag_blob = from_origin(content.response_url, url.origin) ? blob_of(content.etag, content.sha256) : std::string();
  if (!etag_blob.empty()) claims.push_back({etag_blob, "ETag", false});
  const auto listed = plain_answers_.find(url.storage_key);
  // An answer of another commit: the file may have changed since, even into an LFS file.
  if (listed != plain_answers_.end() && !listed->second.blob.empty() &&
      (commit.empty() || listed->second.commit.empty() || commit == listed->second.commit)) {
    claims.push_back({listed->second.blob, listed->second.source, true});
  }
  return claims;
}

void Resolver::keep_plain_answer(const ArtifactUrl& url, PlainAnswer answer) {
  if (!git_object_format_of(answer.blob)) answer.blob.clear();
  if (answer.blob.empty() && answer.size < 0) return;
  if (plain_answers_.size() >= options_.capacity) plain_answers_.clear();  // bounded, as memory is
  plain_answers_[url.storage_key] = std::move(answer);
}

std::int64_t Resolver::hub_named_size(const std::string& url) const {
  const auto answer = plain_answers_.find(parse_artifact_url(url).storage_key);
  return answer != plain_answers_.end() ? answer->second.size : -1;
}

bool Resolver::answer_asked_again_before(const ArtifactUrl& parsed) const {
  return answer_rechecked_.count(parsed.storage_key) != 0;
}

Step Resolver::answer_asked_again(const ArtifactUrl& parsed, std::string message) {
  if (answer_rechecked_.size() >= options_.capacity) answer_rechecked_.clear();  // bounded, as memory is
  answer_rechecked_.insert(parsed.storage_key);
  forget(parsed.href);
  Step step = done(parsed, nullptr, "");
  step.recheck = true;
  step.error_message = std::move(message);
  return step;
}

Step Resolver::past_named_size(const ArtifactUrl& parsed, const Content& content) {
  const auto answer = plain_answers_.find(parsed.storage_key);
  // The answer that named the limit, unless another has come in since.
  const std::string source = answer != plain_answers_.end() && answer->second.size == content.size_limit
                                 ? answer->second.source
                                 : "hub answer";
  const std::string past = "content of " + parsed.redacted + " runs past the " + std::to_string(content.size_limit) +
                           " bytes the " + source + " named for it";
  if (!answer_asked_again_before(parsed)) {
    return answer_asked_again(parsed, past + "; the " + source + " is forgotten and asked for again");
  }
  Step step = done(parsed, nullptr, "");
  step.refused = true;
  step.error_kind = error_kind::cos_hash_mismatch;
  step.error_message = past + ": cut off at " + std::to_string(content.size) + " bytes";
  return step;
}

std::string Resolver::git_blob_format(const std::string& url, const Content& content, double now_ms) {
  // Bytes past their size limit are refused by it: no blob id of a part is needed.
  if (content.size_limit >= 0 && content.size > content.size_limit) return "";
  const std::vector<BlobClaim> claims = blob_claims(parse_artifact_url(url), content, now_ms);
  if (claims.empty()) return "";
  return git_object_format_name(*git_object_format_of(claims.front().blob));
}

// Bytes that are not the file `judge` names. A record read from a store is a cache: forget it and
// ask again. A caller's hint is a verdict, and so is what the hub or the bytes said in this session
// (after a refutation too): refused with `message`.
Step Resolver::refuted(const ArtifactUrl& parsed, std::string judge, std::string message) {
  const HashRecord* known = index_.find(parsed.storage_key);
  // A record from a store is a cache; so is another host's learned from earlier bytes this session
  // (the file may have changed since): forgotten and asked for again, once.
  const bool cached = known != nullptr && known->value == judge && known->source != "hint" &&
                      (from_stores_.count(parsed.storage_key) != 0 || !judges_bytes(parsed, *known));
  const bool refuted_before = distrusted_.count(parsed.storage_key) != 0;
  if (cached && !refuted_before) return recheck(parsed, std::move(judge));
  Step step = done(parsed, nullptr, "");
  step.refused = true;
  step.error_kind = error_kind::cos_hash_mismatch;
  step.error_message = std::move(message);
  return step;
}

// The bytes are the very text /raw/ gave as the file's LFS pointer: the file is a plain one whose
// content reads as a pointer. The pointer's record is forgotten (and dropped from the stores), the
// file is known to be plain, and the load runs again, its hash taken from its content; the
// correction is reported then (settle_distrust).
Step Resolver::plain_after_all(const ArtifactUrl& parsed, std::string judge) {
  pointer_texts_.erase(parsed.storage_key);
  Step step = recheck(parsed, std::move(judge));
  no_pointer_.insert(parsed.storage_key);  // after recheck's forget, which clears it
  return step;
}

// The record that said `judge` is forgotten and the URL asked for again; the entry it may sit in,
// in our store and the legacy ones, is to be dropped. Not reported yet: the fresh answer reports
// the correction (settle_distrust).
Step Resolver::recheck(const ArtifactUrl& parsed, std::string judge) {
  forget(parsed.href);
  if (distrusted_.size() >= options_.capacity) distrusted_.clear();  // bounded, as memory is
  distrusted_[parsed.storage_key] = std::move(judge);
  Step step = done(parsed, nullptr, "");
  step.recheck = true;
  if (options_.persist && !parsed.has_credentials) step.drop_key = parsed.storage_key;
  return step;
}

Step Resolver::record_stored_size(const std::string& url, const std::string& hash, std::int64_t recorded,
                                  std::int64_t stored) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  if (recorded < 0 || stored < 0 || recorded == stored) return done(parsed, index_.find(parsed.storage_key), "");
  return refuted_by_entry(parsed, hash, std::to_string(stored) + " bytes", std::to_string(recorded));
}

Step Resolver::record_stored_blob(const std::string& url, const std::string& hash, const std::string& recorded,
                                  const std::string& stored) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  if (recorded.empty() || stored == recorded) return done(parsed, index_.find(parsed.storage_key), "");
  return refuted_by_entry(parsed, hash, "git blob " + stored, recorded);
}

// The entry `hash` opened for the record is `held`, where the record says `recorded`.
Step Resolver::refuted_by_entry(const ArtifactUrl& parsed, const std::string& hash, const std::string& held,
                                const std::string& recorded) {
  const HashRecord* known = index_.find(parsed.storage_key);
  const std::string source = known != nullptr && known->value == hash ? known->source : "when its load started";
  return refuted(parsed, hash, "storage holds " + hash + " as " + held + ", not the " + recorded +
                                   " recorded with it for " + parsed.redacted + " (" + source + ")");
}

std::string Resolver::record_blob(const std::string& url, const std::string& hash) {
  const HashRecord* known = index_.find(parse_artifact_url(url).storage_key);
  return known != nullptr && known->value == hash ? known->blob : std::string();
}

bool Resolver::record_judges(const std::string& url, const std::string& hash) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  const HashRecord* known = index_.find(parsed.storage_key);
  return known != nullptr && known->value == hash && judges_bytes(parsed, *known);
}

bool Resolver::judges_bytes(const ArtifactUrl& url, const HashRecord& record) {
  if (record.source == "hint") return true;
  // A hub URL's record judges when the hub gave it (an LFS answer) or named the file's blob; one
  // learned from bytes alone, with no blob named (a site whose paths merely look like a hub's),
  // is another host's.
  return url.is_hub && (record.source != "content" || !record.blob.empty());
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
  const std::string sha256 = hints_.add(parsed, integrity);
  if (!sha256.empty()) {
    add_hint(url, sha256, -1);
  } else if (!hints_.sha256_choices(parsed.storage_key).empty()) {
    // Several sha256 values replace a single one given earlier: none of them keys the file now.
    const HashRecord* record = index_.find(parsed.storage_key);
    if (record != nullptr && record->source == "hint") index_.erase(parsed.storage_key);
  }
}

bool Resolver::integrity_allows(const std::string& url, const std::string& hash) const {
  const std::vector<std::string>& choices = hints_.sha256_choices(parse_artifact_url(url).storage_key);
  return choices.empty() || std::find(choices.begin(), choices.end(), hash) != choices.end();
}

std::vector<SriHash> Resolver::verify_only(const std::string& url) const {
  return hints_.verify_only(parse_artifact_url(url).storage_key);
}

Step Resolver::check_digest(const std::string& url, const std::string& algorithm,
                            const std::string& hex) const {
  const ArtifactUrl parsed = parse_artifact_url(url);
  Step step;
  step.action = StepAction::done;
  step.key = parsed.storage_key;
  step.error_message = hints_.mismatch(parsed, algorithm, hex);
  if (!step.error_message.empty()) step.error_kind = error_kind::integrity_mismatch;
  return step;
}

bool Resolver::forget(const std::string& url) {
  const ArtifactUrl parsed = parse_artifact_url(url);
  const bool plain = no_pointer_.erase(parsed.storage_key) != 0;
  plain_answers_.erase(parsed.storage_key);
  ledger_.forgot(parsed.storage_key);
  // A listing that gave a hash now in doubt must not give it again.
  const bool listed = parsed.is_hub && listings_.forget(batch_group(parsed));
  return index_.erase(parsed.storage_key) || plain || listed;
}

}  // namespace coc
