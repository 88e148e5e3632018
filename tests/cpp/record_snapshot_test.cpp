#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "record_snapshot.h"

namespace {

coc::HashRecord record(char digit, std::int64_t size, const std::string& source) {
  coc::HashRecord r;
  r.value = std::string(64, digit);
  r.size = size;
  r.source = source;
  r.stored_at = 1700000000000.0;
  return r;
}

}  // namespace

TEST_CASE("a snapshot reads back the records it was given, in order", "[record_snapshot]") {
  std::vector<coc::KeyedRecord> records = {
      {"https://hub.example/o/m/resolve/main/b.bin", record('b', 2, "batch")},
      {"https://hub.example/o/m/resolve/main/a.bin", record('a', 1, "content")},
      {"https://cdn.example/x.wasm", record('c', -1, "pointer")},
  };
  records[0].second.commit = std::string(40, 'f');
  records[1].second.blob = std::string(40, 'e');  // a plain file's git blob id, what revalidates it
  const std::string body = coc::encode_snapshot(records);
  CHECK(body.rfind(R"({"version":1,"records":[["https://hub.example/o/m/resolve/main/b.bin",{"algorithm":"SHA-256")", 0) == 0);
  const coc::SnapshotDecode decoded = coc::decode_snapshot(body);
  REQUIRE(decoded.ok);
  CHECK(decoded.skipped == 0);
  REQUIRE(decoded.records.size() == 3);
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(decoded.records[i].first == records[i].first);
    CHECK(decoded.records[i].second.value == records[i].second.value);
    CHECK(decoded.records[i].second.size == records[i].second.size);
    CHECK(decoded.records[i].second.source == records[i].second.source);
    CHECK(decoded.records[i].second.commit == records[i].second.commit);
    CHECK(decoded.records[i].second.blob == records[i].second.blob);
    CHECK(decoded.records[i].second.stored_at == records[i].second.stored_at);
  }
  CHECK(coc::decode_snapshot(coc::encode_snapshot({})).records.empty());
}

TEST_CASE("a snapshot that is not one is refused as a whole", "[record_snapshot]") {
  for (const char* body : {"", "[]", "null", "{\"version\":2,\"records\":[]}", "{\"records\":[]}",
                           "{\"version\":\"1\",\"records\":[]}", "{\"version\":1,\"records\":{}}",
                           "{\"version\":1,\"records\":[],\"version\":1}", "{\"version\":1,"}) {
    const coc::SnapshotDecode decoded = coc::decode_snapshot(body);
    CHECK_FALSE(decoded.ok);
    CHECK_FALSE(decoded.reason.empty());
    CHECK(decoded.records.empty());
  }
  const std::string huge(coc::kMaxSnapshotBytes + 1, ' ');
  CHECK(coc::decode_snapshot(huge).reason.find("limit") != std::string::npos);
}

TEST_CASE("bad entries are skipped and counted, good ones kept", "[record_snapshot]") {
  const std::string good = R"(["https://x.example/a",{"algorithm":"SHA-256","value":")" + std::string(64, 'a') + R"("}])";
  const std::string body = R"({"version":1,"records":[)" + good +
                           R"(,["https://x.example/b",{"algorithm":"SHA-256","value":"ABC"}],)"
                           R"(["only a key"],7,[1,{}],)" + good + "]}";
  const coc::SnapshotDecode decoded = coc::decode_snapshot(body);
  REQUIRE(decoded.ok);
  CHECK(decoded.records.size() == 2);
  CHECK(decoded.skipped == 4);
  CHECK(decoded.first_skip_reason.find("entry 1: \"https://x.example/b\"") == 0);
}

TEST_CASE("tombstones read back, and bad ones are skipped", "[record_snapshot]") {
  const std::string body = coc::encode_snapshot({}, {{"https://x.example/a", 1234}, {"https://x.example/b", 5}});
  CHECK(body == R"({"version":1,"records":[],"deleted":[["https://x.example/a",1234],["https://x.example/b",5]]})");
  const coc::SnapshotDecode decoded = coc::decode_snapshot(body);
  REQUIRE(decoded.ok);
  CHECK(decoded.deleted == std::vector<coc::Tombstone>{{"https://x.example/a", 1234}, {"https://x.example/b", 5}});
  CHECK(coc::encode_snapshot({}) == R"({"version":1,"records":[]})");

  const coc::SnapshotDecode bad = coc::decode_snapshot(
      R"({"version":1,"records":[],"deleted":[["https://x.example/a",-1],[1,2],["https://x.example/c"],["https://x.example/d",7]]})");
  REQUIRE(bad.ok);
  CHECK(bad.skipped == 3);
  CHECK(bad.deleted == std::vector<coc::Tombstone>{{"https://x.example/d", 7}});
  const coc::SnapshotDecode not_array = coc::decode_snapshot(R"({"version":1,"records":[],"deleted":{}})");
  CHECK(not_array.ok);
  CHECK(not_array.skipped == 1);
}

TEST_CASE("a snapshot keeps at most max_records records: the rest is read, not kept", "[record_snapshot]") {
  std::vector<coc::KeyedRecord> records;
  for (int i = 0; i < 50; ++i) {
    records.emplace_back("https://x.example/" + std::to_string(i), record('a', i, "batch"));
  }
  const coc::SnapshotDecode decoded = coc::decode_snapshot(coc::encode_snapshot(records, {{"https://x.example/d", 1}}), 10);
  REQUIRE(decoded.ok);
  REQUIRE(decoded.records.size() == 10);
  CHECK(decoded.records.back().first == "https://x.example/9");
  CHECK(decoded.skipped == 0);
  CHECK(decoded.deleted.size() == 1);
}

TEST_CASE("junk in a snapshot is skipped unbuilt: an entry that is a huge array, an unknown key", "[record_snapshot]") {
  std::string zeros = "[";
  for (int i = 0; i < 100000; ++i) zeros += i > 0 ? ",0" : "0";
  zeros += "]";
  const std::string good = R"(["https://x.example/a",{"algorithm":"SHA-256","value":")" + std::string(64, 'a') +
                           R"(","future":)" + zeros + "}]";
  const std::string body = R"({"junk":)" + zeros + R"(,"version":1,"records":[)" + zeros + "," + good + "]}";
  const coc::SnapshotDecode decoded = coc::decode_snapshot(body);
  REQUIRE(decoded.ok);
  CHECK(decoded.records.size() == 1);
  CHECK(decoded.skipped == 1);
  CHECK(decoded.first_skip_reason == "entry 0: is not a [key, record] pair");
  // A pair with a third item is no pair, however big the rest.
  const coc::SnapshotDecode three = coc::decode_snapshot(
      R"({"version":1,"records":[["https://x.example/a",{"algorithm":"SHA-256","value":")" + std::string(64, 'a') +
      R"("},)" + zeros + "]]}");
  REQUIRE(three.ok);
  CHECK(three.records.empty());
  CHECK(three.skipped == 1);
}

TEST_CASE("a snapshot that is not an object is refused at once, the rest unread", "[record_snapshot]") {
  const coc::SnapshotDecode decoded = coc::decode_snapshot("[[[[ never read");
  CHECK_FALSE(decoded.ok);
  CHECK(decoded.reason == "snapshot is a JSON array, not an object");
}
