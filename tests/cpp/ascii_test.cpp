#include <catch2/catch.hpp>

#include <string>

#include "ascii.h"

TEST_CASE("ASCII character classes", "[ascii]") {
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    INFO(i);
    CHECK(coc::is_ascii_digit(c) == (i >= '0' && i <= '9'));
    CHECK(coc::is_ascii_alpha(c) == ((i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z')));
    CHECK(coc::is_lower_hex_digit(c) == ((i >= '0' && i <= '9') || (i >= 'a' && i <= 'f')));
    CHECK(coc::is_hex_digit(c) == (coc::is_lower_hex_digit(c) || (i >= 'A' && i <= 'F')));
    CHECK(coc::is_ascii_whitespace(c) == (i == ' ' || i == '\t' || i == '\n' || i == '\f' || i == '\r'));
    const char lowered = coc::to_lower_ascii(c);
    CHECK(lowered == ((i >= 'A' && i <= 'Z') ? static_cast<char>(i + 32) : c));
  }
  CHECK_FALSE(coc::is_ascii_whitespace('\v'));  // not ASCII whitespace in the WHATWG sense
}

TEST_CASE("hex_digit_value", "[ascii]") {
  CHECK(coc::hex_digit_value('0') == 0);
  CHECK(coc::hex_digit_value('9') == 9);
  CHECK(coc::hex_digit_value('a') == 10);
  CHECK(coc::hex_digit_value('A') == 10);
  CHECK(coc::hex_digit_value('f') == 15);
  CHECK(coc::hex_digit_value('F') == 15);
}

TEST_CASE("to_lower_ascii and equals_ignore_case touch only A-Z", "[ascii]") {
  CHECK(coc::to_lower_ascii("") == "");
  CHECK(coc::to_lower_ascii("HTTPS://Host.EXAMPLE") == "https://host.example");
  CHECK(coc::to_lower_ascii("\xc3\x89-\xff") == "\xc3\x89-\xff");  // non-ASCII bytes unchanged
  CHECK(coc::to_lower_ascii(std::string("A\0B", 3)) == std::string("a\0b", 3));

  CHECK(coc::equals_ignore_case("", ""));
  CHECK(coc::equals_ignore_case("SHA-256", "sha-256"));
  CHECK(coc::equals_ignore_case("X-Amz-Signature", "x-amz-signature"));
  CHECK_FALSE(coc::equals_ignore_case("sha256", "sha-256"));
  CHECK_FALSE(coc::equals_ignore_case("key", "keys"));
  CHECK_FALSE(coc::equals_ignore_case("\xc3\xa9", "\xc3\x89"));  // é and É differ: bytes, not Unicode
  CHECK_FALSE(coc::equals_ignore_case("[", "{"));                 // '[' + 32 is '{', but not a letter
}

TEST_CASE("is_lower_hex", "[ascii]") {
  CHECK(coc::is_lower_hex(""));
  CHECK(coc::is_lower_hex("0123456789abcdef"));
  CHECK_FALSE(coc::is_lower_hex("0123456789ABCDEF"));
  CHECK_FALSE(coc::is_lower_hex("abcg"));
  CHECK_FALSE(coc::is_lower_hex("ab cd"));
  CHECK_FALSE(coc::is_lower_hex(std::string("ab\0", 3)));
}
