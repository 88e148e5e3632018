#include "hash_record.h"

#include <catch2/catch.hpp>

#include <cctype>
#include <limits>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

const std::string kHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

std::string tvmjs_body(const std::string& value) {
  return R"({"algorithm":"SHA-256","value":")" + value + R"("})";
}

// A valid record body with one field's JSON text swapped in (or added).
std::string with_field(const std::string& field_json) {
  return R"({"algorithm":"SHA-256","value":")" + kHex + R"(",)" + field_json + "}";
}

std::string random_hex(std::mt19937_64& rng, std::size_t digits) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < digits; ++i) out += kDigits[rng() % 16];
  return out;
}

void require_rejected(const coc::RecordDecode& decode, const std::string& mentions) {
  CHECK_FALSE(decode.ok);
  CHECK_THAT(decode.reason, Catch::Matchers::Contains(mentions));
}

}  // namespace

TEST_CASE("known sources", "[hash_record]") {
  for (const char* source : {"pointer", "content", "batch", "imported", "hint"}) {
    CHECK(coc::is_known_source(source));
  }
  CHECK_FALSE(coc::is_known_source(""));
  CHECK_FALSE(coc::is_known_source("Pointer"));
  CHECK_FALSE(coc::is_known_source("network"));
  CHECK_FALSE(coc::is_known_source("header"));  // never written by any version
}

TEST_CASE("encode writes algorithm and value first, then the rest", "[hash_record]") {
  coc::HashRecord record;
  record.value = kHex;
  record.size = 4976698672;
  record.source = "pointer";
  record.commit = kCommit;
  record.stored_at = 1700000000000;
  CHECK(coc::encode_record(record) ==
        R"({"algorithm":"SHA-256","value":")" + kHex +
            R"(","size":4976698672,"source":"pointer","commit":")" + kCommit +
            R"(","storedAt":1700000000000})");
}

TEST_CASE("a blob id is written after the commit and read back: a malformed one is refused", "[hash_record]") {
  coc::HashRecord record;
  record.value = kHex;
  record.source = "content";
  record.commit = kCommit;
  record.blob = std::string(40, 'e');
  record.stored_at = 5;
  const std::string body = coc::encode_record(record);
  CHECK(body == R"({"algorithm":"SHA-256","value":")" + kHex + R"(","source":"content","commit":")" + kCommit +
                    R"(","blob":")" + record.blob + R"(","storedAt":5})");
  CHECK(coc::decode_record(body).record.blob == record.blob);
  record.blob = std::string(64, '0');
  CHECK(coc::decode_record(coc::encode_record(record)).record.blob == record.blob);
  require_rejected(coc::decode_record(R"({"algorithm":"SHA-256","value":")" + kHex + R"(","blob":"E1"})"),
                   "blob \"E1\" is not 40 or 64 lowercase hex digits");
  require_rejected(coc::decode_record(R"({"algorithm":"SHA-256","value":")" + kHex + R"(","blob":7})"),
                   "blob is not a string");
}

TEST_CASE("encode omits unknown size and commit", "[hash_record]") {
  coc::HashRecord record;
  record.value = kHex;
  record.source = "content";
  record.stored_at = 5;
  CHECK(coc::encode_record(record) ==
        R"({"algorithm":"SHA-256","value":")" + kHex + R"(","source":"content","storedAt":5})");
}

TEST_CASE("encode always produces something decode accepts", "[hash_record]") {
  coc::HashRecord record;
  record.value = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
  record.stored_at = -1;
  SECTION("uppercase value is written lowercase, a negative time as 0, no source as imported") {
    const coc::RecordDecode decode = coc::decode_record(coc::encode_record(record));
    REQUIRE(decode.ok);
    CHECK(decode.record.value == kHex);
    CHECK(decode.record.stored_at == 0);
    CHECK(decode.record.source == "imported");
  }
  SECTION("non-finite time") {
    record.stored_at = std::numeric_limits<double>::infinity();
    CHECK(coc::decode_record(coc::encode_record(record)).record.stored_at == 0);
    record.stored_at = std::numeric_limits<double>::quiet_NaN();
    CHECK(coc::decode_record(coc::encode_record(record)).record.stored_at == 0);
  }
  SECTION("fractional time is kept") {
    record.stored_at = 1700000000000.25;
    CHECK(coc::decode_record(coc::encode_record(record)).record.stored_at == 1700000000000.25);
  }
  SECTION("invalid UTF-8 in a field does not throw") {
    record.commit = "\xff\xfe";
    std::string body;
    CHECK_NOTHROW(body = coc::encode_record(record));
    CHECK_FALSE(coc::decode_record(body).ok);  // and such a commit is refused when read back
  }
}

TEST_CASE("random records survive a round trip", "[hash_record]") {
  std::mt19937_64 rng(20240601);
  const std::vector<std::string> sources = {"pointer", "content", "batch", "imported", "hint"};
  for (int i = 0; i < 500; ++i) {
    coc::HashRecord record;
    record.value = random_hex(rng, 64);
    record.size = (rng() % 4 == 0) ? -1 : static_cast<std::int64_t>(rng() >> 11);
    record.source = sources[rng() % sources.size()];
    record.commit = (rng() % 2 == 0) ? "" : random_hex(rng, 40);
    record.stored_at = (rng() % 3 == 0) ? static_cast<double>(rng() >> 12) / 7.0
                                        : static_cast<double>(rng() % 4102444800000);
    const std::string body = coc::encode_record(record);
    CAPTURE(body);
    REQUIRE(body.size() <= coc::kMaxRecordBytes);
    const coc::RecordDecode decode = coc::decode_record(body);
    REQUIRE(decode.ok);
    CHECK(decode.record.value == record.value);
    CHECK(decode.record.size == record.size);
    CHECK(decode.record.source == record.source);
    CHECK(decode.record.commit == record.commit);
    CHECK(decode.record.stored_at == record.stored_at);
  }
}

TEST_CASE("tvmjs's persisted form decodes as an imported record", "[hash_record]") {
  const coc::RecordDecode decode = coc::decode_record(tvmjs_body(kHex));
  REQUIRE(decode.ok);
  CHECK(decode.record.value == kHex);
  CHECK(decode.record.size == -1);
  CHECK(decode.record.source == "imported");
  CHECK(decode.record.commit.empty());
  CHECK(decode.record.stored_at == 0);
}

TEST_CASE("uppercase values are accepted and lowercased", "[hash_record]") {
  const coc::RecordDecode decode =
      coc::decode_record(tvmjs_body("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
  REQUIRE(decode.ok);
  CHECK(decode.record.value == kHex);
}

TEST_CASE("other spellings of SHA-256 are accepted", "[hash_record]") {
  for (const char* name : {"sha256", "sha-256", "SHA256"}) {
    CAPTURE(name);
    const std::string body = R"({"algorithm":")" + std::string(name) + R"(","value":")" + kHex + R"("})";
    CHECK(coc::decode_record(body).ok);
  }
}

TEST_CASE("whitespace, field order and unknown fields do not matter", "[hash_record]") {
  const std::string body = "\n { \"storedAt\" : 12.5, \"future\": {\"x\": [1, 2]}, \"value\": \"" + kHex +
                           "\",\n \"source\": \"batch\", \"algorithm\": \"SHA-256\", \"size\": 0 }\n";
  const coc::RecordDecode decode = coc::decode_record(body);
  REQUIRE(decode.ok);
  CHECK(decode.record.source == "batch");
  CHECK(decode.record.size == 0);
  CHECK(decode.record.stored_at == 12.5);
}

TEST_CASE("each malformed field is rejected with a reason naming it", "[hash_record]") {
  SECTION("algorithm") {
    require_rejected(coc::decode_record(R"({"value":")" + kHex + R"("})"), "no algorithm");
    require_rejected(coc::decode_record(R"({"algorithm":256,"value":")" + kHex + R"("})"),
                     "algorithm is not a string");
    require_rejected(coc::decode_record(R"({"algorithm":"SHA-1","value":")" + kHex + R"("})"),
                     "algorithm \"SHA-1\" is not SHA-256");
    require_rejected(coc::decode_record(R"({"algorithm":"SHA-512","value":")" + kHex + R"("})"),
                     "SHA-512");
  }
  SECTION("value") {
    require_rejected(coc::decode_record(R"({"algorithm":"SHA-256"})"), "no value");
    require_rejected(coc::decode_record(R"({"algorithm":"SHA-256","value":null})"),
                     "value is not a string");
    require_rejected(coc::decode_record(tvmjs_body(kHex.substr(0, 63))), "63");
    require_rejected(coc::decode_record(tvmjs_body(kHex + "0")), "65");
    require_rejected(coc::decode_record(tvmjs_body("")), "value");
    require_rejected(coc::decode_record(tvmjs_body("g" + kHex.substr(1))), "'g'");
    require_rejected(coc::decode_record(tvmjs_body("sha256-" + kHex.substr(7))), "'s' at position 0");
  }
  SECTION("size") {
    require_rejected(coc::decode_record(with_field(R"("size":-1)")), "negative");
    require_rejected(coc::decode_record(with_field(R"("size":1.5)")), "size is not an integer");
    require_rejected(coc::decode_record(with_field(R"("size":"12")")), "size is not an integer");
    require_rejected(coc::decode_record(with_field(R"("size":null)")), "size is not an integer");
    require_rejected(coc::decode_record(with_field(R"("size":18446744073709551615)")), "size is too large");
  }
  SECTION("source") {
    require_rejected(coc::decode_record(with_field(R"("source":"network")")),
                     "source \"network\" is not a known source");
    require_rejected(coc::decode_record(with_field(R"("source":"")")), "not a known source");
    require_rejected(coc::decode_record(with_field(R"("source":1)")), "source is not a string");
  }
  SECTION("commit") {
    require_rejected(coc::decode_record(with_field(R"("commit":"main")")), "commit \"main\"");
    require_rejected(coc::decode_record(with_field(R"("commit":"")")), "40 lowercase hex");
    std::string upper = kCommit;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    require_rejected(coc::decode_record(with_field(R"("commit":")" + upper + "\"")), "40 lowercase hex");
    require_rejected(coc::decode_record(with_field(R"("commit":")" + kCommit + "0\"")), "commit");
    require_rejected(coc::decode_record(with_field(R"("commit":[])")), "commit is not a string");
  }
  SECTION("storedAt") {
    require_rejected(coc::decode_record(with_field(R"("storedAt":-1)")), "storedAt");
    require_rejected(coc::decode_record(with_field(R"("storedAt":"now")")), "storedAt is not a number");
    require_rejected(coc::decode_record(with_field(R"("storedAt":true)")), "storedAt is not a number");
    // Out of a double's range: refused by the parser rather than read as infinity.
    CHECK_FALSE(coc::decode_record(with_field(R"("storedAt":1e999)")).ok);
  }
  SECTION("a key given twice") {
    require_rejected(coc::decode_record(tvmjs_body(kHex).substr(0, 1) + R"("value":"00",)" +
                                        tvmjs_body(kHex).substr(1)),
                     "\"value\" appears more than once");
  }
}

TEST_CASE("a body over the size limit is refused before it is read", "[hash_record]") {
  const std::string body(10 * 1024 * 1024, '{');
  // Timing is the benchmarks' business; the reason proves the size check came first.
  require_rejected(coc::decode_record(body), "record is 10485760 bytes, over the 4096-byte limit");

  // The limit itself is allowed; one byte more is not.
  std::string padded = tvmjs_body(kHex);
  padded.insert(padded.size() - 1, std::string(coc::kMaxRecordBytes - padded.size(), ' '));
  REQUIRE(padded.size() == coc::kMaxRecordBytes);
  CHECK(coc::decode_record(padded).ok);
  padded.insert(padded.size() - 1, " ");
  require_rejected(coc::decode_record(padded), "4097 bytes");
}

TEST_CASE("bytes that are not JSON are rejected without throwing", "[hash_record]") {
  const std::vector<std::string> bodies = {
      "",
      " ",
      "not json",
      "{",
      "{\"algorithm\":\"SHA-256\",\"value\":\"" + kHex + "\"",
      "{\"algorithm\":\"SHA-256\",\"value\":\"" + kHex + "\"} trailing",
      "\xff\xfe\x00\x01",
      "{\"algorithm\":\"SHA-256\"," + std::string(1, '\0') + "\"value\":\"" + kHex + "\"}",
      "{\"algorithm\":\"SHA-256\",\"value\":\"" + kHex + std::string(1, '\0') + "\"}",
      std::string("\0", 1),
      "{\"algorithm\":\"SHA-256\",\"value\":\"" + kHex + "\",\"source\":\"\xc3\x28\"}",
      "{\"algorithm\":\"SHA-256\",\"value\":\"" + kHex + "\",\"\xed\xa0\x80\":1}",
      "{'algorithm':'SHA-256'}",
  };
  for (const std::string& body : bodies) {
    CAPTURE(body);
    coc::RecordDecode decode;
    REQUIRE_NOTHROW(decode = coc::decode_record(body));
    require_rejected(decode, "not valid JSON");
  }
}

TEST_CASE("JSON that is not an object is rejected", "[hash_record]") {
  require_rejected(coc::decode_record("[]"), "JSON array, not an object");
  require_rejected(coc::decode_record("[" + tvmjs_body(kHex) + "]"), "JSON array");
  require_rejected(coc::decode_record("42"), "JSON number");
  require_rejected(coc::decode_record("null"), "JSON null");
  require_rejected(coc::decode_record("true"), "JSON boolean");
  require_rejected(coc::decode_record("\"" + kHex + "\""), "JSON string");
}

TEST_CASE("a deeply nested record is refused before parsing", "[hash_record]") {
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  require_rejected(coc::decode_record(deep), "nests deeper than 64");
  // Brackets inside strings are text, not nesting.
  const std::string in_string = with_field("\"note\":\"" + std::string(200, '[') + "\\\"" + "\"");
  CHECK(coc::decode_record(in_string).ok);
}

TEST_CASE("transformers.js's plain hex body", "[hash_record]") {
  SECTION("accepted with surrounding whitespace, lowercased, source imported") {
    for (const std::string& body : {kHex, kHex + "\n", "  " + kHex + " \r\n", "\t" + kHex}) {
      CAPTURE(body);
      const coc::RecordDecode decode = coc::decode_plain_hex_record(body);
      REQUIRE(decode.ok);
      CHECK(decode.record.value == kHex);
      CHECK(decode.record.source == "imported");
      CHECK(decode.record.size == -1);
    }
    std::string upper = kHex;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(coc::decode_plain_hex_record(upper).record.value == kHex);
  }
  SECTION("anything else is rejected") {
    require_rejected(coc::decode_plain_hex_record(""), "empty");
    require_rejected(coc::decode_plain_hex_record(" \n"), "empty");
    require_rejected(coc::decode_plain_hex_record("\"" + kHex + "\""), "'\"'");
    require_rejected(coc::decode_plain_hex_record(kHex + " x"), "' '");
    require_rejected(coc::decode_plain_hex_record(kHex.substr(1)), "63");
    require_rejected(coc::decode_plain_hex_record(tvmjs_body(kHex)), "not a SHA-256");
    require_rejected(coc::decode_plain_hex_record(std::string(kHex + '\0')), "\\x00");
    require_rejected(coc::decode_plain_hex_record(std::string(5000, ' ')), "over the 4096-byte limit");
  }
}
