#include "hash_descriptor.h"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace coc {
namespace {

constexpr std::size_t kSha256HexDigits = 64;
// Untrusted input is echoed in reasons; keep them short enough to read.
constexpr std::size_t kMaxEchoChars = 40;

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool is_hex(char c) { return is_lower_hex(c) || (c >= 'A' && c <= 'F'); }

char to_lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A character as it can be shown to a person: printable ASCII as is, anything else as \xNN.
std::string printable_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string(1, c);
  static const char* kDigits = "0123456789abcdef";
  std::string out = "\\x";
  out += kDigits[byte >> 4];
  out += kDigits[byte & 0x0f];
  return out;
}

// Untrusted text for a message: escaped and cut short.
std::string printable_text(std::string_view text) {
  std::string out;
  const std::size_t shown = text.size() < kMaxEchoChars ? text.size() : kMaxEchoChars;
  for (std::size_t i = 0; i < shown; ++i) out += printable_char(text[i]);
  if (shown < text.size()) out += "...";
  return out;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower_ascii(a[i]) != to_lower_ascii(b[i])) return false;
  }
  return true;
}

}  // namespace

bool is_canonical_sha256_hex(std::string_view value) {
  if (value.size() != kSha256HexDigits) return false;
  for (char c : value) {
    if (!is_lower_hex(c)) return false;
  }
  return true;
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
    if (!is_hex(value[i])) {
      check.reason = "non-hex character '" + printable_char(value[i]) + "' at position " +
                     std::to_string(i) + ": expected 64 hex digits";
      return check;
    }
  }
  if (value.size() != kSha256HexDigits) {
    check.reason = "expected 64 hex digits, got " + std::to_string(value.size());
    return check;
  }
  check.value.reserve(kSha256HexDigits);
  for (char c : value) check.value += to_lower_ascii(c);
  check.ok = true;
  return check;
}

bool is_sha256_algorithm(std::string_view algorithm) {
  return equals_ignore_case(algorithm, "SHA-256") || equals_ignore_case(algorithm, "SHA256");
}

HashDescriptor make_hash_descriptor(std::string_view algorithm, std::string_view value) {
  if (!is_sha256_algorithm(algorithm)) {
    throw std::invalid_argument("unsupported hash algorithm '" + printable_text(algorithm) +
                                "': Cross-Origin Storage keys files by SHA-256");
  }
  HashCheck check = check_sha256_hex(value);
  if (!check.ok) throw std::invalid_argument("invalid SHA-256 value: " + check.reason);
  return HashDescriptor{kSha256Algorithm, std::move(check.value)};
}

}  // namespace coc
