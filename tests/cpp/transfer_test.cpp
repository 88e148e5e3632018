#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

#include "download_resume.h"
#include "error_kinds.h"
#include "hash_record.h"
#include "resolver.h"
#include "transfer.h"

using coc::BytesAt;
using coc::Resolver;
using coc::StorageAnswer;
using coc::StorageKind;
using coc::Transfer;
using coc::TransferAction;
using coc::TransferRequest;
using coc::TransferStep;

namespace {

const std::string kHash(64, 'a');
const std::string kOther(64, 'b');

TransferRequest request(StorageKind storage, bool own_response = false, bool is_private = false,
                        bool needs_bytes = true) {
  TransferRequest result;
  result.storage = storage;
  result.own_response = own_response;
  result.is_private = is_private;
  result.needs_bytes = needs_bytes;
  result.shown_url = "https://hub.test/m/resolve/main/w.bin";
  return result;
}

// The resolver's verdict on bytes that matched what was expected, to persist under persist_key.
coc::Step verdict(const std::string& persist_key = "") {
  coc::Step step;
  step.found = true;
  step.record.value = kHash;
  step.persist_key = persist_key;
  step.persist_body = persist_key.empty() ? "" : "{record}";
  return step;
}

coc::Step refuting(const std::string& drop_key) {
  coc::Step step;
  step.recheck = true;
  step.drop_key = drop_key;
  return step;
}

}  // namespace

TEST_CASE("a transfer starts by resolving and serves a stored entry without a download", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  CHECK(transfer.next().action == TransferAction::resolve);
  TransferStep step = transfer.resolved(true, kHash, 100);
  CHECK(step.action == TransferAction::read_storage);
  CHECK(step.hash == kHash);
  step = transfer.storage_answered(StorageAnswer::hit);
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::storage_file);
  CHECK(step.from_storage);
  CHECK_FALSE(step.stored);
  // Once done, the bytes are at hand: asking for them changes nothing.
  CHECK(transfer.need_bytes().bytes == BytesAt::storage_file);
}

TEST_CASE("a hash the app's integrity rules out is not looked for in storage: the bytes are fetched", "[transfer]") {
  Resolver resolver;
  const std::string url = "https://hub.test/m/resolve/main/w.bin";
  resolver.add_integrity(url, "sha256-ERERERERERERERERERERERERERERERERERERERERERE= sha256-IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=");
  Transfer fetched(request(StorageKind::cross_origin));
  CHECK(fetched.resolved(resolver, url, true, kHash, 100).action == TransferAction::download);
  Transfer lookup(request(StorageKind::cross_origin));
  CHECK(lookup.resolved(resolver, url, true, std::string(64, '1'), 100).action == TransferAction::read_storage);
}

TEST_CASE("addToCache asks storage for a handle only, and reads the entry when bytes are needed", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin, false, false, /*needs_bytes=*/false));
  TransferStep step = transfer.resolved(true, kHash, 100);
  CHECK(step.action == TransferAction::check_storage);
  step = transfer.storage_answered(StorageAnswer::hit);
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::stored);
  CHECK(step.from_storage);
  step = transfer.need_bytes();
  CHECK(step.action == TransferAction::read_back);
  CHECK(transfer.storage_answered(StorageAnswer::hit).bytes == BytesAt::storage_file);
}

TEST_CASE("a known hash streams straight into storage, shared, then is checked, persisted and done", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 100);
  TransferStep step = transfer.storage_answered(StorageAnswer::miss);
  CHECK(step.action == TransferAction::download);
  CHECK(step.no_store);
  step = transfer.downloaded(-1);
  CHECK(step.action == TransferAction::stream_into_storage);
  CHECK(step.hash == kHash);
  CHECK(step.size == 100);  // the record's size when the response gives none
  CHECK(step.shared);
  CHECK(step.resumable);
  CHECK(step.hash_known);
  CHECK(step.writes_in_flight > 1);
  CHECK(step.expected == kHash);
  step = transfer.streamed(verdict("key"), kHash, 100);
  CHECK(step.action == TransferAction::close_write);
  CHECK(step.hash == kHash);
  step = transfer.closed();
  CHECK(step.action == TransferAction::check_kept);
  step = transfer.kept(true);
  CHECK(step.action == TransferAction::persist);
  CHECK(step.persist_key == "key");
  CHECK(step.persist_body == "{record}");
  step = transfer.persisted();
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::stored);
  CHECK(step.stored);
  CHECK_FALSE(step.from_storage);
  step = transfer.need_bytes();
  CHECK(step.action == TransferAction::read_back);
  CHECK(step.hash == kHash);
}

TEST_CASE("private bytes are stored same-site only", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin, false, /*is_private=*/true));
  transfer.resolved(true, kHash, 100);
  transfer.storage_answered(StorageAnswer::miss);
  CHECK_FALSE(transfer.downloaded(100).shared);

  Transfer unknown(request(StorageKind::cross_origin, false, /*is_private=*/true));
  unknown.resolved(false, "", -1);
  unknown.downloaded(10);
  CHECK_FALSE(unknown.streamed(verdict(), kHash, 10).shared);
}

TEST_CASE("an unknown hash is spooled, then stored under the hash the bytes have", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  TransferStep step = transfer.resolved(false, "", -1);
  CHECK(step.action == TransferAction::download);
  CHECK(step.no_store);
  step = transfer.downloaded(10);
  CHECK(step.action == TransferAction::spool);
  CHECK(step.expected.empty());
  step = transfer.streamed(verdict("key"), kOther, 10);
  CHECK(step.action == TransferAction::write_spooled);
  CHECK(step.hash == kOther);
  CHECK(transfer.closed().action == TransferAction::check_kept);
  CHECK(transfer.kept(true).action == TransferAction::persist);
  step = transfer.persisted();
  CHECK(step.bytes == BytesAt::spooled);
  CHECK(step.stored);
  CHECK(step.hash == kOther);
}

TEST_CASE("without storage the bytes are spooled, kept in the HTTP cache and not persisted", "[transfer]") {
  Transfer transfer(request(StorageKind::none));
  TransferStep step = transfer.resolved(true, kHash, 10);
  CHECK(step.action == TransferAction::download);
  CHECK_FALSE(step.no_store);
  CHECK(transfer.downloaded(10).action == TransferAction::spool);
  step = transfer.streamed(verdict("key"), kHash, 10);
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::spooled);
  CHECK_FALSE(step.stored);
}

TEST_CASE("storage that refuses the origin is reported and not written to", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 10);
  TransferStep step = transfer.storage_answered(StorageAnswer::not_allowed);
  CHECK(step.action == TransferAction::download);
  CHECK(step.error_kind == coc::error_kind::cos_not_allowed);
  CHECK(step.error_message.empty());  // the storage's own error is reported as it is
  CHECK_FALSE(step.no_store);
  CHECK(transfer.downloaded(10).action == TransferAction::spool);

  Transfer failing(request(StorageKind::cross_origin));
  failing.resolved(true, kHash, 10);
  step = failing.storage_answered(StorageAnswer::error);
  CHECK(step.error_kind == coc::error_kind::cos_failed);
  CHECK(step.no_store);  // a failed read does not say a write fails
}

TEST_CASE("the fallback store is asked for room first: no room serves the bytes unstored", "[transfer]") {
  Transfer transfer(request(StorageKind::fallback));
  transfer.resolved(true, kHash, 10);
  transfer.storage_answered(StorageAnswer::miss);
  TransferStep step = transfer.downloaded(4096);
  CHECK(step.action == TransferAction::check_room);
  CHECK(step.size == 4096);
  step = transfer.room_answered(false, 1000, 900);
  CHECK(step.action == TransferAction::spool);
  CHECK(step.error_kind == coc::error_kind::cos_quota);
  CHECK(step.error_message == "not stored: 4096 bytes do not fit in the storage left (quota 1000, used 900)");
  step = transfer.streamed(verdict("key"), kHash, 4096);
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::spooled);
  CHECK_FALSE(step.stored);

  Transfer roomy(request(StorageKind::fallback));
  roomy.resolved(true, kHash, 10);
  roomy.storage_answered(StorageAnswer::miss);
  roomy.downloaded(4096);
  CHECK(roomy.room_answered(true, 1e9, 0).action == TransferAction::stream_into_storage);
  roomy.streamed(verdict(), kHash, 4096);
  // The fallback store reports its own failures: no check that the entry was kept.
  step = roomy.closed();
  CHECK(step.action == TransferAction::done);
  CHECK(step.stored);
}

// A storage estimate may be fractional: printed without printf (whose %f traps in the module).
TEST_CASE("no room with a fractional quota or usage names them as they are", "[transfer]") {
  Transfer transfer(request(StorageKind::fallback));
  transfer.resolved(true, kHash, 10);
  transfer.storage_answered(StorageAnswer::miss);
  transfer.downloaded(4096);
  TransferStep step = transfer.room_answered(false, 1000.5, 900.25);
  CHECK(step.error_kind == coc::error_kind::cos_quota);
  CHECK(step.error_message == "not stored: 4096 bytes do not fit in the storage left (quota 1000.5, used 900.25)");

  Transfer odd(request(StorageKind::fallback));
  odd.resolved(true, kHash, 10);
  odd.storage_answered(StorageAnswer::miss);
  odd.downloaded(4096);
  step = odd.room_answered(false, 1e300, -0.125);
  CHECK(step.error_message == "not stored: 4096 bytes do not fit in the storage left (quota 1e+300, used -0.125)");
}

TEST_CASE("a spooled file of unknown size is asked for room once its size is known", "[transfer]") {
  Transfer transfer(request(StorageKind::fallback));
  transfer.resolved(false, "", -1);
  CHECK(transfer.downloaded(-1).action == TransferAction::spool);
  TransferStep step = transfer.streamed(verdict(), kOther, 77);
  CHECK(step.action == TransferAction::check_room);
  CHECK(step.size == 77);
  step = transfer.room_answered(true, -1, -1);
  CHECK(step.action == TransferAction::write_spooled);
  CHECK(step.hash == kOther);
}

TEST_CASE("a failed write downloads the file again and hands it over unstored", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 10);
  transfer.storage_answered(StorageAnswer::miss);
  transfer.downloaded(10);
  TransferStep step = transfer.write_failed("QuotaExceededError", "write");
  CHECK(step.action == TransferAction::download);
  CHECK(step.error_kind == coc::error_kind::cos_quota);
  CHECK_FALSE(step.no_store);
  step = transfer.downloaded(10);
  CHECK(step.action == TransferAction::spool);
  CHECK(step.expected == kHash);  // the download again is judged by the same hash
  CHECK(transfer.streamed(verdict(), kHash, 10).bytes == BytesAt::spooled);
}

TEST_CASE("a failed close is handled as a failed write: a hash mismatch at close fails the load", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 10);
  transfer.storage_answered(StorageAnswer::miss);
  transfer.downloaded(10);
  transfer.streamed(verdict(), kHash, 10);
  TransferStep step = transfer.write_failed("DataError", "close");
  CHECK(step.action == TransferAction::fail);
  CHECK(step.error_kind == coc::error_kind::cos_hash_mismatch);
  CHECK(step.fail_message == "storage rejected the bytes of https://hub.test/m/resolve/main/w.bin as not matching " + kHash);
}

TEST_CASE("a failed write of a caller's own response is reported, not fetched again", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin, /*own_response=*/true));
  TransferStep step = transfer.resolved(true, kHash, 10);
  CHECK(step.action == TransferAction::download);  // storage is not read for a put
  step = transfer.downloaded(10);
  CHECK(step.action == TransferAction::stream_into_storage);
  CHECK_FALSE(step.resumable);
  step = transfer.write_failed("UnknownError", "write");
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::none);
  CHECK(transfer.need_bytes().action == TransferAction::fail);
}

TEST_CASE("a spooled write that fails serves the bytes from memory", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(false, "", -1);
  transfer.downloaded(10);
  transfer.streamed(verdict(), kOther, 10);
  TransferStep step = transfer.write_failed("UnknownError", "write");
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::spooled);
  CHECK_FALSE(step.stored);
}

TEST_CASE("storage that closes cleanly and keeps nothing is reported: the bytes come again when needed", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 10);
  transfer.storage_answered(StorageAnswer::miss);
  transfer.downloaded(10);
  transfer.streamed(verdict("key"), kHash, 10);
  transfer.closed();
  TransferStep step = transfer.kept(false);
  CHECK(step.action == TransferAction::done);  // not persisted: a reload would find nothing by it
  CHECK(step.bytes == BytesAt::none);
  CHECK_FALSE(step.stored);
  CHECK(step.error_kind == coc::error_kind::cos_quota);
  step = transfer.need_bytes();
  CHECK(step.action == TransferAction::download);
  CHECK_FALSE(step.no_store);
  CHECK(transfer.downloaded(10).action == TransferAction::spool);
}

TEST_CASE("a stored entry gone at read-back is reported and downloaded again", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 10);
  transfer.storage_answered(StorageAnswer::miss);
  transfer.downloaded(10);
  transfer.streamed(verdict(), kHash, 10);
  transfer.closed();
  transfer.kept(true);
  CHECK(transfer.need_bytes().action == TransferAction::read_back);
  TransferStep step = transfer.storage_answered(StorageAnswer::miss);
  CHECK(step.action == TransferAction::download);
  CHECK(step.error_kind == coc::error_kind::cos_failed);
  CHECK(step.error_message == "entry " + kHash + " missing from storage");
}

TEST_CASE("bytes that refute a cached record abandon the write, drop it and run the load once more", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 10);
  transfer.storage_answered(StorageAnswer::miss);
  transfer.downloaded(10);
  TransferStep step = transfer.streamed(refuting("stored-key"), kOther, 10);
  CHECK(step.action == TransferAction::abandon_write);
  step = transfer.abandoned();
  CHECK(step.action == TransferAction::drop_refuted);
  CHECK(step.drop_key == "stored-key");
  CHECK(transfer.dropped().action == TransferAction::resolve);
  // The second run: the hub answers afresh; a second refutation fails the load.
  transfer.resolved(true, kOther, 10);
  transfer.storage_answered(StorageAnswer::miss);
  transfer.downloaded(10);
  transfer.streamed(refuting(""), kHash, 10);
  step = transfer.abandoned();
  CHECK(step.action == TransferAction::fail);
  CHECK(step.fail_message.find("refuted its stored hash") != std::string::npos);
}

TEST_CASE("a caller's own response that refutes a record fails once the record is dropped", "[transfer]") {
  Transfer transfer(request(StorageKind::none, /*own_response=*/true));
  transfer.resolved(true, kHash, 10);
  transfer.downloaded(10);
  TransferStep step = transfer.streamed(refuting("k"), kOther, 10);
  CHECK(step.action == TransferAction::drop_refuted);
  step = transfer.dropped();
  CHECK(step.action == TransferAction::fail);
  CHECK(step.fail_message == "the bytes of https://hub.test/m/resolve/main/w.bin refuted its stored hash, which is "
                             "forgotten: the next load asks again");
}

TEST_CASE("refused bytes fail the load with the resolver's reason, reported once", "[transfer]") {
  coc::Step refused;
  refused.refused = true;
  refused.error_kind = std::string(coc::error_kind::integrity_mismatch);
  refused.error_message = "bytes do not match";
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 10);
  transfer.storage_answered(StorageAnswer::miss);
  transfer.downloaded(10);
  TransferStep step = transfer.streamed(refused, kOther, 10);
  CHECK(step.action == TransferAction::abandon_write);
  CHECK(step.error_kind == coc::error_kind::integrity_mismatch);
  step = transfer.abandoned();
  CHECK(step.action == TransferAction::fail);
  CHECK(step.error_kind.empty());
  CHECK(step.fail_message == "bytes do not match");
}

TEST_CASE("a body that cannot be read fails the load with the shim's own error", "[transfer]") {
  Transfer transfer(request(StorageKind::none));
  transfer.resolved(false, "", -1);
  transfer.downloaded(-1);
  TransferStep step = transfer.stream_failed();
  CHECK(step.action == TransferAction::fail);
  CHECK(step.fail_message.empty());
}

TEST_CASE("a result for another action than the one asked for is refused and changes nothing", "[transfer]") {
  Transfer transfer(request(StorageKind::cross_origin));
  CHECK_THROWS_AS(transfer.downloaded(10), std::logic_error);
  CHECK_THROWS_WITH(transfer.closed(), "transfer: closed after resolve");
  CHECK(transfer.next().action == TransferAction::resolve);
  CHECK_THROWS_AS(transfer.resolved(true, "", 10), std::invalid_argument);
  CHECK_THROWS_AS(transfer.resolved(true, "ABC", 10), std::invalid_argument);
  transfer.resolved(true, kHash, 10);
  CHECK_THROWS_AS(transfer.need_bytes(), std::logic_error);
  CHECK(transfer.next().action == TransferAction::read_storage);
}

TEST_CASE("the bytes of a finished load are read back, or downloaded again, by a transfer of their own", "[transfer]") {
  Transfer stored = Transfer::for_bytes(request(StorageKind::cross_origin), BytesAt::stored, kHash, 10);
  CHECK(stored.next().action == TransferAction::read_back);
  CHECK(stored.next().hash == kHash);
  CHECK(stored.storage_answered(StorageAnswer::hit).bytes == BytesAt::storage_file);

  Transfer lost = Transfer::for_bytes(request(StorageKind::cross_origin), BytesAt::none, kHash, 10);
  TransferStep step = lost.next();
  CHECK(step.action == TransferAction::download);
  CHECK_FALSE(step.no_store);
  step = lost.downloaded(-1);
  CHECK(step.action == TransferAction::spool);
  CHECK(step.expected == kHash);
  CHECK(step.size == 10);
  // A refutation now fails: the load itself is over and is not run again.
  step = lost.streamed(refuting(""), kOther, 10);
  CHECK(step.action == TransferAction::fail);
}

TEST_CASE("a hash learned from the bytes is said so", "[transfer]") {
  coc::Step learned = verdict();
  learned.hit = "content";
  Transfer transfer(request(StorageKind::none));
  transfer.resolved(false, "", -1);
  transfer.downloaded(-1);
  CHECK(transfer.streamed(learned, kOther, 3).hash_from_content);
  Transfer known(request(StorageKind::none));
  known.resolved(true, kHash, 3);
  known.downloaded(-1);
  CHECK_FALSE(known.streamed(verdict(), kHash, 3).hash_from_content);
}

TEST_CASE("a storage-only lookup never downloads: a miss is done with no bytes", "[transfer]") {
  TransferRequest only = request(StorageKind::cross_origin);
  only.storage_only = true;
  Transfer unknown(only);
  TransferStep step = unknown.resolved(false, "", -1);
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::none);

  Transfer missing(only);
  CHECK(missing.resolved(true, kHash, 1).action == TransferAction::read_storage);
  step = missing.storage_answered(StorageAnswer::miss);
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::none);
  CHECK(step.error_kind.empty());

  Transfer refused(only);
  refused.resolved(true, kHash, 1);
  step = refused.storage_answered(StorageAnswer::not_allowed);
  CHECK(step.action == TransferAction::done);
  CHECK(step.error_kind == coc::error_kind::cos_not_allowed);

  Transfer found(only);
  found.resolved(true, kHash, 1);
  CHECK(found.storage_answered(StorageAnswer::hit).bytes == BytesAt::storage_file);

  only.own_response = true;
  CHECK_THROWS_AS(Transfer(only), std::invalid_argument);
}

TEST_CASE("bytes judged through the resolver: it learns their hash, and out of turn it learns nothing", "[transfer]") {
  Resolver resolver;
  const std::string url = "https://cdn.example/lib/model.wasm";
  coc::Content content;
  content.sha256 = kOther;
  content.size = 3;
  Transfer early(request(StorageKind::none));
  CHECK_THROWS_AS(early.streamed(resolver, url, content, 1000), std::logic_error);
  CHECK(resolver.references(kOther) == 0);

  Transfer transfer(request(StorageKind::none));
  transfer.resolved(false, "", -1);
  transfer.downloaded(3);
  const TransferStep step = transfer.streamed(resolver, url, content, 1000);
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::spooled);
  CHECK(step.hash_from_content);
  CHECK(resolver.references(kOther) == 1);
}

namespace {

const std::int64_t kSegment = coc::kPacedSegmentBytes;
const std::int64_t kLarge = 3 * kSegment + 5;

TransferRequest unpaced_fetch(StorageKind storage = StorageKind::cross_origin) {
  TransferRequest result = request(storage);
  result.paced_downloads = true;
  return result;
}

std::string first_answer(std::int64_t total) {
  return "bytes 0-" + std::to_string(kSegment - 1) + "/" + std::to_string(total);
}

}  // namespace

TEST_CASE("where fetch bodies lack backpressure, a large file with a known hash is paced by storage", "[transfer][paced]") {
  Transfer transfer(unpaced_fetch());
  transfer.resolved(true, kHash, kLarge);
  TransferStep step = transfer.storage_answered(StorageAnswer::miss);
  CHECK(step.action == TransferAction::download);
  CHECK(step.range == coc::first_segment_range());
  CHECK(step.no_store);
  step = transfer.downloaded(kSegment, 206, first_answer(kLarge));
  CHECK(step.action == TransferAction::stream_into_storage);
  CHECK(step.segment_bytes == kSegment);
  CHECK(step.size == kLarge);  // the file's length, not the segment's
  CHECK(step.hash_known);
  CHECK(step.resumable);
  CHECK(transfer.streamed(verdict(), kHash, kLarge).action == TransferAction::close_write);
}

TEST_CASE("a server that ignores the first range sends the whole file: streamed unpaced", "[transfer][paced]") {
  Transfer transfer(unpaced_fetch());
  transfer.resolved(true, kHash, kLarge);
  transfer.storage_answered(StorageAnswer::miss);
  const TransferStep step = transfer.downloaded(kLarge, 200, "");
  CHECK(step.action == TransferAction::stream_into_storage);
  CHECK(step.segment_bytes == 0);
  CHECK(step.size == kLarge);
}

TEST_CASE("a first answer that is not the first segment fails the load before anything is written", "[transfer][paced]") {
  for (const std::string& content_range :
       {std::string("bytes 5-") + std::to_string(kSegment + 4) + "/" + std::to_string(kLarge), std::string("nonsense"),
        first_answer(kLarge).substr(0, first_answer(kLarge).find('/')) + "/*"}) {
    INFO(content_range);
    Transfer transfer(unpaced_fetch());
    transfer.resolved(true, kHash, kLarge);
    transfer.storage_answered(StorageAnswer::miss);
    const TransferStep step = transfer.downloaded(kSegment, 206, content_range);
    CHECK(step.action == TransferAction::fail);
    CHECK(step.fail_message.find("cannot start a paced download") != std::string::npos);
  }
}

TEST_CASE("pacing is off for small files, unknown hashes or sizes, no storage, a caller's own response, or a paced browser", "[transfer][paced]") {
  const auto download_range = [](TransferRequest req, bool found, std::int64_t size) {
    Transfer transfer(std::move(req));
    TransferStep step = transfer.resolved(found, found ? kHash : "", size);
    if (step.action == TransferAction::read_storage) step = transfer.storage_answered(StorageAnswer::miss);
    REQUIRE(step.action == TransferAction::download);
    return step.range;
  };
  CHECK_FALSE(download_range(unpaced_fetch(), true, kLarge).empty());
  CHECK(download_range(request(StorageKind::cross_origin), true, kLarge).empty());  // back-pressured bodies
  CHECK(download_range(unpaced_fetch(), true, kSegment).empty());                   // one segment at most
  CHECK(download_range(unpaced_fetch(), true, -1).empty());
  CHECK(download_range(unpaced_fetch(), false, -1).empty());                        // spooled: nothing to pace
  CHECK(download_range(unpaced_fetch(StorageKind::none), true, kLarge).empty());
  TransferRequest own = unpaced_fetch();
  own.own_response = true;
  CHECK(download_range(own, true, kLarge).empty());
  // Not paced, a 206 means nothing to the transfer: the length is the response's.
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, kLarge);
  transfer.storage_answered(StorageAnswer::miss);
  const TransferStep step = transfer.downloaded(kLarge, 200, "");
  CHECK(step.segment_bytes == 0);
}

TEST_CASE("a paced download that cannot be stored is asked for again whole, unpaced", "[transfer][paced]") {
  Transfer transfer(unpaced_fetch(StorageKind::fallback));
  transfer.resolved(true, kHash, kLarge);
  transfer.storage_answered(StorageAnswer::miss);
  TransferStep step = transfer.downloaded(kSegment, 206, first_answer(kLarge));
  CHECK(step.action == TransferAction::check_room);
  CHECK(step.size == kLarge);
  // The response holds one segment only: no spooling of it as if it were the file.
  step = transfer.room_answered(false, 1000, 900);
  CHECK(step.action == TransferAction::download);
  CHECK(step.range.empty());
  CHECK(step.error_kind == coc::error_kind::cos_quota);
  step = transfer.downloaded(kLarge, 200, "");
  CHECK(step.action == TransferAction::spool);
  CHECK(step.segment_bytes == 0);

  Transfer failed(unpaced_fetch());
  failed.resolved(true, kHash, kLarge);
  failed.storage_answered(StorageAnswer::miss);
  failed.downloaded(kSegment, 206, first_answer(kLarge));
  step = failed.write_failed("QuotaExceededError", "write");
  CHECK(step.action == TransferAction::download);
  CHECK(step.range.empty());
}

namespace {

TransferRequest whole_capable() {
  TransferRequest result = request(StorageKind::fallback);
  result.native_digest = true;
  result.resume_attempts = 3;
  return result;
}

// A fallback load of `length` bytes with a known hash, up to its body step.
TransferStep to_body(Transfer& transfer, std::int64_t length) {
  transfer.resolved(true, kHash, length);
  transfer.storage_answered(StorageAnswer::miss);
  const TransferStep step = transfer.downloaded(length);
  REQUIRE(step.action == TransferAction::check_room);
  return transfer.room_answered(true, 1e12, 0);
}

}  // namespace

TEST_CASE("a shard-sized body for the fallback store is read whole, digested natively and written in one piece",
          "[transfer][whole]") {
  Transfer transfer(whole_capable());
  TransferStep step = to_body(transfer, coc::kWholeBodyMaxBytes);
  CHECK(step.action == TransferAction::spool);
  CHECK(step.whole);
  CHECK(step.hash == kHash);
  CHECK(step.hash_known);
  CHECK(step.expected == kHash);
  CHECK(step.resumable);
  CHECK(step.size == coc::kWholeBodyMaxBytes);
  // The room was asked for before the body: not asked again.
  step = transfer.streamed(verdict("key"), kHash, coc::kWholeBodyMaxBytes);
  CHECK(step.action == TransferAction::write_spooled);
  CHECK(step.hash == kHash);
  CHECK(step.shared);
  CHECK(transfer.closed().action == TransferAction::persist);
  step = transfer.persisted();
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::spooled);
  CHECK(step.stored);
}

TEST_CASE("a whole read is only for the fallback store, a known hash and length, shard size, native digests",
          "[transfer][whole]") {
  Transfer larger(whole_capable());
  TransferStep step = to_body(larger, coc::kWholeBodyMaxBytes + 1);
  CHECK(step.action == TransferAction::stream_into_storage);
  CHECK_FALSE(step.whole);

  TransferRequest no_digest = whole_capable();
  no_digest.native_digest = false;
  Transfer plain(no_digest);
  CHECK(to_body(plain, 1024).action == TransferAction::stream_into_storage);

  // No Content-Length: the record's size is not the body's own, so it streams.
  Transfer unsized(whole_capable());
  unsized.resolved(true, kHash, 1024);
  unsized.storage_answered(StorageAnswer::miss);
  step = unsized.downloaded(-1);
  REQUIRE(step.action == TransferAction::check_room);
  CHECK(unsized.room_answered(true, 1e12, 0).action == TransferAction::stream_into_storage);

  // An unknown hash: the body is held in memory anyway, so it is read whole too (hashed natively,
  // then stored under the hash it has); without native digests it is spooled chunk by chunk.
  for (const bool native : {true, false}) {
    TransferRequest unknown_request = whole_capable();
    unknown_request.native_digest = native;
    Transfer unknown(unknown_request);
    unknown.resolved(false, "", -1);
    step = unknown.downloaded(1024);
    REQUIRE(step.action == TransferAction::check_room);
    step = unknown.room_answered(true, 1e12, 0);
    CHECK(step.action == TransferAction::spool);
    CHECK(step.whole == native);
    CHECK_FALSE(step.hash_known);
    CHECK(step.expected.empty());
  }

  // A known hash with COS streams straight into it, flat memory; an unknown one is spooled whole.
  TransferRequest cos = whole_capable();
  cos.storage = StorageKind::cross_origin;
  Transfer to_cos(cos);
  to_cos.resolved(true, kHash, 1024);
  to_cos.storage_answered(StorageAnswer::miss);
  step = to_cos.downloaded(1024);
  CHECK(step.action == TransferAction::stream_into_storage);
  CHECK_FALSE(step.whole);
  Transfer unknown_to_cos(cos);
  unknown_to_cos.resolved(false, "", -1);
  step = unknown_to_cos.downloaded(1024);
  CHECK(step.action == TransferAction::spool);
  CHECK(step.whole);
  step = unknown_to_cos.streamed(verdict("key"), kHash, 1024);
  CHECK(step.action == TransferAction::write_spooled);
  CHECK(step.hash == kHash);
}

TEST_CASE("a whole read is for links faster than the page hashes: a slow recent rate streams the body",
          "[transfer][whole]") {
  // Unknown (nothing measured yet, or NaN from the shim): read whole.
  for (const double rate : {-1.0, std::nan("")}) {
    TransferRequest unknown = whole_capable();
    unknown.body_rate = rate;
    Transfer transfer(unknown);
    CHECK(to_body(transfer, 4096).whole);
  }
  TransferRequest fast = whole_capable();
  fast.body_rate = coc::kWholeBodyMinBytesPerSecond;
  Transfer at_threshold(fast);
  CHECK(to_body(at_threshold, 4096).whole);

  TransferRequest slow = whole_capable();
  slow.body_rate = coc::kWholeBodyMinBytesPerSecond - 1;
  Transfer streamed(slow);
  const TransferStep step = to_body(streamed, 4096);
  CHECK(step.action == TransferAction::stream_into_storage);
  CHECK_FALSE(step.whole);
  CHECK(step.hash == kHash);
}

TEST_CASE("a whole read that breaks off is asked for once more, streamed: a caller's own response is not",
          "[transfer][whole]") {
  Transfer transfer(whole_capable());
  REQUIRE(to_body(transfer, 4096).whole);
  TransferStep step = transfer.stream_failed();
  CHECK(step.action == TransferAction::download);
  CHECK(step.error_kind == coc::error_kind::download_resumed);
  CHECK(step.error_message == "the body of https://hub.test/m/resolve/main/w.bin broke off; it is asked for again, streamed");
  CHECK(transfer.downloaded(4096).action == TransferAction::check_room);
  step = transfer.room_answered(true, 1e12, 0);
  CHECK(step.action == TransferAction::stream_into_storage);
  CHECK(step.resumable);
  CHECK(transfer.stream_failed().action == TransferAction::fail);

  TransferRequest own = whole_capable();
  own.own_response = true;
  Transfer put(own);
  put.resolved(true, kHash, 4096);
  REQUIRE(put.downloaded(4096).action == TransferAction::check_room);
  step = put.room_answered(true, 1e12, 0);
  REQUIRE(step.whole);
  CHECK_FALSE(step.resumable);
  CHECK(put.stream_failed().action == TransferAction::fail);

  // Resuming is off (resumeAttempts 0): a whole read that broke off fails the load.
  TransferRequest no_resume = whole_capable();
  no_resume.resume_attempts = 0;
  Transfer once(no_resume);
  REQUIRE(to_body(once, 4096).whole);
  step = once.stream_failed();
  CHECK(step.action == TransferAction::fail);
  CHECK(step.fail_message == "the body of https://hub.test/m/resolve/main/w.bin broke off (not resumed: resuming is off)");

  // Bytes whose hash is not known beforehand are not asked for again, as a streamed body's.
  Transfer unknown(whole_capable());
  unknown.resolved(false, "", -1);
  REQUIRE(unknown.downloaded(4096).action == TransferAction::check_room);
  REQUIRE(unknown.room_answered(true, 1e12, 0).whole);
  step = unknown.stream_failed();
  CHECK(step.action == TransferAction::fail);
  CHECK(step.fail_message.find("not resumed: its hash is not known beforehand") != std::string::npos);
}

TEST_CASE("whole bytes that refute a record are not written, and the load runs again", "[transfer][whole]") {
  Transfer transfer(whole_capable());
  REQUIRE(to_body(transfer, 4096).whole);
  TransferStep step = transfer.streamed(refuting("tvmjs|key"), kOther, 4096);
  CHECK(step.action == TransferAction::drop_refuted);
  CHECK(transfer.dropped().action == TransferAction::resolve);
}

TEST_CASE("whole bytes that a digest the app gave refutes fail the load, not asked for again", "[transfer][whole]") {
  Transfer transfer(whole_capable());
  REQUIRE(to_body(transfer, 4096).whole);
  TransferStep step = transfer.stream_failed(true);
  CHECK(step.action == TransferAction::fail);
  CHECK(step.error_kind.empty());
}

TEST_CASE("a body is read no further than one byte past the size recorded with its hash", "[transfer][overrun]") {
  // Known hash and size: the limit is the record's size, into storage or into memory.
  for (const StorageKind storage : {StorageKind::cross_origin, StorageKind::none}) {
    Transfer transfer(request(storage));
    transfer.resolved(true, kHash, 100);
    if (storage != StorageKind::none) transfer.storage_answered(StorageAnswer::miss);
    const TransferStep step = transfer.downloaded(-1);
    CHECK((step.action == TransferAction::stream_into_storage || step.action == TransferAction::spool));
    CHECK(step.body_limit == 100);
  }
  // No record, or a record without a size (a hint may give none): no limit.
  Transfer unknown(request(StorageKind::none));
  unknown.resolved(false, "", -1);
  CHECK(unknown.downloaded(100).body_limit == -1);
  Transfer unsized(request(StorageKind::none));
  unsized.resolved(true, kHash, -1);
  CHECK(unsized.downloaded(100).body_limit == -1);
}

TEST_CASE("a body whose length differs from the recorded size streams, so its read can stop at the limit",
          "[transfer][overrun][whole]") {
  // An encoded body's Content-Length is not the file's size: read whole, it could grow unbounded.
  Transfer transfer(whole_capable());
  transfer.resolved(true, kHash, 1024);
  transfer.storage_answered(StorageAnswer::miss);
  REQUIRE(transfer.downloaded(512).action == TransferAction::check_room);
  TransferStep step = transfer.room_answered(true, 1e12, 0);
  CHECK(step.action == TransferAction::stream_into_storage);
  CHECK_FALSE(step.whole);
  CHECK(step.body_limit == 1024);
  // The same length as recorded: read whole, as before.
  Transfer same(whole_capable());
  step = to_body(same, 1024);
  CHECK(step.whole);
  CHECK(step.body_limit == 1024);
}

TEST_CASE("bytes past the limit, judged through the resolver: refused and not written, whatever their hash",
          "[transfer][overrun]") {
  Resolver resolver;
  const std::string url = "https://hub.test/m/resolve/main/w.bin";
  resolver.add_hint(url, kHash, 100);
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 100);
  transfer.storage_answered(StorageAnswer::miss);
  REQUIRE(transfer.downloaded(-1).body_limit == 100);
  const auto references = resolver.references(kHash);  // the hint's
  coc::Content content;
  content.sha256 = kHash;  // the shim need not read the rest to hash it
  content.size = 101;
  content.expected = kHash;
  TransferStep step = transfer.streamed(resolver, url, content, 1000);
  CHECK(step.action == TransferAction::abandon_write);
  CHECK(step.error_kind == coc::error_kind::cos_hash_mismatch);
  step = transfer.abandoned();
  CHECK(step.action == TransferAction::fail);
  CHECK(step.fail_message.find("runs past the 100 bytes recorded with " + kHash) != std::string::npos);
  CHECK(resolver.references(kHash) == references);  // nothing learned from them
}

TEST_CASE("a stored entry whose size is not the record's refutes the record: a cached one is dropped, a verdict fails",
          "[transfer][stored-size]") {
  const std::string url = "https://hub.test/m/resolve/0123456789012345678901234567890123456789/w.bin";
  // A hint is the caller's verdict: the load fails, naming both sizes.
  Resolver resolver;
  resolver.add_hint(url, kHash, 100);
  Transfer verdict_transfer(request(StorageKind::cross_origin));
  verdict_transfer.resolved(true, kHash, 100);
  TransferStep step = verdict_transfer.storage_answered(resolver, url, StorageAnswer::hit, 60);
  CHECK(step.action == TransferAction::fail);
  CHECK(step.error_kind == coc::error_kind::cos_hash_mismatch);
  CHECK(step.fail_message == "storage holds " + kHash + " as 60 bytes, not the 100 recorded with it for " + url + " (hint)");

  // The same size, or a size not known (a handle only): served as before.
  Transfer same(request(StorageKind::cross_origin));
  same.resolved(true, kHash, 100);
  step = same.storage_answered(resolver, url, StorageAnswer::hit, 100);
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::storage_file);
  Transfer handle_only(request(StorageKind::cross_origin, false, false, /*needs_bytes=*/false));
  handle_only.resolved(true, kHash, 100);
  CHECK(handle_only.storage_answered(resolver, url, StorageAnswer::hit, -1).action == TransferAction::done);
}

TEST_CASE("a stored entry whose size refutes a persisted record: the record is dropped and the load runs again",
          "[transfer][stored-size]") {
  const std::string url = "https://hub.test/m/resolve/0123456789012345678901234567890123456789/w.bin";
  Resolver resolver;
  REQUIRE(resolver.begin(url, 1).action == coc::StepAction::read_persisted);
  coc::HashRecord record;
  record.value = kHash;
  record.size = 100;
  record.source = "batch";
  record.stored_at = 1;
  REQUIRE(resolver.after_persisted(url, true, coc::encode_record(record), 1).found);
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(true, kHash, 100);
  TransferStep step = transfer.storage_answered(resolver, url, StorageAnswer::hit, 60);
  CHECK(step.action == TransferAction::drop_refuted);
  CHECK(step.drop_key == url);
  CHECK(transfer.dropped().action == TransferAction::resolve);
  CHECK(resolver.references(kHash) == 0);  // forgotten
}

TEST_CASE("a stored entry that is not the git blob its record names refutes the record: the same blob is served",
          "[transfer][stored-blob]") {
  const std::string url = "https://hub.test/m/resolve/main/tokenizer.json";
  const std::string blob(40, '2');
  const std::string other_blob(40, '3');
  // A plain file's record, persisted with the blob id computed from its bytes (another tab's).
  auto persisted = [&](Resolver& resolver) {
    REQUIRE(resolver.begin(url, 1).action == coc::StepAction::read_persisted);
    coc::HashRecord record;
    record.value = kHash;
    record.size = 100;
    record.source = "content";
    record.blob = blob;
    record.stored_at = 1;
    REQUIRE(resolver.after_persisted(url, true, coc::encode_record(record), 1).found);
  };

  Resolver resolver;
  persisted(resolver);
  Transfer transfer(request(StorageKind::cross_origin));
  TransferStep step = transfer.resolved(resolver, url, true, kHash, 100);
  CHECK(step.action == TransferAction::read_storage);
  CHECK(step.git_blob_format == "sha1");
  // A record swapped to another stored file of the same size: that file's blob is another.
  step = transfer.storage_answered(resolver, url, StorageAnswer::hit, 100, other_blob);
  CHECK(step.action == TransferAction::drop_refuted);
  CHECK(step.drop_key == url);
  CHECK(transfer.dropped().action == TransferAction::resolve);
  CHECK(resolver.references(kHash) == 0);  // forgotten

  // The entry is the blob: served. A handle alone (nothing opened) asks for no blob id.
  Resolver same;
  persisted(same);
  Transfer served(request(StorageKind::cross_origin));
  CHECK(served.resolved(same, url, true, kHash, 100).git_blob_format == "sha1");
  step = served.storage_answered(same, url, StorageAnswer::hit, 100, blob);
  CHECK(step.action == TransferAction::done);
  CHECK(step.bytes == BytesAt::storage_file);
  Transfer handle_only(request(StorageKind::cross_origin, false, false, /*needs_bytes=*/false));
  CHECK(handle_only.resolved(same, url, true, kHash, 100).git_blob_format.empty());
  // The id asked for and not given is the shim's mistake, not a pass.
  Transfer forgetful(request(StorageKind::cross_origin));
  forgetful.resolved(same, url, true, kHash, 100);
  CHECK_THROWS_AS(forgetful.storage_answered(same, url, StorageAnswer::hit, 100, ""), std::invalid_argument);

  // A record of an LFS file names no blob: nothing to compute.
  Resolver lfs;
  lfs.add_hint(url, kHash, 100);
  Transfer hinted(request(StorageKind::cross_origin));
  CHECK(hinted.resolved(lfs, url, true, kHash, 100).git_blob_format.empty());
}

TEST_CASE("a content-encoded body is never read whole: its Content-Length counts encoded bytes, so it streams and stops",
          "[transfer][overrun][whole][encoded]") {
  // A few KiB of br and gzip, its Content-Length the recorded size, may decode to GiBs: read whole,
  // all of it would be decoded and held before its size could be judged.
  for (const char* encoding : {"br, gzip", "gzip", "br"}) {
    INFO(encoding);
    Transfer transfer(whole_capable());
    transfer.resolved(true, kHash, 4096);
    transfer.storage_answered(StorageAnswer::miss);
    REQUIRE(transfer.downloaded(4096, 200, "", encoding).action == TransferAction::check_room);
    const TransferStep step = transfer.room_answered(true, 1e12, 0);
    CHECK(step.action == TransferAction::stream_into_storage);
    CHECK_FALSE(step.whole);
    CHECK(step.body_limit == 4096);
    CHECK(step.size == 4096);  // the record's size, not the encoded length
  }
  // Identity is no coding: read whole as before.
  Transfer identity(whole_capable());
  identity.resolved(true, kHash, 4096);
  identity.storage_answered(StorageAnswer::miss);
  REQUIRE(identity.downloaded(4096, 200, "", "identity").action == TransferAction::check_room);
  CHECK(identity.room_answered(true, 1e12, 0).whole);

  // A body whose hash comes from it is held in memory, chunk by chunk, not read whole.
  TransferRequest cos = whole_capable();
  cos.storage = StorageKind::cross_origin;
  Transfer unknown(cos);
  unknown.resolved(false, "", -1);
  TransferStep step = unknown.downloaded(809, 200, "", "br");
  CHECK(step.action == TransferAction::spool);
  CHECK_FALSE(step.whole);
  CHECK(step.size == -1);  // what it decodes to is not known
}

namespace {

const std::string kPlainUrl = "https://hub.test/org/m/resolve/main/c.json";
const std::string kPlainBlob(40, '2');

// A resolver whose listing of the revision says c.json is a plain file of `size` bytes.
void list_plain(Resolver& resolver, std::int64_t size) {
  auto requests = resolver.plan_batch({kPlainUrl}, 0);
  REQUIRE(requests.size() == 1);
  const std::string listing = R"([{"type":"file","path":"c.json","size":)" + std::to_string(size) + R"(,"oid":")" +
                              kPlainBlob + R"("}])";
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing, "", "", 0).ok);
  REQUIRE_FALSE(resolver.after_batch(kPlainUrl, 0).found);
}

// The bytes of c.json as the shim read them: size bytes, hashing to kOther.
coc::Content plain_bytes(std::int64_t size) {
  coc::Content content;
  content.sha256 = kOther;
  content.size = size;
  return content;
}

}  // namespace

TEST_CASE("a file whose hash comes from its bytes is read no further than one byte past the size the hub named",
          "[transfer][overrun][named-size]") {
  Resolver resolver;
  list_plain(resolver, 8);
  for (const StorageKind storage : {StorageKind::cross_origin, StorageKind::fallback, StorageKind::none}) {
    INFO(static_cast<int>(storage));
    TransferRequest asked = request(storage);
    asked.native_digest = true;
    Transfer transfer(asked);
    REQUIRE(transfer.resolved(resolver, kPlainUrl, false, "", -1).action == TransferAction::download);
    TransferStep step = transfer.downloaded(-1);  // an endless body has no Content-Length
    if (step.action == TransferAction::check_room) {
      CHECK(step.size == 8);
      step = transfer.room_answered(true, 1e12, 0);
    }
    CHECK(step.action == TransferAction::spool);
    CHECK(step.body_limit == 8);
    CHECK_FALSE(step.whole);
  }
  // Read whole only when its length is the named size and it is not encoded.
  TransferRequest cos = whole_capable();
  cos.storage = StorageKind::cross_origin;
  Transfer as_named(cos);
  as_named.resolved(resolver, kPlainUrl, false, "", -1);
  CHECK(as_named.downloaded(8).whole);
  Transfer longer(cos);
  longer.resolved(resolver, kPlainUrl, false, "", -1);
  TransferStep step = longer.downloaded(4096);
  CHECK_FALSE(step.whole);
  CHECK(step.body_limit == 8);
  Transfer encoded(cos);
  encoded.resolved(resolver, kPlainUrl, false, "", -1);
  CHECK_FALSE(encoded.downloaded(8, 200, "", "br").whole);

  // No answer named a size (another host, or a file the hub was not asked about): no limit.
  Resolver unlisted;
  Transfer unsized(cos);
  unsized.resolved(unlisted, kPlainUrl, false, "", -1);
  CHECK(unsized.downloaded(-1).body_limit == -1);
}

TEST_CASE("bytes past the size the hub named run the load once more, with the hub asked again, then fail it",
          "[transfer][overrun][named-size]") {
  Resolver resolver;
  list_plain(resolver, 8);
  Transfer transfer(request(StorageKind::cross_origin));
  transfer.resolved(resolver, kPlainUrl, false, "", -1);
  REQUIRE(transfer.downloaded(-1).body_limit == 8);
  // The shim cut the body one byte past the limit; it needs no blob id of that part.
  CHECK(transfer.git_blob_format(resolver, kPlainUrl, plain_bytes(9), 1).empty());
  TransferStep step = transfer.streamed(resolver, kPlainUrl, plain_bytes(9), 1);
  // The listing may be older than the file: forgotten, and the load runs again.
  CHECK(step.action == TransferAction::resolve);
  CHECK(step.error_kind.empty());
  CHECK(resolver.hub_named_size(kPlainUrl) == -1);

  list_plain(resolver, 8);  // the hub says 8 bytes again
  step = transfer.resolved(resolver, kPlainUrl, false, "", -1);
  REQUIRE(transfer.downloaded(-1).body_limit == 8);
  step = transfer.streamed(resolver, kPlainUrl, plain_bytes(9), 2);
  CHECK(step.action == TransferAction::fail);
  CHECK(step.error_kind == coc::error_kind::cos_hash_mismatch);
  CHECK(step.fail_message == "content of " + kPlainUrl + " runs past the 8 bytes the listing named for it: cut off at 9 bytes");
  CHECK(resolver.references(kOther) == 0);  // nothing learned from them
}
