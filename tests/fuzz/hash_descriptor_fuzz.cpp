// check_sha256_hex, is_canonical_sha256_hex, is_sha256_algorithm and make_hash_descriptor on
// arbitrary text (the whole input as a value; and split at its first '\n' into algorithm and
// value). Properties, against an independent reading of the rules: 64 hex digits of either case
// are accepted and lowercased, everything else is refused with a reason; the descriptor is made
// exactly when both parts are valid, and make_hash_descriptor throws only std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "hash_descriptor.h"

namespace {

bool expected_hex(std::string_view value) {
  if (value.size() != 64) return false;
  for (char c : value) {
    if (!fuzz::is_any_hex(c)) return false;
  }
  return true;
}

void check_value(std::string_view value) {
  const std::string where = " for " + fuzz::show(value);
  const coc::HashCheck check = coc::check_sha256_hex(value);
  FUZZ_CHECK(check.ok == expected_hex(value), "ok=" + std::to_string(check.ok) + where);
  if (check.ok) {
    FUZZ_CHECK(check.value == fuzz::lowercase(value) && fuzz::is_lower_hex(check.value, 64), "value" + where);
    FUZZ_CHECK(check.reason.empty(), "reason on success" + where);
  } else {
    FUZZ_CHECK(check.value.empty() && !check.reason.empty(), "failure without a reason" + where);
    FUZZ_CHECK(fuzz::printable_ascii(check.reason), "reason " + fuzz::show(check.reason) + where);
  }
  FUZZ_CHECK(coc::is_canonical_sha256_hex(value) == fuzz::is_lower_hex(value, 64), "is_canonical" + where);
}

void check_descriptor(std::string_view algorithm, std::string_view value) {
  const std::string where = " for " + fuzz::show(algorithm) + ", " + fuzz::show(value);
  const std::string lowered = fuzz::lowercase(algorithm);
  const bool algorithm_ok = lowered == "sha-256" || lowered == "sha256";
  FUZZ_CHECK(coc::is_sha256_algorithm(algorithm) == algorithm_ok, "is_sha256_algorithm" + where);
  try {
    const coc::HashDescriptor descriptor = coc::make_hash_descriptor(algorithm, value);
    FUZZ_CHECK(algorithm_ok && expected_hex(value), "made a descriptor" + where);
    FUZZ_CHECK(descriptor.algorithm == "SHA-256" && descriptor.value == fuzz::lowercase(value), "descriptor" + where);
  } catch (const std::invalid_argument& error) {
    FUZZ_CHECK(!(algorithm_ok && expected_hex(value)), std::string("refused: ") + error.what() + where);
    FUZZ_CHECK(fuzz::printable_ascii(error.what()), "message " + fuzz::show(error.what()) + where);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_value(text);
  const std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) {
    check_descriptor("SHA-256", text);
  } else {
    check_descriptor(text.substr(0, newline), text.substr(newline + 1));
    check_value(text.substr(newline + 1));
  }
  return 0;
}
