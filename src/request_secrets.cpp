#include "request_secrets.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "artifact_url.h"
#include "ascii.h"
#include "sha256.h"

namespace coc {
namespace {

constexpr std::string_view kRedacted = "***";
constexpr std::string_view kBase64Digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64Digits[(n >> shift) & 63];
  }
  const std::size_t left = bytes.size() - i;
  if (left > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (left == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kBase64Digits[(n >> 18) & 63];
    out += kBase64Digits[(n >> 12) & 63];
    out += left == 2 ? kBase64Digits[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Standard base64, padding optional; false on anything else.
bool base64_decode(std::string_view text, std::string& out) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const std::size_t digit = kBase64Digits.find(c);
    if (digit == std::string_view::npos) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(digit);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_ascii_whitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ascii_whitespace(text.back())) text.remove_suffix(1);
  return text;
}

void add_secret(std::vector<std::string>& secrets, std::string_view value) {
  if (value.empty()) return;
  if (std::find(secrets.begin(), secrets.end(), value) == secrets.end()) secrets.emplace_back(value);
}

// The value as written and percent-decoded.
void add_both_spellings(std::vector<std::string>& secrets, std::string_view value) {
  add_secret(secrets, value);
  add_secret(secrets, percent_decode(value));
}

bool is_scheme_char(char c) {
  return is_ascii_alpha(c) || is_ascii_digit(c) || c == '+' || c == '-' || c == '.';
}

// Where a URL in running text ends. Not at a quote or bracket: a URL as given may hold one, and
// a secret after it would show; a closing quote taken in is at worst hidden with the URL's tail.
bool ends_url(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7f;
}

void replace_all(std::string& text, std::string_view needle) {
  std::size_t at = text.find(needle);
  while (at != std::string::npos) {
    text.replace(at, needle.size(), kRedacted);
    at = text.find(needle, at + kRedacted.size());
  }
}

}  // namespace

bool is_credential_header(std::string_view name) {
  const std::string lowered = to_lower_ascii(trim(name));
  return lowered == "authorization" || lowered == "proxy-authorization" || lowered == "cookie" ||
         is_secret_query_name(lowered);
}

std::vector<std::string> url_secrets(std::string_view url) {
  std::vector<std::string> secrets;
  ArtifactUrl parsed;
  try {
    parsed = parse_artifact_url(url);
  } catch (const std::invalid_argument&) {
    return secrets;  // its error message is redacted already
  }
  if (parsed.has_userinfo) {
    const std::size_t colon = parsed.userinfo.find(':');
    add_both_spellings(secrets, colon == std::string::npos ? std::string_view(parsed.userinfo)
                                                           : std::string_view(parsed.userinfo).substr(colon + 1));
  }
  const std::size_t question = parsed.storage_key.find('?');
  if (question == std::string::npos) return secrets;
  const std::string_view query = std::string_view(parsed.storage_key).substr(question + 1);
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t end = std::min(query.find_first_of("&;", start), query.size());
    const std::string_view param = query.substr(start, end - start);
    const std::size_t eq = param.find('=');
    if (eq != std::string_view::npos && is_secret_query_name(percent_decode(param.substr(0, eq)))) {
      add_both_spellings(secrets, param.substr(eq + 1));
    }
    start = end + 1;
  }
  return secrets;
}

std::vector<std::string> header_secrets(std::string_view name, std::string_view value) {
  std::vector<std::string> secrets;
  if (!is_credential_header(name)) return secrets;
  value = trim(value);
  add_secret(secrets, value);
  const std::string lowered = to_lower_ascii(trim(name));
  if (lowered == "cookie") {
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t end = std::min(value.find(';', start), value.size());
      const std::string_view cookie = value.substr(start, end - start);
      const std::size_t eq = cookie.find('=');
      if (eq != std::string_view::npos) add_secret(secrets, trim(cookie.substr(eq + 1)));
      start = end + 1;
    }
    return secrets;
  }
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos) return secrets;
  const std::string_view param = trim(value.substr(space + 1));
  add_secret(secrets, param);
  std::string decoded;
  if (equals_ignore_case(value.substr(0, space), "basic") && base64_decode(param, decoded)) {
    add_secret(secrets, decoded);
    const std::size_t colon = decoded.find(':');
    if (colon != std::string::npos) add_secret(secrets, std::string_view(decoded).substr(colon + 1));
  }
  return secrets;
}

RequestPlan plan_request(const RequestFacts& facts) {
  const ArtifactUrl url = parse_artifact_url(facts.url);
  RequestPlan plan;
  plan.fetch_url = url.fetch_url;
  plan.secrets = url_secrets(facts.url);

  std::string credential_headers;  // "name:value\n" of each, for the partition
  bool has_authorization = false;
  for (const RequestHeader& header : facts.headers) {
    if (!is_credential_header(header.name)) continue;
    const std::string name = to_lower_ascii(trim(header.name));
    has_authorization = has_authorization || name == "authorization";
    plan.follows_redirects = plan.follows_redirects && name == "authorization";
    credential_headers += name + ':' + std::string(trim(header.value)) + '\n';
    for (const std::string& secret : header_secrets(header.name, header.value)) add_secret(plan.secrets, secret);
  }
  if (url.has_userinfo && !has_authorization) {
    // As browsers sent it before the Fetch standard forbade userinfo in fetched URLs.
    plan.authorization = "Basic " + base64_encode(percent_decode(url.userinfo));
    for (const std::string& secret : header_secrets("Authorization", plan.authorization)) add_secret(plan.secrets, secret);
  }
  const bool sends_cookies = equals_ignore_case(facts.credentials, "include");
  plan.is_private = url.has_credentials || !credential_headers.empty() || sends_cookies;
  if (!credential_headers.empty() || sends_cookies) {
    const std::string identity = credential_headers + (sends_cookies ? "credentials:include\n" : "");
    plan.partition = sha256_hex(reinterpret_cast<const std::uint8_t*>(identity.data()), identity.size());
  }
  return plan;
}

bool forwards_credentials(std::string_view file_url, std::string_view target_url) {
  try {
    return parse_artifact_url(file_url).origin == parse_artifact_url(target_url).origin;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

namespace {

// The [start, end) of each URL in text: a scheme followed by "://", to whitespace or a control
// character.
std::vector<std::pair<std::size_t, std::size_t>> url_spans(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::size_t copied = 0;
  std::size_t search = 0;
  while (true) {
    const std::size_t mark = text.find("://", search);
    if (mark == std::string_view::npos) break;
    std::size_t start = mark;
    while (start > copied && is_scheme_char(text[start - 1])) --start;
    // A scheme starts with a letter; digits or signs before one belong to the text around it.
    while (start < mark && !is_ascii_alpha(text[start])) ++start;
    std::size_t end = mark + 3;
    while (end < text.size() && !ends_url(text[end])) ++end;
    if (start == mark) {
      search = mark + 3;
      continue;
    }
    spans.emplace_back(start, end);
    copied = end;
    search = end;
  }
  return spans;
}

}  // namespace

bool text_carries_secret(std::string_view text) {
  for (const auto& [start, end] : url_spans(text)) {
    const std::string_view url = text.substr(start, end - start);
    try {
      if (parse_artifact_url(url).has_credentials) return true;
    } catch (const std::invalid_argument&) {
      // Not a URL the cache takes: loosely, what redaction would hide.
      if (redact_url_loosely(url).find(kRedacted) != std::string::npos) return true;
    }
  }
  return false;
}

std::string redact_text(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (const auto& [start, end] : url_spans(text)) {
    out.append(text.substr(copied, start - copied));
    out += redact_url_loosely(text.substr(start, end - start));
    copied = end;
  }
  out.append(text.substr(copied));

  // Longest first, so a secret that contains another is hidden whole.
  std::vector<std::string_view> known;
  for (const std::string& secret : secrets) {
    if (secret.size() >= kMinKnownSecretChars) known.emplace_back(secret);
  }
  // An insertion sort written out (at most kMaxKnownSecrets items): std::sort's instantiation took
  // 1.8 KB of the wasm core.
  for (std::size_t i = 1; i < known.size(); ++i) {
    const std::string_view secret = known[i];
    std::size_t at = i;
    for (; at > 0 && known[at - 1].size() < secret.size(); --at) known[at] = known[at - 1];
    known[at] = secret;
  }
  for (std::string_view secret : known) replace_all(out, secret);
  return out;
}

}  // namespace coc
