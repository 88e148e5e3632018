#include <catch2/catch.hpp>

#include <cstddef>
#include <string>

#include "message_text.h"

using coc::kMessageTextChars;
using coc::message_text;
using coc::message_text_in_quotes;

TEST_CASE("message_text keeps printable ASCII as it is", "[message_text]") {
  CHECK(message_text("") == "");
  CHECK(message_text("model.safetensors") == "model.safetensors");
  CHECK(message_text(" !~") == " !~");
  // Quotes and backslashes are printable: kept unless the text goes between double quotes.
  CHECK(message_text("a\"b\\c'd") == "a\"b\\c'd");
}

TEST_CASE("message_text escapes control characters, DEL and non-ASCII bytes", "[message_text]") {
  CHECK(message_text("a\nb") == "a\\x0ab");
  CHECK(message_text("\r\t") == "\\x0d\\x09");
  CHECK(message_text(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(message_text("\x1f\x7f") == "\\x1f\\x7f");
  CHECK(message_text("\xc3\xa9") == "\\xc3\\xa9");  // UTF-8 is shown byte by byte
  CHECK(message_text("\xff") == "\\xff");
}

TEST_CASE("message_text cuts long text and says so", "[message_text]") {
  const std::string exact(kMessageTextChars, 'a');
  CHECK(message_text(exact) == exact);
  CHECK(message_text(exact + "b") == exact + "...");
  CHECK(message_text(std::string(5000, 'x')).size() == kMessageTextChars + 3);

  CHECK(message_text("abcdef", 3) == "abc...");
  CHECK(message_text("abc", 3) == "abc");
  CHECK(message_text("abc", 0) == "...");
  CHECK(message_text(std::string(250, 'u'), 200) == std::string(200, 'u') + "...");
  // The cut counts bytes of the input, not characters of the output.
  CHECK(message_text("\x01\x02\x03\x04", 2) == "\\x01\\x02...");
}

TEST_CASE("message_text_in_quotes also escapes quotes and backslashes", "[message_text]") {
  struct Case {
    std::string text;
    std::string plain;      // message_text
    std::string in_quotes;  // message_text_in_quotes
  };
  const Case cases[] = {
      {"path", "path", "path"},
      {"a\"b", "a\"b", "a\\x22b"},
      {"a\\b", "a\\b", "a\\x5cb"},
      {"it's", "it's", "it's"},
      {"\n\x80", "\\x0a\\x80", "\\x0a\\x80"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(message_text(c.text) == c.plain);
    CHECK(message_text_in_quotes(c.text) == c.in_quotes);
  }
  std::string escaped_quotes;
  for (std::size_t i = 0; i < kMessageTextChars; ++i) escaped_quotes += "\\x22";
  CHECK(message_text_in_quotes(std::string(41, '"')) == escaped_quotes + "...");
  CHECK(message_text_in_quotes("abcd", 2) == "ab...");
}

TEST_CASE("message_text redacts a URL before it cuts it", "[message_text]") {
  // The '@' that marks userinfo lies past the cut: cut first, the password would show.
  const std::string password = "HUNTER2SECRETPASSWORDXYZ_LONGER_THAN_FORTY";
  const std::string url = "https://user:" + password + "@h.example/x.bin?token=tok_SECRET_VALUE_1";
  for (const std::string& shown : {message_text(url), message_text_in_quotes(url), message_text(url, 1000),
                                    message_text("key " + url + " repeated")}) {
    CHECK(shown.find("HUNTER2") == std::string::npos);
    CHECK(shown.find("tok_SECRET") == std::string::npos);
  }
  CHECK(message_text(url, 1000) == "https://***@h.example/x.bin?token=***");
  // Text that is no URL is untouched.
  CHECK(message_text("user:pw@host") == "user:pw@host");
}
