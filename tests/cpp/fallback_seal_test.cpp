#include <catch2/catch.hpp>

#include "fallback_seal.h"
#include "storage_space.h"

using coc::encode_fallback_seal;
using coc::fallback_seal_vouches;

namespace {
const char* kWrite = "0123456789abcdef0123456789abcdef";
const char* kOther = "fedcba9876543210fedcba9876543210";
}  // namespace

TEST_CASE("a seal vouches only for the write and size it was made for", "[fallback_seal]") {
  const std::string seal = encode_fallback_seal(kWrite, 1234);
  CHECK(seal == "{\"write\":\"0123456789abcdef0123456789abcdef\",\"size\":1234}");
  CHECK(fallback_seal_vouches(seal, kWrite, 1234));
  CHECK(fallback_seal_vouches(seal, kWrite, -1));
  CHECK_FALSE(fallback_seal_vouches(seal, kWrite, 1233));
  CHECK_FALSE(fallback_seal_vouches(seal, kOther, 1234));
  CHECK_FALSE(fallback_seal_vouches(seal, "", -1));
  CHECK_FALSE(fallback_seal_vouches("", kWrite, -1));
  CHECK_FALSE(fallback_seal_vouches("{\"write\":\"0123456789abcdef0123456789abcdef\"}", kWrite, -1));
  CHECK_FALSE(fallback_seal_vouches("{\"write\":\"0123456789abcdef0123456789abcdef\",\"size\":-1}", kWrite, -1));
  CHECK_FALSE(fallback_seal_vouches("[1,2", kWrite, -1));
  CHECK_FALSE(fallback_seal_vouches(std::string(300, ' ') + seal, kWrite, 1234));
}

TEST_CASE("a seal is only made for a proper write id", "[fallback_seal]") {
  CHECK(encode_fallback_seal("short", 1).empty());
  CHECK(encode_fallback_seal("0123456789ABCDEF0123", 1).empty());
  CHECK(encode_fallback_seal(kWrite, -1).empty());
}

TEST_CASE("a file is written into the fallback store only when the estimate leaves room", "[storage_space]") {
  CHECK(coc::fits_storage_estimate(100, 1000, 900));
  CHECK_FALSE(coc::fits_storage_estimate(101, 1000, 900));
  CHECK_FALSE(coc::fits_storage_estimate(1, 1000, 2000));
  CHECK(coc::fits_storage_estimate(1e12, -1, 0));  // unknown quota: try, the storage still refuses
  CHECK(coc::fits_storage_estimate(1e12, 1000, -1));
  CHECK(coc::fits_storage_estimate(-1, 1000, 900));  // unknown size
}
