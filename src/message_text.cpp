#include "message_text.h"

#include <cstddef>
#include <string>
#include <string_view>

#include "request_secrets.h"

namespace coc {
namespace {

std::string escape(std::string_view text, std::size_t max_chars, bool escape_quotes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t shown = text.size() < max_chars ? text.size() : max_chars;
  std::string out;
  out.reserve(shown + 3);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool quote = byte == '"' || byte == '\\';
    if (byte >= 0x20 && byte < 0x7f && !(quote && escape_quotes)) {
      out += text[i];
    } else {
      out += "\\x";
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0x0f];
    }
  }
  if (shown < text.size()) out += "...";
  return out;
}

}  // namespace

// A URL in the text is redacted before the text is cut: cut first, the '@' that marks a password
// as userinfo can fall past the cut, and the password show as if it were a host.
std::string message_text(std::string_view text, std::size_t max_chars) {
  return escape(redact_text(text, {}), max_chars, false);
}

std::string message_text_in_quotes(std::string_view text, std::size_t max_chars) {
  return escape(redact_text(text, {}), max_chars, true);
}

}  // namespace coc
