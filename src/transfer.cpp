#include "transfer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>
#include <utility>

#include "download_resume.h"
#include "error_kinds.h"
#include "git_blob.h"
#include "hash_descriptor.h"

namespace coc {
namespace {

// Without printf: the module has no %f (std::to_string(double) traps there), and a storage
// estimate may well be fractional.
std::string shown_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == std::floor(value) && std::fabs(value) < 9.0e15) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  return nlohmann::json(value).dump();  // shortest round-trip text, without printf (absent in the module)
}

}  // namespace

const char* transfer_action_name(TransferAction action) {
  switch (action) {
    case TransferAction::resolve: return "resolve";
    case TransferAction::read_storage: return "read_storage";
    case TransferAction::check_storage: return "check_storage";
    case TransferAction::download: return "download";
    case TransferAction::check_room: return "check_room";
    case TransferAction::stream_into_storage: return "stream_into_storage";
    case TransferAction::spool: return "spool";
    case TransferAction::close_write: return "close_write";
    case TransferAction::abandon_write: return "abandon_write";
    case TransferAction::write_spooled: return "write_spooled";
    case TransferAction::check_kept: return "check_kept";
    case TransferAction::read_back: return "read_back";
    case TransferAction::persist: return "persist";
    case TransferAction::drop_refuted: return "drop_refuted";
    case TransferAction::done: return "done";
    case TransferAction::fail: return "fail";
  }
  return "unknown";
}

Transfer::Transfer(TransferRequest request) : request_(std::move(request)) {
  // A caller's own response is the network's answer; a storage-only lookup has none.
  if (request_.own_response && request_.storage_only) {
    throw std::invalid_argument("transfer: a storage-only lookup cannot carry the caller's own response");
  }
  step_.action = TransferAction::resolve;
}

Transfer Transfer::for_bytes(TransferRequest request, BytesAt bytes, const std::string& hash, std::int64_t size) {
  Transfer transfer(std::move(request));
  transfer.found_ = !hash.empty();
  transfer.hash_ = hash;
  transfer.record_size_ = size >= 0 ? size : -1;
  transfer.total_ = size;
  transfer.step_ = transfer.finish(bytes, false);
  transfer.need_bytes();
  return transfer;
}

TransferStep Transfer::go(TransferStep step) {
  step_ = std::move(step);
  return step_;
}

// A result fed for another action than the one asked for is the shim's bug: it is refused, and
// the transfer stays where it was.
void Transfer::expect(TransferAction action, const char* feed) const {
  expect_one_of({action}, feed);
}

void Transfer::expect_one_of(std::initializer_list<TransferAction> actions, const char* feed) const {
  for (TransferAction action : actions) {
    if (step_.action == action) return;
  }
  throw std::logic_error(std::string("transfer: ") + feed + " after " + transfer_action_name(step_.action));
}

TransferStep Transfer::reported(TransferStep step, std::string_view kind, std::string message) {
  step.error_kind = std::string(kind);
  step.error_message = kind.empty() ? std::string() : std::move(message);
  return step;
}

TransferStep Transfer::failure(std::string message) const {
  TransferStep step;
  step.action = TransferAction::fail;
  step.hash = hash_;
  step.fail_message = std::move(message);
  return step;
}

TransferStep Transfer::finish(BytesAt bytes, bool stored) const {
  TransferStep step;
  step.action = TransferAction::done;
  step.bytes = bytes;
  step.stored = stored;
  step.hash = hash_;
  step.size = total_ >= 0 ? total_ : record_size_;
  return step;
}

TransferStep Transfer::resolved(bool found, const std::string& hash, std::int64_t size) {
  expect(TransferAction::resolve, "resolved");
  if (found && !is_canonical_sha256_hex(hash)) throw std::invalid_argument("transfer: resolved with an invalid hash");
  found_ = found;
  hash_ = found ? hash : std::string();
  record_size_ = found && size >= 0 ? size : -1;  // any negative size is unknown
  can_store_ = request_.storage != StorageKind::none;
  if (request_.storage_only && (!can_store_ || !found_)) return go(finish(BytesAt::none, false));
  // The caller's own response is stored as given: storage is not asked for what it may hold.
  if (request_.own_response || !can_store_ || !found_) return go(fetch());
  TransferStep step;
  step.action = request_.needs_bytes ? TransferAction::read_storage : TransferAction::check_storage;
  step.hash = hash_;
  step.size = record_size_;
  // An opened file of a record that names its blob must be that blob.
  if (request_.needs_bytes && !record_blob_.empty()) {
    step.git_blob_format = git_object_format_name(*git_object_format_of(record_blob_));
  }
  return go(step);
}

TransferStep Transfer::resolved(Resolver& resolver, const std::string& url, bool found, const std::string& hash,
                                std::int64_t size) {
  expect(TransferAction::resolve, "resolved");
  named_size_ = resolver.hub_named_size(url);
  record_blob_ = found ? resolver.record_blob(url, hash) : std::string();
  if (!git_object_format_of(record_blob_)) record_blob_.clear();
  // A caller's own bytes are checked only against a record that judges bytes: another host's
  // record learned from earlier bytes is replaced by them, as the Cache API's put() replaces.
  if (found && request_.own_response && !resolver.record_judges(url, hash)) return resolved(false, "", -1);
  // A hash the app's integrity rules out is not looked for in storage: the bytes are fetched and
  // checked against the integrity's values.
  if (found && !resolver.integrity_allows(url, hash)) return resolved(false, "", -1);
  return resolved(found, hash, size);
}

TransferStep Transfer::storage_answered(Resolver& resolver, const std::string& url, StorageAnswer answer,
                                        std::int64_t file_size, const std::string& git_blob) {
  expect_one_of({TransferAction::read_storage, TransferAction::check_storage, TransferAction::read_back},
                "storage_answered");
  const bool opened = answer == StorageAnswer::hit && step_.action == TransferAction::read_storage && found_;
  bool judged = false;
  if (opened && record_size_ >= 0 && file_size >= 0 && file_size != record_size_) {
    verdict_ = resolver.record_stored_size(url, hash_, record_size_, file_size);
    judged = true;
  } else if (opened && !step_.git_blob_format.empty()) {
    if (git_blob.empty()) throw std::invalid_argument("transfer: storage_answered without the git blob id it asked for");
    verdict_ = resolver.record_stored_blob(url, hash_, record_blob_, git_blob);
    judged = true;
  }
  if (judged && (verdict_.recheck || verdict_.refused)) {
    return go(reported(after_abandoned(), verdict_.error_kind, verdict_.error_message));
  }
  return storage_answered(answer);
}

TransferStep Transfer::storage_answered(StorageAnswer answer) {
  expect_one_of({TransferAction::read_storage, TransferAction::check_storage, TransferAction::read_back},
                "storage_answered");
  if (step_.action == TransferAction::read_back) {
    if (answer == StorageAnswer::hit) return go(finish(BytesAt::storage_file, false));
    // The entry was there and is gone now: the caller still gets its bytes.
    return go(reported(download_unstored(), error_kind::cos_failed, "entry " + hash_ + " missing from storage"));
  }
  if (request_.storage_only && answer != StorageAnswer::hit) {
    TransferStep none = finish(BytesAt::none, false);
    if (answer == StorageAnswer::not_allowed) return go(reported(std::move(none), error_kind::cos_not_allowed, ""));
    if (answer == StorageAnswer::error) return go(reported(std::move(none), error_kind::cos_failed, ""));
    return go(none);
  }
  switch (answer) {
    case StorageAnswer::hit: {
      // A handle alone (check_storage) says the bytes are there; need_bytes() opens them.
      TransferStep step =
          finish(step_.action == TransferAction::read_storage ? BytesAt::storage_file : BytesAt::stored, false);
      step.from_storage = true;
      return go(step);
    }
    case StorageAnswer::miss:
      return go(fetch());
    case StorageAnswer::not_allowed:
      // Storage refuses this origin: it would not take the bytes either.
      can_store_ = false;
      return go(reported(fetch(), error_kind::cos_not_allowed, ""));
    case StorageAnswer::error:
      return go(reported(fetch(), error_kind::cos_failed, ""));
  }
  return step_;
}

TransferStep Transfer::fetch() {
  TransferStep step;
  step.action = TransferAction::download;
  // Only bytes streamed into storage under a known hash are paced: storage sets the pace, and the
  // hash checks the joined segments.
  paced_ = can_store_ && !request_.own_response &&
           paces_download(request_.paced_downloads, found_, record_size_);
  if (paced_) step.range = first_segment_range();
  // Bytes headed for storage skip the browser's HTTP cache: a second copy of a multi-GB file
  // there would only push other sites' entries out.
  step.no_store = can_store_;
  step.hash = hash_;
  step.size = record_size_;
  return step;
}

TransferStep Transfer::downloaded(std::int64_t content_length, int status, std::string_view content_range,
                                  std::string_view content_encoding) {
  expect(TransferAction::download, "downloaded");
  // An encoded body's Content-Length is its encoded size: what it decodes to is not known.
  content_length_ = content_length > 0 && !content_encoded(content_encoding) ? content_length : -1;
  total_ = content_length_ > 0 ? content_length_ : (body_limit() > 0 ? body_limit() : -1);
  if (paced_) {
    const FirstSegmentCheck check = check_first_segment(status, content_range);
    if (check.verdict == FirstSegment::refused) {
      return go(failure("the first range of " + request_.shown_url + " cannot start a paced download: " + check.reason));
    }
    // A server that ignores ranges sends the whole file: it is streamed as one body, unpaced.
    paced_ = check.verdict == FirstSegment::paced;
    if (paced_) total_ = check.total;
  }
  // The fallback store is asked first whether the bytes fit: a write the browser would refuse for
  // quota is not started (COS reports its own refusal).
  if (can_store_ && request_.storage == StorageKind::fallback && total_ >= 0) return go(room_check());
  return go(body_step());
}

TransferStep Transfer::room_answered(bool fits, double quota, double usage) {
  expect(TransferAction::check_room, "room_answered");
  room_checked_ = fits;
  if (fits) return go(spooled_ ? store_spooled() : body_step());
  can_store_ = false;
  std::string message = "not stored: " + std::to_string(total_) + " bytes do not fit in the storage left (quota " +
                        shown_number(quota) + ", used " + shown_number(usage) + ")";
  // A paced response holds only the first segment: the bytes, unstored, are asked for whole.
  TransferStep next = spooled_ ? finish(BytesAt::spooled, false) : paced_ ? download_unstored() : body_step();
  return go(reported(std::move(next), error_kind::cos_quota, std::move(message)));
}

// The body comes next: straight into storage when its hash is known and storage takes it (flat
// memory), else into memory, hashed, and stored under the hash it turns out to have.
TransferStep Transfer::body_step() const {
  TransferStep step;
  step.size = total_;
  step.expected = found_ ? hash_ : std::string();
  step.body_limit = body_limit();
  // Only a request this cache made can be made again for the rest of a body that broke off.
  step.resumable = !request_.own_response;
  step.shared = !request_.is_private;
  if (can_store_ && found_ && request_.storage == StorageKind::fallback && whole_body()) {
    // Spooled whole, then written in one piece: the fallback store puts the Blob as it is.
    step.action = TransferAction::spool;
    step.whole = true;
    step.hash = hash_;
    step.hash_known = true;
  } else if (can_store_ && found_) {
    step.action = TransferAction::stream_into_storage;
    step.hash = hash_;
    step.hash_known = true;
    step.writes_in_flight = kWritesInFlight;
    step.segment_bytes = paced_ ? kPacedSegmentBytes : 0;
  } else {
    // Held in memory either way: read whole, a body never goes through the page chunk by chunk.
    step.action = TransferAction::spool;
    step.whole = whole_body();
  }
  return step;
}

// The size the body must not run past: the one recorded with the hash it must have, else (its hash
// comes from it) the one a hub answer named for the file; -1 when neither is known.
std::int64_t Transfer::body_limit() const {
  return found_ ? record_size_ : named_size_;
}

// A body read whole (for the fallback store under its known hash, or into memory): its length is
// the response's own (not content-encoded) and at most kWholeBodyMaxBytes, it is not paced, the
// shim digests natively, no whole read of it broke off yet, and recent bodies did not arrive slower
// than kWholeBodyMinBytesPerSecond (unknown: the first bodies are read whole). With a size to stop
// at (body_limit), the length must be that size: a whole read cannot stop, and a length that
// differs is streamed, so it can.
bool Transfer::whole_body() const {
  const bool slow_link = request_.body_rate >= 0 && request_.body_rate < kWholeBodyMinBytesPerSecond;
  const bool length_as_limited = body_limit() < 0 || content_length_ == body_limit();
  return request_.native_digest && !paced_ && !whole_failed_ && !slow_link && content_length_ > 0 &&
         content_length_ <= kWholeBodyMaxBytes && length_as_limited;
}

TransferStep Transfer::room_check() const {
  TransferStep step;
  step.action = TransferAction::check_room;
  step.hash = hash_;
  step.size = total_;
  return step;
}

TransferStep Transfer::store_spooled() const {
  TransferStep step;
  step.action = TransferAction::write_spooled;
  step.hash = hash_;
  step.size = total_;
  step.shared = !request_.is_private;
  return step;
}

TransferStep Transfer::streamed(const Step& verdict, const std::string& sha256, std::int64_t size) {
  expect_one_of({TransferAction::stream_into_storage, TransferAction::spool}, "streamed");
  if (!is_canonical_sha256_hex(sha256)) throw std::invalid_argument("transfer: streamed bytes with an invalid hash");
  const bool streaming = step_.action == TransferAction::stream_into_storage;
  verdict_ = verdict;
  TransferStep next;
  if (verdict.recheck || verdict.refused) {
    // The bytes refuted a record that was only a cache (recheck: the load runs again with what
    // the hub says now), or are refused outright: nothing of them is stored.
    if (streaming) {
      next.action = TransferAction::abandon_write;
      next.hash = hash_;
    } else {
      next = after_abandoned();
    }
  } else if (streaming) {
    next.action = TransferAction::close_write;
    next.hash = sha256;
    next.size = size;
  } else {
    spooled_ = true;
    hash_ = sha256;
    total_ = size;
    if (!can_store_) {
      next = finish(BytesAt::spooled, false);
    } else if (request_.storage == StorageKind::fallback && !room_checked_) {
      next = room_check();
    } else {
      next = store_spooled();
    }
  }
  next.hash_from_content = verdict.hit == "content";
  return go(reported(std::move(next), verdict.error_kind, verdict.error_message));
}

TransferStep Transfer::streamed(Resolver& resolver, const std::string& url, const Content& content, double now_ms) {
  // Out of turn is refused before the resolver learns anything from the bytes.
  expect_one_of({TransferAction::stream_into_storage, TransferAction::spool}, "streamed");
  return streamed(resolver.record_content(url, judged(content), now_ms), content.sha256, content.size);
}

std::string Transfer::git_blob_format(Resolver& resolver, const std::string& url, const Content& content,
                                      double now_ms) const {
  expect_one_of({TransferAction::stream_into_storage, TransferAction::spool}, "git_blob_format");
  return resolver.git_blob_format(url, judged(content), now_ms);
}

Content Transfer::judged(const Content& content) const {
  Content judged = content;
  judged.size_limit = step_.body_limit;
  judged.from_caller = request_.own_response;
  return judged;
}

TransferStep Transfer::stream_failed(bool digest_mismatch) {
  expect_one_of({TransferAction::stream_into_storage, TransferAction::spool}, "stream_failed");
  // A whole read that broke off kept nothing to resume from: a request this cache made is asked
  // for once more (when resuming is on), streamed, so a second break-off resumes where it stopped.
  if (step_.whole && step_.resumable && !digest_mismatch) {
    // As a streamed body: bytes whose hash is not known beforehand are not asked for again.
    DownloadStart start;
    start.hash_known = step_.hash_known;
    start.total = content_length_;
    const ResumePlan plan = plan_resume(start, 0, 0, request_.resume_attempts);
    if (plan.resume) {
      whole_failed_ = true;
      return go(reported(fetch(), error_kind::download_resumed,
                         "the body of " + request_.shown_url + " broke off; it is asked for again, streamed"));
    }
    return go(failure("the body of " + request_.shown_url + " broke off (not resumed: " + plan.reason + ")"));
  }
  return go(failure(""));
}

TransferStep Transfer::abandoned() {
  expect(TransferAction::abandon_write, "abandoned");
  return go(after_abandoned());
}

TransferStep Transfer::after_abandoned() {
  if (!verdict_.recheck) return failure(verdict_.error_message);
  if (verdict_.drop_key.empty()) return after_dropped();
  TransferStep step;
  step.action = TransferAction::drop_refuted;
  step.drop_key = verdict_.drop_key;
  return step;
}

TransferStep Transfer::dropped() {
  expect(TransferAction::drop_refuted, "dropped");
  return go(after_dropped());
}

// The resolver has forgotten the refuted record: the load runs once more and the hub (or, for
// other hosts, the bytes) answers afresh. A caller's own response cannot be fetched again, and a
// second refutation is not retried.
TransferStep Transfer::after_dropped() {
  if (phase_ == Phase::load && !request_.own_response && !restarted_) {
    *this = Transfer(request_);
    restarted_ = true;
    return step_;
  }
  // The resolver's words when it said what it forgot (a hub answer the bytes contradicted).
  if (!verdict_.error_message.empty()) return failure(verdict_.error_message + ": the next load asks again");
  return failure("the bytes of " + request_.shown_url +
                 " refuted its stored hash, which is forgotten: the next load asks again");
}

TransferStep Transfer::closed() {
  expect_one_of({TransferAction::close_write, TransferAction::write_spooled}, "closed");
  stored_ = true;
  // The COS extension can close a write cleanly and keep nothing (it does so when it is full): a
  // write counts only once the entry is there. The fallback store reports its own failures.
  if (request_.storage == StorageKind::cross_origin) {
    TransferStep step;
    step.action = TransferAction::check_kept;
    step.hash = hash_;
    return go(step);
  }
  return go(after_kept());
}

TransferStep Transfer::write_failed(const std::string& error_name, const std::string& storage_step) {
  const std::string storage_error_kind = storage_write_error_kind(error_name, storage_step);
  expect_one_of({TransferAction::stream_into_storage, TransferAction::close_write, TransferAction::write_spooled},
                "write_failed");
  can_store_ = false;
  // Spooled bytes are still in memory: served unstored.
  if (step_.action == TransferAction::write_spooled) {
    return go(reported(finish(BytesAt::spooled, false), storage_error_kind, ""));
  }
  // Only the storage's own check at close can say the bytes do not match: the caller must know.
  if (storage_error_kind == error_kind::cos_hash_mismatch) {
    return go(reported(failure("storage rejected the bytes of " + request_.shown_url + " as not matching " + hash_),
                       storage_error_kind, ""));
  }
  // The body went into a failed write. A caller's own response is not fetched again (put stores
  // best-effort); any other is, and handed over unstored.
  if (request_.own_response) return go(reported(finish(BytesAt::none, false), storage_error_kind, ""));
  return go(reported(download_unstored(), storage_error_kind, ""));
}

TransferStep Transfer::kept(bool found) {
  expect(TransferAction::check_kept, "kept");
  if (found) return go(after_kept());
  stored_ = false;
  return go(reported(finish(spooled_ ? BytesAt::spooled : BytesAt::none, false), error_kind::cos_quota,
                     "the storage closed the write of " + hash_ +
                         " without an error but kept nothing (it does so when it is full)"));
}

// A mapping is persisted only once its bytes are stored: a reload finds them by it.
TransferStep Transfer::after_kept() const {
  if (verdict_.persist_key.empty()) return finish(spooled_ ? BytesAt::spooled : BytesAt::stored, true);
  TransferStep step;
  step.action = TransferAction::persist;
  step.persist_key = verdict_.persist_key;
  step.persist_body = verdict_.persist_body;
  return step;
}

TransferStep Transfer::persisted() {
  expect(TransferAction::persist, "persisted");
  return go(finish(spooled_ ? BytesAt::spooled : BytesAt::stored, true));
}

TransferStep Transfer::need_bytes() {
  expect(TransferAction::done, "need_bytes");
  // A storage-only lookup has what storage had, and nothing is fetched for it.
  if (request_.storage_only || step_.bytes == BytesAt::storage_file || step_.bytes == BytesAt::spooled) return step_;
  phase_ = Phase::read_back;
  if (step_.bytes == BytesAt::stored) {
    TransferStep step;
    step.action = TransferAction::read_back;
    step.hash = hash_;
    step.size = step_.size;
    return go(step);
  }
  if (request_.own_response) return go(failure("the bytes of " + request_.shown_url + " were not kept"));
  return go(download_unstored());
}

// The bytes again from the network, into memory only (storage failed them once).
TransferStep Transfer::download_unstored() {
  can_store_ = false;
  spooled_ = false;
  return fetch();
}

}  // namespace coc
