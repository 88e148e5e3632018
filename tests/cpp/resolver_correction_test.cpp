// A URL→hash record is a cache, never a verdict (issue 12, class 8): bytes that refute a persisted
// or imported record make the core forget it and ask the hub again; a hint, or what the hub said
// after a refutation, stays a verdict.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "hash_record.h"
#include "resolver.h"
#include "sha256.h"

using coc::Resolver;
using coc::Step;
using coc::StepAction;

namespace {

const std::string kHub = "https://hub.example";
const std::string kShard = kHub + "/org/model/resolve/main/shard_0.bin";
const std::string kOther = "https://cdn.example/lib/model.wasm";
const std::string kWrong(64, 'a');
const std::string kRight(64, 'b');

std::string listing(const std::string& shard_hash) {
  return R"([{"type":"file","path":"shard_0.bin","size":10,"oid":")" + std::string(40, '1') +
         R"(","lfs":{"oid":")" + shard_hash + R"(","size":10,"pointerSize":130}}])";
}

Step downloaded(Resolver& resolver, const std::string& url, const std::string& sha256, const std::string& expected) {
  coc::Content content;
  content.sha256 = sha256;
  content.size = 10;
  content.expected = expected;
  return resolver.record_content(url, content, 1);
}

// A persisted record for url says `value` (as an older version or tvmjs left it).
void persisted(Resolver& resolver, const std::string& url, const std::string& value) {
  REQUIRE(resolver.begin(url, 1).action == StepAction::read_persisted);
  coc::HashRecord record;
  record.value = value;
  record.source = "batch";
  record.stored_at = 1;
  Step step = resolver.after_persisted(url, true, coc::encode_record(record), 1);
  REQUIRE(step.found);
  REQUIRE(step.record.value == value);
}

}  // namespace

TEST_CASE("bytes that refute a persisted record: forgotten, the hub asked again, the correction reported", "[resolver][correction]") {
  Resolver resolver;
  persisted(resolver, kShard, kWrong);
  Step refuted = downloaded(resolver, kShard, kRight, kWrong);
  CHECK(refuted.recheck);
  CHECK_FALSE(refuted.refused);
  CHECK(refuted.error_kind.empty());  // nothing corrected yet
  CHECK(refuted.drop_key == kShard);  // the stores' entry to drop

  // Asked again: neither memory nor the stores, which hold the refuted hash, but the hub.
  Step again = resolver.begin(kShard, 2);
  REQUIRE(again.action == StepAction::fetch_batch);
  auto requests = resolver.plan_batch({kShard}, 2);
  REQUIRE(requests.size() == 1);
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing(kRight), "", "", 2).ok);
  Step corrected = resolver.after_batch(kShard, 2);
  REQUIRE(corrected.found);
  CHECK(corrected.record.value == kRight);
  CHECK(corrected.error_kind == "record-corrected");
  CHECK(corrected.error_message.find(kWrong) != std::string::npos);
  CHECK(corrected.error_message.find(kRight) != std::string::npos);
  // Reported once; the bytes now agree.
  CHECK(resolver.begin(kShard, 3).error_kind.empty());
  Step verified = downloaded(resolver, kShard, kRight, kRight);
  CHECK_FALSE(verified.refused);
  CHECK_FALSE(verified.recheck);
}

TEST_CASE("what the hub says after a refutation is a verdict: the same bytes again are refused", "[resolver][correction]") {
  Resolver resolver;
  persisted(resolver, kShard, kWrong);
  REQUIRE(downloaded(resolver, kShard, kRight, kWrong).recheck);
  auto requests = resolver.plan_batch({kShard}, 2);
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing(kWrong), "", "", 2).ok);
  Step same = resolver.after_batch(kShard, 2);
  CHECK(same.record.value == kWrong);
  CHECK(same.error_kind.empty());  // nothing was corrected
  Step refused = downloaded(resolver, kShard, kRight, kWrong);
  CHECK(refused.refused);
  CHECK_FALSE(refused.recheck);
  CHECK(refused.error_kind == "cos-hash-mismatch");
}

TEST_CASE("a hint refuted by the bytes is the caller's verdict: refused", "[resolver][correction]") {
  Resolver resolver;
  resolver.add_hint(kShard, kWrong, -1);
  Step refused = downloaded(resolver, kShard, kRight, kWrong);
  CHECK(refused.refused);
  CHECK_FALSE(refused.recheck);
}

TEST_CASE("another host's refuted record is corrected by the bytes themselves", "[resolver][correction]") {
  Resolver resolver;
  persisted(resolver, kOther, kWrong);
  REQUIRE(downloaded(resolver, kOther, kRight, kWrong).recheck);
  Step again = resolver.begin(kOther, 2);
  CHECK(again.action == StepAction::done);
  CHECK_FALSE(again.found);  // the content decides
  Step learned = downloaded(resolver, kOther, kRight, "");
  CHECK(learned.found);
  CHECK(learned.record.value == kRight);
  CHECK(learned.error_kind == "record-corrected");
  CHECK_FALSE(learned.persist_key.empty());
}

TEST_CASE("a record the hub gave in this session is a verdict: bytes that refute it are refused", "[resolver][correction]") {
  Resolver resolver;
  auto requests = resolver.plan_batch({kShard}, 1);
  REQUIRE(requests.size() == 1);
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing(kWrong), "", "", 1).ok);
  REQUIRE(resolver.after_batch(kShard, 1).record.value == kWrong);
  Step refused = downloaded(resolver, kShard, kRight, kWrong);
  CHECK(refused.refused);
  CHECK_FALSE(refused.recheck);
  CHECK(resolver.begin(kShard, 2).record.value == kWrong);  // the hub's answer stands
}

TEST_CASE("bytes that run past the size recorded with their hash are refused, whatever the part that came hashes to",
          "[resolver][correction][overrun]") {
  Resolver resolver;
  resolver.add_hint(kShard, kRight, 10);
  coc::Content content;
  content.sha256 = kRight;  // even the expected hash: 11 bytes cannot be a 10-byte file
  content.size = 11;
  content.expected = kRight;
  content.size_limit = 10;
  Step step = resolver.record_content(kShard, content, 1);
  CHECK(step.refused);
  CHECK(step.error_kind == "cos-hash-mismatch");
  CHECK(step.error_message == "content of " + kShard + " runs past the 10 bytes recorded with " + kRight +
                                  " (hint): cut off at 11 bytes");
  // At the limit the bytes are judged by their hash as ever.
  content.size = 10;
  CHECK_FALSE(resolver.record_content(kShard, content, 1).refused);
  // A limit with no hash is the size a hub answer named for a plain file (resolver_named_size_test).
}

TEST_CASE("bytes that run past a persisted record's size refute it: forgotten, the hub asked again",
          "[resolver][correction][overrun]") {
  // The file grew in a new commit of the branch, and the stored record still has the old size.
  Resolver resolver;
  persisted(resolver, kShard, kWrong);
  coc::Content content;
  content.sha256 = kRight;
  content.size = 11;
  content.expected = kWrong;
  content.size_limit = 10;
  Step refuted = resolver.record_content(kShard, content, 1);
  CHECK(refuted.recheck);
  CHECK_FALSE(refuted.refused);
  CHECK(refuted.drop_key == kShard);
  CHECK(resolver.begin(kShard, 2).action == StepAction::fetch_batch);
}

TEST_CASE("a persisted record that calls itself a hint is ignored as planted: hints are never written",
          "[resolver][correction]") {
  Resolver resolver;
  REQUIRE(resolver.begin(kShard, 1).action == StepAction::read_persisted);
  coc::HashRecord record;
  record.value = kWrong;
  record.source = "hint";
  record.stored_at = 1;
  const Step step = resolver.after_persisted(kShard, true, coc::encode_record(record), 1);
  CHECK_FALSE(step.found);
  CHECK(step.error_kind == "persisted-record-invalid");
  CHECK(step.error_message == "persisted record for " + kShard + " ignored: hints are never persisted");
  // Not learned: the next sources answer, and bytes that refute the wrong hash are no verdict's.
  CHECK(resolver.references(kWrong) == 0);
}

TEST_CASE("a plain file whose content reads as an LFS pointer: its bytes are that text, so the pointer's record goes",
          "[resolver][correction][pointer]") {
  const std::string text = "version https://git-lfs.github.com/spec/v1\noid sha256:" + kWrong + "\nsize 1234\n";
  const std::string text_hash = coc::sha256_hex(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  Resolver resolver;
  Step step = resolver.after_pointer(kShard, 200, text, "", 1);
  REQUIRE(step.found);
  REQUIRE(step.record.value == kWrong);
  coc::Content content;
  content.sha256 = text_hash;
  content.size = static_cast<std::int64_t>(text.size());
  content.expected = kWrong;
  content.size_limit = 1234;
  step = resolver.record_content(kShard, content, 2);
  CHECK(step.recheck);
  CHECK_FALSE(step.refused);
  CHECK(step.drop_key == kShard);
  CHECK(resolver.references(kWrong) == 0);
  // Asked again, the file is known to be plain: its hash comes from its content, the correction reported.
  step = resolver.begin(kShard, 3);
  CHECK(step.action == StepAction::done);
  CHECK_FALSE(step.found);
  content.expected = "";
  content.size_limit = -1;
  step = resolver.record_content(kShard, content, 4);
  CHECK(step.found);
  CHECK(step.record.value == text_hash);
  CHECK(step.error_kind == "record-corrected");

  // Any other bytes still refute the pointer's hash as a verdict of this session.
  Resolver other;
  other.after_pointer(kShard, 200, text, "", 1);
  content.sha256 = kRight;
  content.expected = kWrong;
  CHECK(other.record_content(kShard, content, 2).refused);
}

TEST_CASE("a hub answer the bytes of a newer commit refute: asked for again once, then a verdict", "[resolver][correction]") {
  const std::string c1(40, '1');
  const std::string c2(40, '2');
  Resolver resolver;
  auto requests = resolver.plan_batch({kShard}, 1);
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing(kWrong), c1, "", 1).ok);
  REQUIRE(resolver.after_batch(kShard, 1).record.value == kWrong);
  // The branch moved: the download is of c2, its bytes another file.
  coc::Content moved;
  moved.sha256 = kRight;
  moved.size = 10;
  moved.expected = kWrong;
  moved.repo_commit = c2;
  Step step = resolver.record_content(kShard, moved, 2);
  CHECK(step.recheck);
  CHECK_FALSE(step.refused);
  CHECK_FALSE(resolver.begin(kShard, 3).found);  // the record and its listing are forgotten
  // The fresh listing is of c2 and names the new bytes: learned, the correction reported.
  requests = resolver.plan_batch({kShard}, 3);
  REQUIRE(requests.size() == 1);
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing(kRight), c2, "", 3).ok);
  Step fresh = resolver.after_batch(kShard, 3);
  CHECK(fresh.record.value == kRight);
  CHECK(fresh.error_kind == "record-corrected");
  // Bytes of the same commit as the answer refute it as a verdict at once (a body changed on the way).
  Resolver same;
  requests = same.plan_batch({kShard}, 1);
  REQUIRE(same.apply_batch(requests[0].group, 200, listing(kWrong), c1, "", 1).ok);
  same.after_batch(kShard, 1);
  moved.repo_commit = c1;
  CHECK(same.record_content(kShard, moved, 2).refused);
}

TEST_CASE("a caller's put() of bytes that refute the hub's answer: refused, and the answer asked for again once", "[resolver][correction]") {
  const std::string c1(40, '1');
  Resolver resolver;
  auto requests = resolver.plan_batch({kShard}, 1);
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing(kWrong), c1, "", 1).ok);
  REQUIRE(resolver.after_batch(kShard, 1).record.value == kWrong);
  // Its X-Repo-Commit is the caller's word: it neither sets the answer aside nor keeps it.
  coc::Content put;
  put.sha256 = kRight;
  put.size = 10;
  put.expected = kWrong;
  put.from_caller = true;
  Step step = resolver.record_content(kShard, put, 2);
  CHECK(step.recheck);
  CHECK_FALSE(step.refused);
  CHECK_FALSE(resolver.begin(kShard, 3).found);  // the answer and its listing are forgotten
  // The hub says the same again: now a verdict over the caller's bytes.
  requests = resolver.plan_batch({kShard}, 3);
  REQUIRE(requests.size() == 1);
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing(kWrong), c1, "", 3).ok);
  REQUIRE(resolver.after_batch(kShard, 3).record.value == kWrong);
  CHECK(resolver.record_content(kShard, put, 4).refused);
}
