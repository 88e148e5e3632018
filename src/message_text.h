// Untrusted text (a URL, a JSON key, a line of a pointer file) made fit to quote in an error
// message: nothing in it can break the message's line or its quoting, and it is kept short.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace coc {

// How many bytes of untrusted text a message quotes unless a caller asks for another length.
inline constexpr std::size_t kMessageTextChars = 40;

// The first max_chars bytes of text, with control characters, DEL and non-ASCII bytes written as
// \xNN (lowercase hex), then "..." when text was longer. Other bytes stay as they are, but any
// URL in the text is redacted first (redact_text: userinfo and secret query values hidden).
std::string message_text(std::string_view text, std::size_t max_chars = kMessageTextChars);

// The same for text the message shows between double quotes: '"' and '\' are escaped as well.
std::string message_text_in_quotes(std::string_view text, std::size_t max_chars = kMessageTextChars);

}  // namespace coc
