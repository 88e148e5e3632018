// Drives one load's Transfer with any sequence of results, in or out of turn, and checks what it
// must never do: touch storage it does not have, share private bytes, read storage for a put,
// reach the network on a storage-only lookup, loop (at most one rerun), move on after a result
// for an action it did not ask for, or pace a download whose bytes it cannot check or store.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_common.h"
#include "download_resume.h"
#include "transfer.h"

namespace {

using fuzz::Input;

using coc::StorageKind;
using coc::TransferAction;
using coc::TransferStep;

const std::string kHashes[] = {"", std::string(64, 'a'), std::string(64, 'b')};

bool touches_storage(TransferAction action) {
  switch (action) {
    case TransferAction::read_storage:
    case TransferAction::check_storage:
    case TransferAction::read_back:
    case TransferAction::check_room:
    case TransferAction::stream_into_storage:
    case TransferAction::close_write:
    case TransferAction::abandon_write:
    case TransferAction::write_spooled:
    case TransferAction::check_kept:
      return true;
    default:
      return false;
  }
}

coc::Step verdict(Input& in) {
  const std::uint8_t flags = in.byte();
  coc::Step step;
  step.recheck = flags & 1;
  step.refused = flags & 2;
  step.persist_key = (flags & 4) ? "key" : "";
  step.persist_body = step.persist_key.empty() ? "" : "{}";
  step.drop_key = (flags & 8) ? "dropped" : "";
  step.error_kind = (flags & 16) ? "record-corrected" : "";
  step.error_message = step.error_kind.empty() ? "" : "corrected";
  step.hit = (flags & 32) ? "content" : "";
  return step;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  const std::uint8_t flags = in.byte();
  coc::TransferRequest request;
  request.storage = static_cast<StorageKind>(flags % 3);
  request.own_response = flags & 4;
  request.is_private = flags & 8;
  request.needs_bytes = flags & 16;
  request.storage_only = flags & 32;
  request.paced_downloads = flags & 64;
  request.native_digest = flags & 128;
  request.resume_attempts = flags & 2;
  // Unknown, slow or fast recent bodies.
  const std::uint8_t rate = in.byte();
  request.body_rate = rate < 86 ? -1 : rate < 172 ? coc::kWholeBodyMinBytesPerSecond / 4 : coc::kWholeBodyMinBytesPerSecond;
  request.shown_url = "https://hub.test/m/resolve/main/w.bin";
  if (request.own_response && request.storage_only) {
    try {
      coc::Transfer refused(request);
    } catch (const std::invalid_argument&) {
      return 0;
    }
    FUZZ_CHECK(false, "a storage-only lookup with the caller's own response was accepted");
  }
  coc::Transfer transfer(request);

  int resolves = 1;
  int downloads = 0;
  bool needed = false;
  for (int feeds = 0; in.more() && feeds < 64; ++feeds) {
    const TransferStep before = transfer.next();
    const std::uint8_t choice = in.byte();
    TransferStep step;
    try {
      switch (choice % 14) {
        case 0: {
          const bool found = in.byte() & 1;
          const std::string& hash = kHashes[in.byte() % 3];
          // Sizes around the paced segment's too.
          const std::int64_t record_size = static_cast<std::int8_t>(in.byte()) * (coc::kPacedSegmentBytes / 32);
          step = transfer.resolved(found, hash, record_size);
          break;
        }
        case 1: step = transfer.storage_answered(static_cast<coc::StorageAnswer>(in.byte() % 4)); break;
        case 2: {
          const std::int64_t length = static_cast<std::int8_t>(in.byte());
          const int status = (in.byte() & 1) ? 206 : 200;
          static const std::string ranges[] = {
              "", "bytes 0-" + std::to_string(coc::kPacedSegmentBytes - 1) + "/" + std::to_string(3 * coc::kPacedSegmentBytes),
              "bytes 0-99/100", "bytes 5-9/10"};
          // The encoding from the range's byte: the input reads no more bytes than before.
          static const std::string encodings[] = {"", "identity", "gzip", "br, gzip"};
          const std::uint8_t pick = in.byte();
          step = transfer.downloaded(length, status, ranges[pick % 4], encodings[(pick / 4) % 4]);
          break;
        }
        case 3: step = transfer.room_answered(in.byte() & 1, in.byte(), in.byte()); break;
        case 4: {
          const coc::Step judged = verdict(in);
          step = transfer.streamed(judged, kHashes[1 + in.byte() % 2], in.byte());
          break;
        }
        case 5: step = transfer.stream_failed(in.byte() & 1); break;
        case 6: step = transfer.closed(); break;
        case 7: step = transfer.write_failed((in.byte() & 1) ? "DataError" : "QuotaExceededError", (in.byte() & 1) ? "close" : "write"); break;
        case 8: step = transfer.abandoned(); break;
        case 9: step = transfer.kept(in.byte() & 1); break;
        case 10: step = transfer.persisted(); break;
        case 11: step = transfer.dropped(); break;
        case 12: step = transfer.need_bytes(); needed = true; break;
        default: step = transfer.next(); break;
      }
    } catch (const std::logic_error&) {
      // Out of turn: refused, and nothing moved.
      FUZZ_CHECK(transfer.next().action == before.action, "a refused result moved the transfer");
      continue;
    }
    FUZZ_CHECK(before.action != TransferAction::fail || step.action == TransferAction::fail,
               "a failed transfer went on");
    if (step.action == TransferAction::resolve && before.action != TransferAction::resolve) ++resolves;
    if (step.action == TransferAction::download && before.action != TransferAction::download) ++downloads;
    FUZZ_CHECK(resolves <= 2, "a load ran more than twice");
    // Each of at most two runs downloads at most three times (the body; once more, streamed, after
    // a whole read broke off; once more, unstored, after a failed write), and bytes gone from
    // storage at read-back are downloaded once more.
    FUZZ_CHECK(downloads <= 7, "a load downloaded more than seven times");
    if (request.storage == StorageKind::none) {
      FUZZ_CHECK(!touches_storage(step.action), std::string("no storage, yet ") + coc::transfer_action_name(step.action));
      FUZZ_CHECK(!step.no_store, "bytes kept out of the HTTP cache with no storage to hold them");
    }
    if (request.storage == StorageKind::fallback) FUZZ_CHECK(step.action != TransferAction::check_kept, "the fallback store checked");
    if (request.is_private) FUZZ_CHECK(!step.shared, "private bytes shared");
    if (request.own_response) {
      FUZZ_CHECK(step.action != TransferAction::read_storage && step.action != TransferAction::check_storage,
                 "storage read for a caller's own response");
      FUZZ_CHECK(!step.resumable, "a caller's own response resumed");
    }
    if (request.storage_only) {
      FUZZ_CHECK(step.action != TransferAction::download, "a storage-only lookup downloaded");
    }
    if (!request.needs_bytes && !needed) FUZZ_CHECK(step.action != TransferAction::read_storage, "bytes opened that nobody reads");
    if (!step.range.empty()) {
      FUZZ_CHECK(request.paced_downloads && request.storage != StorageKind::none && !request.own_response &&
                     fuzz::is_lower_hex(step.hash, 64),
                 "a download paced without storage, a known hash, or need");
    }
    if (step.segment_bytes > 0) FUZZ_CHECK(step.action == TransferAction::stream_into_storage, "paced, yet not streamed into storage");
    if (step.action == TransferAction::stream_into_storage) {
      FUZZ_CHECK(fuzz::is_lower_hex(step.hash, 64) && step.hash_known, "streamed into storage without a hash");
    }
    FUZZ_CHECK(step.body_limit >= -1, "a body limit below -1");
    if (step.body_limit >= 0) {
      FUZZ_CHECK(fuzz::is_lower_hex(step.expected, 64), "a body limited with no hash to judge it by");
    }
    if (step.whole && step.body_limit >= 0) {
      FUZZ_CHECK(step.size == step.body_limit, "a body read whole that cannot stop at the recorded size");
    }
    if (step.whole) {
      FUZZ_CHECK(step.action == TransferAction::spool && request.native_digest &&
                     !(request.body_rate >= 0 && request.body_rate < coc::kWholeBodyMinBytesPerSecond) &&
                     step.size > 0 && step.size <= coc::kWholeBodyMaxBytes && step.segment_bytes == 0,
                 "a body read whole without native digests, on a slow link, or beyond a shard's size");
      if (step.hash_known) {
        FUZZ_CHECK(request.storage == StorageKind::fallback && fuzz::is_lower_hex(step.hash, 64),
                   "a body with a known hash read whole for storage other than the fallback store");
      }
    }
  }
  return 0;
}
