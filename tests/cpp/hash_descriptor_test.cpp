#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "hash_descriptor.h"

using coc::check_sha256_hex;
using coc::is_canonical_sha256_hex;
using coc::is_sha256_algorithm;
using coc::make_hash_descriptor;

namespace {

const std::string kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kEmptyShaUpper = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";

// The message of the std::invalid_argument that make_hash_descriptor throws ("" if none).
std::string descriptor_error(const std::string& algorithm, const std::string& value) {
  try {
    make_hash_descriptor(algorithm, value);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("is_canonical_sha256_hex accepts only 64 lowercase hex digits", "[hash_descriptor]") {
  CHECK(is_canonical_sha256_hex(kEmptySha));
  CHECK(is_canonical_sha256_hex(std::string(64, '0')));
  CHECK(is_canonical_sha256_hex(std::string(64, 'f')));
  CHECK_FALSE(is_canonical_sha256_hex(kEmptyShaUpper));
  CHECK_FALSE(is_canonical_sha256_hex(""));
  CHECK_FALSE(is_canonical_sha256_hex(kEmptySha.substr(1)));
  CHECK_FALSE(is_canonical_sha256_hex(kEmptySha + "0"));
  CHECK_FALSE(is_canonical_sha256_hex(std::string(63, 'a') + "g"));
  CHECK_FALSE(is_canonical_sha256_hex(std::string(63, 'a') + "A"));
}

TEST_CASE("check_sha256_hex lowercases either case", "[hash_descriptor]") {
  auto lower = check_sha256_hex(kEmptySha);
  CHECK(lower.ok);
  CHECK(lower.value == kEmptySha);
  CHECK(lower.reason.empty());

  auto upper = check_sha256_hex(kEmptyShaUpper);
  CHECK(upper.ok);
  CHECK(upper.value == kEmptySha);

  std::string mixed = kEmptySha;
  for (std::size_t i = 0; i < mixed.size(); i += 2) {
    if (mixed[i] >= 'a') mixed[i] = static_cast<char>(mixed[i] - 'a' + 'A');
  }
  auto mixed_check = check_sha256_hex(mixed);
  CHECK(mixed_check.ok);
  CHECK(mixed_check.value == kEmptySha);
  CHECK(is_canonical_sha256_hex(mixed_check.value));
}

TEST_CASE("check_sha256_hex says what is wrong", "[hash_descriptor]") {
  SECTION("empty") {
    auto c = check_sha256_hex("");
    CHECK_FALSE(c.ok);
    CHECK(c.value.empty());
    CHECK_THAT(c.reason, Catch::Contains("empty"));
  }
  SECTION("too short names the length") {
    auto c = check_sha256_hex(kEmptySha.substr(0, 63));
    CHECK_FALSE(c.ok);
    CHECK(c.reason == "expected 64 hex digits, got 63");
  }
  SECTION("too long names the length") {
    auto c = check_sha256_hex(kEmptySha + "ab");
    CHECK_FALSE(c.ok);
    CHECK(c.reason == "expected 64 hex digits, got 66");
  }
  SECTION("non-hex character names the character and position") {
    std::string v = kEmptySha;
    v[10] = 'g';
    auto c = check_sha256_hex(v);
    CHECK_FALSE(c.ok);
    CHECK_THAT(c.reason, Catch::Contains("'g'") && Catch::Contains("position 10"));
  }
  SECTION("a prefix is caught at its first character") {
    auto c = check_sha256_hex("sha256:" + kEmptySha);
    CHECK_FALSE(c.ok);
    CHECK_THAT(c.reason, Catch::Contains("'s'") && Catch::Contains("position 0"));
  }
  SECTION("a trailing newline is shown escaped") {
    auto c = check_sha256_hex(kEmptySha + "\n");
    CHECK_FALSE(c.ok);
    CHECK_THAT(c.reason, Catch::Contains("'\\x0a'") && Catch::Contains("position 64"));
  }
  SECTION("whitespace and non-ASCII are not hex") {
    CHECK_FALSE(check_sha256_hex(" " + kEmptySha.substr(1)).ok);
    CHECK_FALSE(check_sha256_hex(kEmptySha.substr(0, 63) + "\xc3").ok);
  }
}

TEST_CASE("is_sha256_algorithm accepts SHA-256 spellings only", "[hash_descriptor]") {
  for (const char* name : {"SHA-256", "sha-256", "Sha-256", "sha256", "SHA256", "sHa256"}) {
    INFO(name);
    CHECK(is_sha256_algorithm(name));
  }
  for (const char* name : {"", "SHA-1", "sha1", "SHA-384", "SHA-512", "sha512", "SHA_256", "SHA 256",
                           "SHA-2560", " SHA-256", "md5", "SHA-256\n"}) {
    INFO(name);
    CHECK_FALSE(is_sha256_algorithm(name));
  }
}

TEST_CASE("make_hash_descriptor normalises to SHA-256 and lowercase", "[hash_descriptor]") {
  auto d = make_hash_descriptor("sha256", kEmptyShaUpper);
  CHECK(d.algorithm == "SHA-256");
  CHECK(d.algorithm == coc::kSha256Algorithm);
  CHECK(d.value == kEmptySha);

  auto d2 = make_hash_descriptor("SHA-256", kEmptySha);
  CHECK(d2.algorithm == "SHA-256");
  CHECK(d2.value == kEmptySha);
}

TEST_CASE("make_hash_descriptor rejects other algorithms with a reason", "[hash_descriptor]") {
  CHECK(descriptor_error("SHA-512", kEmptySha) ==
        "unsupported hash algorithm 'SHA-512': Cross-Origin Storage keys files by SHA-256");
  CHECK_THAT(descriptor_error("SHA-1", kEmptySha),
             Catch::Contains("'SHA-1'") && Catch::Contains("SHA-256"));
  CHECK_THAT(descriptor_error("", kEmptySha), Catch::Contains("unsupported hash algorithm ''"));
  CHECK_THROWS_AS(make_hash_descriptor("md5", kEmptySha), std::invalid_argument);
}

TEST_CASE("make_hash_descriptor keeps echoed algorithm names short and printable", "[hash_descriptor]") {
  const std::string message = descriptor_error(std::string(500, 'x') + "\x01", kEmptySha);
  CHECK_THAT(message, Catch::Contains("..."));
  CHECK(message.size() < 200);
  CHECK(descriptor_error("a\x01" "b", kEmptySha).find('\x01') == std::string::npos);
}

TEST_CASE("make_hash_descriptor rejects bad values with a reason", "[hash_descriptor]") {
  CHECK(descriptor_error("SHA-256", kEmptySha.substr(0, 63)) ==
        "invalid SHA-256 value: expected 64 hex digits, got 63");
  CHECK_THAT(descriptor_error("SHA-256", ""), Catch::Contains("empty"));
  CHECK_THAT(descriptor_error("SHA-256", std::string(64, 'z')),
             Catch::Contains("'z'") && Catch::Contains("position 0"));
  CHECK_THROWS_AS(make_hash_descriptor("SHA-256", kEmptySha + " "), std::invalid_argument);
}
