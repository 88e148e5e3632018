#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include "lfs_pointer.h"

using coc::LfsPointer;
using coc::parse_lfs_pointer;
using coc::serialize_lfs_pointer;

namespace {

const std::string kOid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
const std::string kOidUpper = "4D7A214614AB2935C943F9E0FF69D22EADBB8F32B1258DAAA5E2CA24D17E2393";
const std::string kVersion = "version https://git-lfs.github.com/spec/v1\n";

std::string pointer_text(const std::string& oid, const std::string& size) {
  return kVersion + "oid sha256:" + oid + "\nsize " + size + "\n";
}

// Asserts the text is rejected and returns the reason.
std::string rejection(const std::string& text) {
  const auto parsed = parse_lfs_pointer(text);
  CHECK_FALSE(parsed.ok);
  CHECK_FALSE(parsed.reason.empty());
  return parsed.reason;
}

}  // namespace

TEST_CASE("a canonical pointer parses", "[lfs_pointer]") {
  const auto parsed = parse_lfs_pointer(pointer_text(kOid, "12345"));
  REQUIRE(parsed.ok);
  CHECK(parsed.reason.empty());
  CHECK(parsed.pointer.oid == kOid);
  CHECK(parsed.pointer.size == 12345u);
}

TEST_CASE("the legacy hawser version line is accepted", "[lfs_pointer]") {
  const auto parsed = parse_lfs_pointer("version https://hawser.github.com/spec/v1\noid sha256:" + kOid +
                                        "\nsize 7\n");
  REQUIRE(parsed.ok);
  CHECK(parsed.pointer.size == 7u);
}

TEST_CASE("an uppercase oid is returned lowercase", "[lfs_pointer]") {
  const auto parsed = parse_lfs_pointer(pointer_text(kOidUpper, "1"));
  REQUIRE(parsed.ok);
  CHECK(parsed.pointer.oid == kOid);
}

TEST_CASE("size edge values", "[lfs_pointer]") {
  auto zero = parse_lfs_pointer(pointer_text(kOid, "0"));
  REQUIRE(zero.ok);
  CHECK(zero.pointer.size == 0u);

  auto max = parse_lfs_pointer(pointer_text(kOid, "18446744073709551615"));
  REQUIRE(max.ok);
  CHECK(max.pointer.size == std::numeric_limits<std::uint64_t>::max());

  auto leading_zero = parse_lfs_pointer(pointer_text(kOid, "007"));
  REQUIRE(leading_zero.ok);
  CHECK(leading_zero.pointer.size == 7u);

  CHECK_THAT(rejection(pointer_text(kOid, "18446744073709551616")), Catch::Contains("size overflows"));
  CHECK_THAT(rejection(pointer_text(kOid, "99999999999999999999999")), Catch::Contains("size overflows"));
  CHECK_THAT(rejection(pointer_text(kOid, "+5")), Catch::Contains("not a decimal number"));
  CHECK_THAT(rejection(pointer_text(kOid, "-5")), Catch::Contains("not a decimal number"));
  CHECK_THAT(rejection(pointer_text(kOid, "5 ")), Catch::Contains("not a decimal number"));
  CHECK_THAT(rejection(pointer_text(kOid, "1e3")), Catch::Contains("not a decimal number"));
  CHECK_THAT(rejection(pointer_text(kOid, "0x10")), Catch::Contains("not a decimal number"));
  CHECK_THAT(rejection(pointer_text(kOid, "")), Catch::Contains("size is empty"));
}

TEST_CASE("extension keys are allowed when sorted", "[lfs_pointer]") {
  const std::string text = kVersion + "ext-0-foo sha256:" + std::string(64, 'a') +
                           "\next-1-bar baz qux\noid sha256:" + kOid + "\nsize 42\nzzz.x-1 anything\n";
  const auto parsed = parse_lfs_pointer(text);
  REQUIRE(parsed.ok);
  CHECK(parsed.pointer.oid == kOid);
  CHECK(parsed.pointer.size == 42u);
}

TEST_CASE("non-pointers are rejected with a readable reason", "[lfs_pointer]") {
  SECTION("empty text") { CHECK_THAT(rejection(""), Catch::Contains("empty text")); }
  SECTION("an ordinary JSON file") {
    CHECK_THAT(rejection("{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 4096}\n"),
               Catch::Contains("no version line") && Catch::Contains("JSON"));
  }
  SECTION("a large JSON file still says no version line") {
    CHECK_THAT(rejection("{\"a\": \"" + std::string(5000, 'x') + "\"}"), Catch::Contains("no version line"));
  }
  SECTION("an HTML error page") {
    CHECK_THAT(rejection("<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n"),
               Catch::Contains("no version line") && Catch::Contains("HTML"));
  }
  SECTION("whitespace") { CHECK_THAT(rejection(" \n\n"), Catch::Contains("no version line")); }
  SECTION("missing version line") {
    CHECK_THAT(rejection("oid sha256:" + kOid + "\nsize 12\n"), Catch::Contains("no version line"));
  }
  SECTION("version line not first") {
    CHECK_THAT(rejection("oid sha256:" + kOid + "\n" + kVersion + "size 12\n"),
               Catch::Contains("no version line"));
  }
  SECTION("other version") {
    CHECK_THAT(rejection("version https://git-lfs.github.com/spec/v2\noid sha256:" + kOid + "\nsize 1\n"),
               Catch::Contains("unsupported version") && Catch::Contains("spec/v2"));
  }
  SECTION("truncated: missing final LF") {
    std::string text = pointer_text(kOid, "12");
    text.pop_back();
    CHECK_THAT(rejection(text), Catch::Contains("truncated"));
  }
  SECTION("truncated in the middle of the oid") {
    CHECK_THAT(rejection(kVersion + "oid sha256:" + kOid.substr(0, 20)), Catch::Contains("truncated"));
  }
  SECTION("truncated after the oid line") {
    CHECK_THAT(rejection(kVersion + "oid sha256:" + kOid + "\n"), Catch::Contains("no size line"));
  }
  SECTION("oid of 63 characters") {
    CHECK_THAT(rejection(pointer_text(kOid.substr(0, 63), "12")),
               Catch::Contains("oid") && Catch::Contains("expected 64 hex digits, got 63"));
  }
  SECTION("oid with a non-hex character") {
    std::string oid = kOid;
    oid[5] = 'x';
    CHECK_THAT(rejection(pointer_text(oid, "12")), Catch::Contains("'x'") && Catch::Contains("position 5"));
  }
  SECTION("oid of another algorithm") {
    CHECK_THAT(rejection(kVersion + "oid sha1:" + std::string(40, 'a') + "\nsize 1\n"),
               Catch::Contains("not a sha256 oid"));
  }
  SECTION("CRLF line endings") {
    CHECK_THAT(rejection("version https://git-lfs.github.com/spec/v1\r\noid sha256:" + kOid +
                         "\r\nsize 12\r\n"),
               Catch::Contains("CRLF"));
  }
  SECTION("a lone CR anywhere") {
    CHECK_THAT(rejection(kVersion + "oid sha256:" + kOid + "\nsize 12\r\n"), Catch::Contains("CRLF"));
  }
  SECTION("unsorted keys") {
    CHECK_THAT(rejection(kVersion + "size 12\noid sha256:" + kOid + "\n"),
               Catch::Contains("not sorted") && Catch::Contains("'oid'") && Catch::Contains("'size'"));
  }
  SECTION("unsorted extension keys") {
    CHECK_THAT(rejection(kVersion + "oid sha256:" + kOid + "\next-0-foo bar\nsize 12\n"),
               Catch::Contains("not sorted"));
  }
  SECTION("duplicate keys") {
    CHECK_THAT(rejection(kVersion + "oid sha256:" + kOid + "\noid sha256:" + kOid + "\nsize 12\n"),
               Catch::Contains("duplicate key 'oid'"));
    CHECK_THAT(rejection(pointer_text(kOid, "12") + "size 13\n"), Catch::Contains("duplicate key 'size'"));
    CHECK_THAT(rejection(pointer_text(kOid, "12") + kVersion), Catch::Contains("duplicate key 'version'"));
  }
  SECTION("missing oid") { CHECK_THAT(rejection(kVersion + "size 12\n"), Catch::Contains("no oid line")); }
  SECTION("missing size") {
    CHECK_THAT(rejection(kVersion + "oid sha256:" + kOid + "\nsz 1\n"), Catch::Contains("no size line"));
  }
  SECTION("version line only") { CHECK_THAT(rejection(kVersion), Catch::Contains("no oid line")); }
  SECTION("empty line") {
    CHECK_THAT(rejection(pointer_text(kOid, "12") + "\n"), Catch::Contains("line 4 is empty"));
  }
  SECTION("line without a space") {
    CHECK_THAT(rejection(kVersion + "oid\nsize 12\n"), Catch::Contains("not 'key value'"));
  }
  SECTION("keys outside [a-z0-9.-]") {
    CHECK_THAT(rejection(kVersion + "OID sha256:" + kOid + "\nsize 12\n"), Catch::Contains("invalid key 'OID'"));
    CHECK_THAT(rejection(kVersion + "ext_0 x\noid sha256:" + kOid + "\nsize 12\n"),
               Catch::Contains("invalid key"));
    CHECK_THAT(rejection(kVersion + " oid sha256:" + kOid + "\nsize 12\n"), Catch::Contains("invalid key"));
  }
  SECTION("two spaces between key and value") {
    CHECK_THAT(rejection(kVersion + "oid  sha256:" + kOid + "\nsize 12\n"), Catch::Contains("not a sha256 oid"));
  }
  SECTION("longer than 1024 bytes") {
    const std::string text =
        pointer_text(kOid, "12") + "zz " + std::string(coc::kMaxLfsPointerBytes, 'x') + "\n";
    CHECK_THAT(rejection(text), Catch::Contains("too large"));
  }
}

TEST_CASE("a pointer of exactly 1024 bytes is accepted", "[lfs_pointer]") {
  std::string text = pointer_text(kOid, "12") + "zz ";
  text += std::string(coc::kMaxLfsPointerBytes - text.size() - 1, 'x') + "\n";
  REQUIRE(text.size() == coc::kMaxLfsPointerBytes);
  CHECK(parse_lfs_pointer(text).ok);
  CHECK_FALSE(parse_lfs_pointer(text + "zzz y\n").ok);
}

TEST_CASE("reasons do not echo control characters or long input", "[lfs_pointer]") {
  const auto reason = rejection(kVersion + "oid sha256:" + std::string(300, '\x01') + "\nsize 1\n");
  CHECK(reason.find('\x01') == std::string::npos);
  CHECK(reason.size() < 200);
}

TEST_CASE("serialize writes the canonical form", "[lfs_pointer]") {
  LfsPointer p;
  p.oid = kOid;
  p.size = 134217728;
  CHECK(serialize_lfs_pointer(p) == pointer_text(kOid, "134217728"));

  p.oid = kOidUpper;  // normalised on the way out, as COS needs
  CHECK(serialize_lfs_pointer(p) == pointer_text(kOid, "134217728"));

  p.oid = kOid.substr(1);
  CHECK_THROWS_AS(serialize_lfs_pointer(p), std::invalid_argument);
  p.oid = "";
  CHECK_THROWS_AS(serialize_lfs_pointer(p), std::invalid_argument);
}

TEST_CASE("parse(serialize(p)) == p for random pointers", "[lfs_pointer]") {
  std::mt19937_64 rng(20240601);
  const char* hex = "0123456789abcdef";
  for (int round = 0; round < 2000; ++round) {
    LfsPointer p;
    for (int i = 0; i < 64; ++i) p.oid += hex[rng() % 16];
    // Sizes spread over every magnitude, not just huge ones.
    const unsigned bits = static_cast<unsigned>(rng() % 65);
    p.size = bits == 64 ? rng() : (rng() & ((std::uint64_t{1} << bits) - 1));
    const std::string text = serialize_lfs_pointer(p);
    const auto parsed = parse_lfs_pointer(text);
    INFO(text);
    REQUIRE(parsed.ok);
    CHECK(parsed.pointer.oid == p.oid);
    CHECK(parsed.pointer.size == p.size);
    CHECK(text.size() <= coc::kMaxLfsPointerBytes);
  }
}
