// IntegrityHints on its own: which hash of integrity metadata keys COS, which only verify, and
// what a digest of downloaded bytes is checked against.
#include <catch2/catch.hpp>

#include <cctype>
#include <stdexcept>
#include <string>

#include "artifact_url.h"
#include "integrity_hints.h"

using coc::IntegrityHints;
using coc::parse_artifact_url;

namespace {

const coc::ArtifactUrl kUrl = parse_artifact_url("https://hub.example/org/model/resolve/main/model.onnx");
const coc::ArtifactUrl kOther = parse_artifact_url("https://hub.example/org/model/resolve/main/other.onnx");
// The digests of "abc" (as in sri_test.cpp).
const std::string kSha256AbcB64 = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";
const std::string kSha256AbcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string kSha384AbcB64 = "ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn";
const std::string kSha384AbcHex =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7";
const std::string kSha512AbcB64 =
    "3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==";
const std::string kSha512AbcHex =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

}  // namespace

TEST_CASE("bare hex SHA-256 keys COS and leaves nothing to verify", "[integrity_hints]") {
  IntegrityHints hints;
  std::string upper = kSha256AbcHex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(hints.add(kUrl, upper) == kSha256AbcHex);
  CHECK(hints.verify_only(kUrl.storage_key).empty());
  CHECK(hints.mismatch(kUrl, "sha512", std::string(128, '0')).empty());
}

TEST_CASE("SRI: the first sha256 keys COS, sha384 and sha512 are kept to verify", "[integrity_hints]") {
  IntegrityHints hints;
  const std::string sha256 =
      hints.add(kUrl, "sha512-" + kSha512AbcB64 + " sha256-" + kSha256AbcB64 + " sha384-" + kSha384AbcB64);
  CHECK(sha256 == kSha256AbcHex);
  const auto kept = hints.verify_only(kUrl.storage_key);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].algorithm == "sha512");
  CHECK(kept[0].hex == kSha512AbcHex);
  CHECK(kept[1].algorithm == "sha384");
  CHECK(kept[1].hex == kSha384AbcHex);
  CHECK(hints.verify_only(kOther.storage_key).empty());
}

TEST_CASE("SRI without sha256 keys nothing but is kept", "[integrity_hints]") {
  IntegrityHints hints;
  CHECK(hints.add(kUrl, "sha384-" + kSha384AbcB64).empty());
  REQUIRE(hints.verify_only(kUrl.storage_key).size() == 1);
}

TEST_CASE("unusable integrity throws with its reasons and keeps nothing", "[integrity_hints]") {
  IntegrityHints hints;
  CHECK_THROWS_AS(hints.add(kUrl, "md5-abc"), std::invalid_argument);
  try {
    hints.add(kUrl, "md5-abc");
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    CHECK(message.find("no usable sha256, sha384 or sha512 hash") != std::string::npos);
    CHECK(message.find("md5") != std::string::npos);
  }
  CHECK(hints.verify_only(kUrl.storage_key).empty());
}

TEST_CASE("integrity with only a sha256 leaves digests given earlier in place", "[integrity_hints]") {
  IntegrityHints hints;
  hints.add(kUrl, "sha512-" + kSha512AbcB64);
  hints.add(kUrl, "sha256-" + kSha256AbcB64);
  CHECK(hints.verify_only(kUrl.storage_key).size() == 1);
  // New verify-only digests replace the old ones.
  hints.add(kUrl, "sha384-" + kSha384AbcB64);
  const auto kept = hints.verify_only(kUrl.storage_key);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].algorithm == "sha384");
}

TEST_CASE("a digest is refused only when its algorithm was given and differs", "[integrity_hints]") {
  IntegrityHints hints;
  hints.add(kUrl, "sha512-" + kSha512AbcB64);
  CHECK(hints.mismatch(kUrl, "sha512", kSha512AbcHex).empty());
  CHECK(hints.mismatch(kUrl, "sha384", kSha384AbcHex).empty());
  CHECK(hints.mismatch(kOther, "sha512", std::string(128, '0')).empty());
  const std::string reason = hints.mismatch(kUrl, "sha512", std::string(128, '0'));
  CHECK(reason == "content of " + kUrl.redacted + " has sha512 " + std::string(128, '0') + ", expected " +
                      kSha512AbcHex + " (integrity hint)");
}

TEST_CASE("several sha256 values key nothing: each is an alternative the bytes may match", "[integrity_hints]") {
  IntegrityHints hints;
  const std::string other(64, '1');
  const std::string other_b64 = "ERERERERERERERERERERERERERERERERERERERERERE=";
  CHECK(hints.add(kUrl, "sha256-" + other_b64 + " sha256-" + kSha256AbcB64).empty());
  CHECK(hints.sha256_choices(kUrl.storage_key) == std::vector<std::string>{other, kSha256AbcHex});
  const auto kept = hints.verify_only(kUrl.storage_key);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].algorithm == "sha256");
  CHECK(kept[1].hex == kSha256AbcHex);
  CHECK(hints.mismatch(kUrl, "sha256", kSha256AbcHex).empty());
  CHECK(hints.mismatch(kUrl, "sha256", other).empty());
  CHECK(hints.mismatch(kUrl, "sha256", std::string(64, '2')) ==
        "content of " + kUrl.redacted + " has sha256 " + std::string(64, '2') + ", expected " + other + " or " +
            kSha256AbcHex + " (integrity hint)");
  // A single sha256 later keys again and drops the alternatives.
  CHECK(hints.add(kUrl, "sha256-" + kSha256AbcB64) == kSha256AbcHex);
  CHECK(hints.sha256_choices(kUrl.storage_key).empty());
  CHECK(hints.verify_only(kUrl.storage_key).empty());
}

TEST_CASE("the same sha256 value twice is one value: it keys COS", "[integrity_hints]") {
  IntegrityHints hints;
  CHECK(hints.add(kUrl, "sha256-" + kSha256AbcB64 + " sha256-" + kSha256AbcB64 + "?x") == kSha256AbcHex);
  CHECK(hints.sha256_choices(kUrl.storage_key).empty());
}

TEST_CASE("several sha384 values are alternatives: matching one of them is enough", "[integrity_hints]") {
  IntegrityHints hints;
  const std::string zeros_b64(64, 'A');  // 48 zero bytes
  hints.add(kUrl, "sha384-" + zeros_b64 + " sha384-" + kSha384AbcB64);
  CHECK(hints.mismatch(kUrl, "sha384", kSha384AbcHex).empty());
  CHECK(hints.mismatch(kUrl, "sha384", std::string(96, '0')).empty());
  CHECK_FALSE(hints.mismatch(kUrl, "sha384", std::string(96, 'f')).empty());
}
