#include <catch2/catch.hpp>

#include <string>

#include "sri.h"

using coc::parse_sri;
using coc::sri_sha256_hex;

namespace {

// Vectors computed with `printf ... | openssl dgst -shaNNN -binary | base64`.
const std::string kSha256EmptyB64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
const std::string kSha256EmptyHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kSha256AbcB64 = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";
const std::string kSha256AbcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string kSha384AbcB64 = "ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn";
const std::string kSha384AbcHex =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7";
const std::string kSha384EmptyB64 = "OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb";
const std::string kSha384EmptyHex =
    "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b";
const std::string kSha512AbcB64 =
    "3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==";
const std::string kSha512AbcHex =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
const std::string kSha512EmptyB64 =
    "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
const std::string kSha512EmptyHex =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

// Standard base64 to base64url, padding dropped.
std::string to_base64url(std::string b64) {
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  for (char& c : b64) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return b64;
}

std::string only_error(const std::string& integrity) {
  const auto parsed = parse_sri(integrity);
  CHECK(parsed.hashes.empty());
  REQUIRE(parsed.errors.size() == 1);
  return parsed.errors[0];
}

}  // namespace

TEST_CASE("known vectors for each algorithm", "[sri]") {
  struct Vector {
    std::string algorithm, b64, hex;
  };
  const Vector vectors[] = {
      {"sha256", kSha256EmptyB64, kSha256EmptyHex}, {"sha256", kSha256AbcB64, kSha256AbcHex},
      {"sha384", kSha384EmptyB64, kSha384EmptyHex}, {"sha384", kSha384AbcB64, kSha384AbcHex},
      {"sha512", kSha512EmptyB64, kSha512EmptyHex}, {"sha512", kSha512AbcB64, kSha512AbcHex},
  };
  for (const auto& v : vectors) {
    INFO(v.algorithm << "-" << v.b64);
    const auto parsed = parse_sri(v.algorithm + "-" + v.b64);
    CHECK(parsed.errors.empty());
    REQUIRE(parsed.hashes.size() == 1);
    CHECK(parsed.hashes[0].algorithm == v.algorithm);
    CHECK(parsed.hashes[0].hex == v.hex);
  }
}

TEST_CASE("empty and blank integrity carry nothing", "[sri]") {
  for (const char* text : {"", " ", "\t\n\r\f "}) {
    const auto parsed = parse_sri(text);
    CHECK(parsed.hashes.empty());
    CHECK(parsed.errors.empty());
    CHECK(sri_sha256_hex(parsed).empty());
  }
}

TEST_CASE("several tokens keep their order", "[sri]") {
  const auto parsed = parse_sri("  sha384-" + kSha384AbcB64 + "\tsha256-" + kSha256AbcB64 + "\n sha512-" +
                                kSha512AbcB64 + "\r\nsha256-" + kSha256EmptyB64 + " ");
  CHECK(parsed.errors.empty());
  REQUIRE(parsed.hashes.size() == 4);
  CHECK(parsed.hashes[0].algorithm == "sha384");
  CHECK(parsed.hashes[1].algorithm == "sha256");
  CHECK(parsed.hashes[1].hex == kSha256AbcHex);
  CHECK(parsed.hashes[2].algorithm == "sha512");
  CHECK(parsed.hashes[3].hex == kSha256EmptyHex);
  CHECK(sri_sha256_hex(parsed) == kSha256AbcHex);  // the first sha256
}

TEST_CASE("sri_sha256_hex without a sha256 token", "[sri]") {
  CHECK(sri_sha256_hex(parse_sri("sha384-" + kSha384AbcB64 + " sha512-" + kSha512AbcB64)).empty());
  CHECK(sri_sha256_hex(parse_sri("sha256-AAAA")).empty());
  // An invalid sha256 before a valid one is skipped.
  CHECK(sri_sha256_hex(parse_sri("sha256-AAAA sha256-" + kSha256AbcB64)) == kSha256AbcHex);
}

TEST_CASE("options after '?' are ignored", "[sri]") {
  const auto parsed = parse_sri("sha256-" + kSha256AbcB64 + "?foo=bar?baz sha384-" + kSha384AbcB64 + "?");
  CHECK(parsed.errors.empty());
  REQUIRE(parsed.hashes.size() == 2);
  CHECK(parsed.hashes[0].hex == kSha256AbcHex);
  CHECK(parsed.hashes[1].hex == kSha384AbcHex);
}

TEST_CASE("padding is optional and base64url is accepted", "[sri]") {
  std::string unpadded = kSha256AbcB64;
  unpadded.pop_back();
  CHECK(sri_sha256_hex(parse_sri("sha256-" + unpadded)) == kSha256AbcHex);

  const auto url = parse_sri("sha256-" + to_base64url(kSha256AbcB64) + " sha512-" + to_base64url(kSha512EmptyB64) +
                             " sha384-" + to_base64url(kSha384EmptyB64));
  CHECK(url.errors.empty());
  REQUIRE(url.hashes.size() == 3);
  CHECK(url.hashes[0].hex == kSha256AbcHex);
  CHECK(url.hashes[1].hex == kSha512EmptyHex);
  CHECK(url.hashes[2].hex == kSha384EmptyHex);
  CHECK(to_base64url(kSha256AbcB64).find('-') != std::string::npos);  // the vector exercises '-'
  CHECK(to_base64url(kSha512EmptyB64).find('_') != std::string::npos);  // and '_'
}

TEST_CASE("wrong digest lengths are rejected with the sizes", "[sri]") {
  CHECK_THAT(only_error("sha256-" + kSha384AbcB64), Catch::Contains("sha256 digest must be 32 bytes, got 48"));
  CHECK_THAT(only_error("sha384-" + kSha256AbcB64), Catch::Contains("sha384 digest must be 48 bytes, got 32"));
  CHECK_THAT(only_error("sha512-" + kSha256AbcB64), Catch::Contains("sha512 digest must be 64 bytes, got 32"));
  // 31 bytes: drop the last four digits of the 32-byte encoding and re-pad.
  CHECK_THAT(only_error("sha256-" + kSha256AbcB64.substr(0, 40) + "AA=="),
             Catch::Contains("sha256 digest must be 32 bytes, got 31"));
  CHECK_THAT(only_error("sha256-"), Catch::Contains("sha256 digest must be 32 bytes, got 0"));
  CHECK_THAT(only_error("sha256-" + kSha256AbcB64.substr(0, 43) + "AAAA"),
             Catch::Contains("sha256 digest must be 32 bytes, got 35"));
}

TEST_CASE("bad base64 is rejected with the character and position", "[sri]") {
  std::string bad = kSha256AbcB64;
  bad[5] = '!';
  CHECK_THAT(only_error("sha256-" + bad), Catch::Contains("invalid base64 character '!' at position 5"));
  CHECK_THAT(only_error("sha256-" + kSha256AbcB64.substr(0, 10) + "=" + kSha256AbcB64.substr(11)),
             Catch::Contains("invalid base64 character '='"));
  CHECK_THAT(only_error("sha256-" + kSha256AbcB64.substr(0, 43) + "\xc3\xa9"),
             Catch::Contains("invalid base64 character '\\xc3'"));
  CHECK_THAT(only_error("sha256-" + kSha256AbcB64 + "="), Catch::Contains("incorrect base64 padding"));
  CHECK_THAT(only_error("sha256-" + kSha256AbcB64.substr(0, 43) + "==="), Catch::Contains("padding"));
  CHECK_THAT(only_error("sha256-" + kSha256AbcB64.substr(0, 41)), Catch::Contains("truncated base64"));
  CHECK_THAT(only_error("sha256-" + kSha256AbcB64.substr(0, 41) + "==="), Catch::Contains("base64"));
}

TEST_CASE("unknown algorithms are recorded, not fatal", "[sri]") {
  const auto parsed = parse_sri("md5-rL0Y20zC+Fzt72VPzMSk2A== sha256-" + kSha256AbcB64 + " sha1-qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
  REQUIRE(parsed.hashes.size() == 1);
  CHECK(parsed.hashes[0].hex == kSha256AbcHex);
  REQUIRE(parsed.errors.size() == 2);
  CHECK_THAT(parsed.errors[0], Catch::Contains("unsupported algorithm 'md5'"));
  CHECK_THAT(parsed.errors[1], Catch::Contains("unsupported algorithm 'sha1'"));
  CHECK_THAT(only_error("sha-256-" + kSha256AbcB64), Catch::Contains("unsupported algorithm 'sha'"));
}

TEST_CASE("algorithm names are case-sensitive", "[sri]") {
  CHECK_THAT(only_error("SHA256-" + kSha256AbcB64), Catch::Contains("'SHA256' must be lowercase ('sha256')"));
  CHECK_THAT(only_error("Sha384-" + kSha384AbcB64), Catch::Contains("must be lowercase ('sha384')"));
  CHECK_THAT(only_error("SHA512-" + kSha512AbcB64), Catch::Contains("must be lowercase"));
}

TEST_CASE("tokens without a dash", "[sri]") {
  CHECK_THAT(only_error("sha256"), Catch::Contains("not of the form algorithm-base64"));
  CHECK_THAT(only_error(kSha256AbcB64), Catch::Contains("not of the form"));
  CHECK_THAT(only_error("?sha256-" + kSha256AbcB64), Catch::Contains("not of the form"));
}

TEST_CASE("errors quote the token, short and printable", "[sri]") {
  const auto parsed = parse_sri("md5-" + std::string(300, 'A') + " x\x01y");
  REQUIRE(parsed.errors.size() == 2);
  CHECK_THAT(parsed.errors[0], Catch::Contains("(token 'md5-AAAA") && Catch::Contains("...')"));
  CHECK(parsed.errors[0].size() < 200);
  CHECK(parsed.errors[1].find('\x01') == std::string::npos);
}

TEST_CASE("hex output is lowercase", "[sri]") {
  const auto parsed = parse_sri("sha512-" + kSha512AbcB64);
  REQUIRE(parsed.hashes.size() == 1);
  for (char c : parsed.hashes[0].hex) {
    CHECK(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));
  }
  CHECK(parsed.hashes[0].hex.size() == 128);
}
