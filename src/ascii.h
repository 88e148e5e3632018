// Byte-wise ASCII helpers for untrusted text (URLs, JSON fields, pointer files). Unlike <cctype>
// they ignore the locale and are defined for every char value, negative ones included.
#pragma once
#include <string>
#include <string_view>

namespace coc {

constexpr bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
// 0-9, a-f and A-F.
constexpr bool is_hex_digit(char c) {
  return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// 0-9 and a-f only.
constexpr bool is_lower_hex_digit(char c) { return is_ascii_digit(c) || (c >= 'a' && c <= 'f'); }
// The value of a hex digit of either case; c must be one.
constexpr int hex_digit_value(char c) {
  return is_ascii_digit(c) ? c - '0' : (c >= 'a' ? c - 'a' : c - 'A') + 10;
}
// ASCII whitespace as the WHATWG standards define it: space, tab, LF, FF and CR.
constexpr bool is_ascii_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}
constexpr char to_lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// A-Z lowered, every other byte kept.
std::string to_lower_ascii(std::string_view text);

// Equal but for the case of A-Z.
bool equals_ignore_case(std::string_view a, std::string_view b);

// True when every byte is 0-9 or a-f (so true for ""); callers check the length they need.
bool is_lower_hex(std::string_view text);

}  // namespace coc
