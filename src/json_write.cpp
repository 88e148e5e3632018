#include "json_write.h"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace coc {
namespace {

// How many bytes the UTF-8 sequence led by `lead` has (0: no valid sequence starts with it), and
// the range its second byte must be in (this excludes overlong forms, surrogates and code points
// past U+10FFFF, as the decoder of nlohmann's serializer does).
std::size_t sequence_length(unsigned char lead, unsigned char& low, unsigned char& high) {
  low = 0x80;
  high = 0xBF;
  if (lead < 0x80) return 1;
  if (lead < 0xC2) return 0;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) {
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
    return 3;
  }
  if (lead > 0xF4) return 0;
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;
  return 4;
}

// The bytes of the valid sequence at text[at] (0: none; then `at` and the byte that breaks the
// sequence, if any, each start over, as in nlohmann's serializer).
std::size_t valid_sequence(std::string_view text, std::size_t at, std::size_t& broken_at) {
  unsigned char low = 0;
  unsigned char high = 0;
  const std::size_t length = sequence_length(static_cast<unsigned char>(text[at]), low, high);
  broken_at = at + 1;
  if (length == 0) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if (at + i >= text.size()) {
      broken_at = text.size();
      return 0;
    }
    const auto byte = static_cast<unsigned char>(text[at + i]);
    if (byte < low || byte > high) {
      broken_at = at + i;
      return 0;
    }
    low = 0x80;
    high = 0xBF;
  }
  return length;
}

}  // namespace

bool append_json_string(std::string& out, std::string_view text) {
  bool valid = true;
  out += '"';
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t next = 0;
    const std::size_t length = valid_sequence(text, at, next);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      valid = false;
      at = next;
      continue;
    }
    const char c = text[at];
    const char* escape = nullptr;
    switch (c) {
      case '\b': escape = "\\b"; break;
      case '\t': escape = "\\t"; break;
      case '\n': escape = "\\n"; break;
      case '\f': escape = "\\f"; break;
      case '\r': escape = "\\r"; break;
      case '"': escape = "\\\""; break;
      case '\\': escape = "\\\\"; break;
      default: break;
    }
    if (escape != nullptr) {
      out += escape;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\u00";
      out += "0123456789abcdef"[c >> 4];
      out += "0123456789abcdef"[c & 0xF];
    } else {
      out.append(text, at, length);
    }
    at += length;
  }
  out += '"';
  return valid;
}

bool is_valid_utf8(std::string_view text) {
  std::string ignored;
  return append_json_string(ignored, text);
}

std::string json_number(double value) {
  std::array<char, 64> buffer{};  // to_chars writes at most 24 bytes here
  char* end = nlohmann::detail::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), end);
}

}  // namespace coc
