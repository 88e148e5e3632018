#include "lfs_pointer.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "ascii.h"
#include "hash_descriptor.h"
#include "message_text.h"

namespace coc {
namespace {

constexpr std::string_view kVersionLine = "version https://git-lfs.github.com/spec/v1";
// Pointers written by git-lfs before its rename still say "hawser"; git-lfs reads them too.
constexpr std::string_view kLegacyVersionLine = "version https://hawser.github.com/spec/v1";
constexpr std::string_view kOidPrefix = "sha256:";

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool is_valid_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!is_key_char(c)) return false;
  }
  return true;
}

// When the text is not a pointer at all, say what it looks like instead: the usual cause is a hub
// answering /raw/ with the file itself (JSON) or with an error page (HTML).
std::string what_it_looks_like(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_ascii_whitespace(text[i])) ++i;
  if (i == text.size()) return " (only whitespace)";
  if (text[i] == '<') return " (looks like HTML)";
  if (text[i] == '{' || text[i] == '[') return " (looks like JSON)";
  return "";
}

std::string line_label(std::size_t line_number) { return "line " + std::to_string(line_number); }

// Decimal digits only: git-lfs writes sizes without sign, spaces or exponent.
bool parse_size(std::string_view value, std::uint64_t& size, std::string& reason) {
  if (value.empty()) {
    reason = "size is empty";
    return false;
  }
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t result = 0;
  for (char c : value) {
    if (c < '0' || c > '9') {
      reason = "size '" + message_text(value) + "' is not a decimal number";
      return false;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (result > (kMax - digit) / 10) {
      reason = "size overflows 64 bits: '" + message_text(value) + "'";
      return false;
    }
    result = result * 10 + digit;
  }
  size = result;
  return true;
}

bool parse_oid(std::string_view value, std::string& oid, std::string& reason) {
  if (value.substr(0, kOidPrefix.size()) != kOidPrefix) {
    reason = "oid '" + message_text(value) + "' is not a sha256 oid";
    return false;
  }
  // The spec asks for lowercase, but hub data varies; COS needs lowercase, so normalise.
  HashCheck check = check_sha256_hex(value.substr(kOidPrefix.size()));
  if (!check.ok) {
    reason = "invalid oid: " + check.reason;
    return false;
  }
  oid = std::move(check.value);
  return true;
}

LfsPointerParse fail(std::string reason) {
  LfsPointerParse result;
  result.reason = "not an LFS pointer: " + reason;
  return result;
}

}  // namespace

LfsPointerParse parse_lfs_pointer(std::string_view text) {
  if (text.empty()) return fail("empty text");
  if (text.substr(0, 8) != "version ") return fail("no version line" + what_it_looks_like(text));
  if (text.size() > kMaxLfsPointerBytes) {
    return fail("too large (" + std::to_string(text.size()) + " bytes; pointers are at most " +
                std::to_string(kMaxLfsPointerBytes) + ")");
  }
  // Checked before the version line so that a CRLF pointer gets the real reason.
  const std::size_t cr = text.find('\r');
  if (cr != std::string_view::npos) {
    return fail("CRLF line endings (carriage return at byte " + std::to_string(cr) +
                "); pointers use LF only");
  }
  if (text.back() != '\n') return fail("truncated: the last line does not end with LF");

  LfsPointer pointer;
  bool have_oid = false;
  bool have_size = false;
  std::string_view previous_key;  // keys after the version line are strictly ascending
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);  // exists: the text ends with LF
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;

    if (line_number == 1) {
      if (line != kVersionLine && line != kLegacyVersionLine) {
        return fail("unsupported version '" + message_text(line.substr(8)) + "'");
      }
      continue;
    }
    if (line.empty()) return fail(line_label(line_number) + " is empty");
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return fail(line_label(line_number) + " is not 'key value': '" + message_text(line) + "'");
    }
    const std::string_view key = line.substr(0, space);
    const std::string_view value = line.substr(space + 1);
    if (!is_valid_key(key)) {
      return fail("invalid key '" + message_text(key) + "' on " + line_label(line_number));
    }
    if (key == "version" || key == previous_key) {
      return fail("duplicate key '" + std::string(key) + "'");
    }
    if (!previous_key.empty() && key < previous_key) {
      return fail("keys are not sorted: '" + std::string(key) + "' comes after '" +
                  std::string(previous_key) + "'");
    }
    previous_key = key;

    std::string reason;
    if (key == "oid") {
      if (!parse_oid(value, pointer.oid, reason)) return fail(reason);
      have_oid = true;
    } else if (key == "size") {
      if (!parse_size(value, pointer.size, reason)) return fail(reason);
      have_size = true;
    }
    // Other keys (ext-0-..., future extensions) are allowed and ignored.
  }

  if (!have_oid) return fail("no oid line");
  if (!have_size) return fail("no size line");
  LfsPointerParse result;
  result.ok = true;
  result.pointer = std::move(pointer);
  return result;
}

std::string serialize_lfs_pointer(const LfsPointer& pointer) {
  // Refuse to write something parse_lfs_pointer would reject.
  const HashCheck check = check_sha256_hex(pointer.oid);
  if (!check.ok) throw std::invalid_argument("cannot serialize LFS pointer: invalid oid: " + check.reason);
  std::string out;
  out.reserve(kVersionLine.size() + kOidPrefix.size() + 64 + 32);
  out += kVersionLine;
  out += "\noid ";
  out += kOidPrefix;
  out += check.value;
  out += "\nsize ";
  out += std::to_string(pointer.size);
  out += '\n';
  return out;
}

}  // namespace coc
