// Shared helpers for the libFuzzer targets: property checks that abort with a readable message
// (libFuzzer then saves the input as a crash artifact), and small independent re-implementations
// of the facts the properties are about, so a target never checks the core against itself.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

// The fuzzer's bytes read one at a time as choices; 0 once they run out.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool more() const { return at_ < size_; }
  std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};


[[noreturn]] inline void fail(const char* expr, const char* file, int line, const std::string& detail) {
  std::fprintf(stderr, "\n==PROPERTY FAILED== %s\n  at %s:%d\n", expr, file, line);
  if (!detail.empty()) std::fprintf(stderr, "  %s\n", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// Bytes as a C-like string literal body, for failure messages.
inline std::string show(std::string_view text, std::size_t limit = 300) {
  static const char* kDigits = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\') {
      out += static_cast<char>(byte);
    } else {
      out += "\\x";
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0x0f];
    }
  }
  out += text.size() > limit ? "\"..." : "\"";
  return out;
}

inline bool is_lower_hex(std::string_view text, std::size_t digits) {
  if (text.size() != digits) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

inline bool is_any_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

inline bool printable_ascii(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  return true;
}

inline std::size_t count_occurrences(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return 0;
  std::size_t count = 0;
  for (std::size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// %XX decoding written independently of the core's percent_decode.
inline std::string decode_percent(std::string_view text) {
  auto value = [](char c) { return c <= '9' ? c - '0' : lower(c) - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && is_any_hex(text[i + 1]) && is_any_hex(text[i + 2])) {
      out += static_cast<char>(value(text[i + 1]) * 16 + value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Query parameter names that are certainly secrets (a subset of the core's list, so a property
// built on it never flags a parameter the core may legitimately leave visible).
inline bool surely_secret_name(std::string_view raw_name) {
  const std::string name = lowercase(decode_percent(raw_name));
  static const char* const kNames[] = {"token",          "access_token",         "api_key",      "key",
                                       "sig",            "signature",            "password",     "secret",
                                       "x-amz-signature", "x-amz-credential",    "x-amz-security-token",
                                       "x-goog-signature", "x-goog-credential",  "policy",       "key-pair-id",
                                       "se",             "sp",                   "sv",           "skoid",
                                       "authorization",  "client_secret"};
  for (const char* known : kNames) {
    if (name == known) return true;
  }
  return false;
}

// Where the query of a URL-like text lies: after its first '?', before the first '#' (which is
// where any '?' can start it: scheme and authority cannot hold one). Empty view when none.
inline bool query_of(std::string_view url, std::string_view& query) {
  const std::string_view before_fragment = url.substr(0, url.find('#'));
  const std::size_t question = before_fragment.find('?');
  if (question == std::string_view::npos) return false;
  query = before_fragment.substr(question + 1);
  return true;
}

// Calls visit(name, value, has_value) for every '&'- or ';'-separated parameter of the query.
template <typename Visit>
void for_each_param(std::string_view query, Visit visit) {
  std::size_t start = 0;
  while (true) {
    const std::size_t amp = query.find_first_of("&;", start);
    const std::string_view param = query.substr(start, amp == std::string_view::npos ? amp : amp - start);
    const std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) {
      visit(param, std::string_view(), false);
    } else {
      visit(param.substr(0, eq), param.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
}

// The userinfo of "scheme://userinfo@host...", if the text has that shape: its first '/', '?' or
// '#' is the one of "://" (a "://" further on is inside a path or query, not an authority).
inline bool userinfo_of(std::string_view url, std::string_view& userinfo) {
  const std::size_t slashes = url.find("://");
  if (slashes == std::string_view::npos || url.find_first_of("/?#") != slashes + 1) return false;
  const std::size_t start = slashes + 3;
  std::size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  const std::string_view authority = url.substr(start, end - start);
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return false;
  userinfo = authority.substr(0, at);
  return true;
}

// True when the URL surely carries credentials: userinfo, or a surely-secret query parameter.
inline bool surely_has_credentials(std::string_view url) {
  std::string_view ignored;
  if (userinfo_of(url, ignored)) return true;
  std::string_view query;
  if (!query_of(url, query)) return false;
  bool secret = false;
  for_each_param(query, [&](std::string_view name, std::string_view, bool) {
    if (surely_secret_name(name)) secret = true;
  });
  return secret;
}

// A value that redaction must hide and that can be looked for: made of token characters only
// (so no escaping, "***" or "..." added by the core can spell it) and present once in the input
// (so it cannot legitimately appear elsewhere in the output).
inline bool trackable_secret(std::string_view input, std::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return count_occurrences(lowercase(input), lowercase(value)) == 1;
}

}  // namespace fuzz

#define FUZZ_CHECK(cond, detail)                                          \
  do {                                                                    \
    if (!(cond)) ::fuzz::fail(#cond, __FILE__, __LINE__, (detail));       \
  } while (0)
