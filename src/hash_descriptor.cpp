#include "hash_descriptor.h"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "ascii.h"
#include "message_text.h"

namespace coc {
namespace {

constexpr std::size_t kSha256HexDigits = 64;

}  // namespace

bool is_canonical_sha256_hex(std::string_view value) {
  return value.size() == kSha256HexDigits && is_lower_hex(value);
}

HashCheck check_sha256_hex(std::string_view value) {
  HashCheck check;
  if (value.empty()) {
    check.reason = "empty hash value: expected 64 hex digits";
    return check;
  }
  // The offending character is more telling than the length (a stray "sha256:" prefix or a
  // trailing newline), so it is reported first.
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!is_hex_digit(value[i])) {
      check.reason = "non-hex character '" + message_text(value.substr(i, 1)) + "' at position " +
                     std::to_string(i) + ": expected 64 hex digits";
      return check;
    }
  }
  if (value.size() != kSha256HexDigits) {
    check.reason = "expected 64 hex digits, got " + std::to_string(value.size());
    return check;
  }
  check.value = to_lower_ascii(value);
  check.ok = true;
  return check;
}

bool is_sha256_algorithm(std::string_view algorithm) {
  return equals_ignore_case(algorithm, "SHA-256") || equals_ignore_case(algorithm, "SHA256");
}

HashDescriptor make_hash_descriptor(std::string_view algorithm, std::string_view value) {
  if (!is_sha256_algorithm(algorithm)) {
    throw std::invalid_argument("unsupported hash algorithm '" + message_text(algorithm) +
                                "': Cross-Origin Storage keys files by SHA-256");
  }
  HashCheck check = check_sha256_hex(value);
  if (!check.ok) throw std::invalid_argument("invalid SHA-256 value: " + check.reason);
  return HashDescriptor{kSha256Algorithm, std::move(check.value)};
}

}  // namespace coc
