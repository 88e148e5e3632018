#include "artifact_url.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ascii.h"
#include "message_text.h"

namespace coc {
namespace {

constexpr std::string_view kRedacted = "***";
// URLs echoed in error messages are cut to this many characters.
constexpr std::size_t kMaxEchoChars = 200;
constexpr std::uint32_t kMaxPort = 65535;

// Query parameter (and header) names whose values are secrets, compared case-insensitively after
// percent-decoding. A name is secret when it
//  - is one of kSecretNames: signed-URL parts that carry or bind the signature and do not match a
//    pattern below: sig, policy (CloudFront, which Hugging Face's CDN redirects use), googleaccessid
//    (GCS V2), and every Azure SAS field (se, sp, sv, st, sr, ss, srt, spr, sip, si, sdd, ses, skoid,
//    sktid, skt, ske, sks, skv, saoid, suoid, scid, rscc, rscd, rsce, rscl, rsct): together they
//    describe a grant that only sig makes usable, and hiding them all keeps a SAS URL whole secret;
//  - contains token, key, secret, password, credential or signature (access_token, api_key,
//    client_secret, X-Amz-Security-Token, X-Amz-Credential, X-Goog-Signature, Key-Pair-Id, ...);
//  - starts with auth (auth, authorization, auth_token).
// A false positive (a parameter "keys" or "author") only costs that URL its persistence and its
// shared storage; a false negative leaks a secret, so the rule errs on the side of hiding.
constexpr std::string_view kSecretNames[] = {
    "sig",  "policy", "googleaccessid", "se",  "sp",  "sv",    "st",    "sr",   "ss",  "srt",
    "spr",  "sip",    "si",             "sdd", "ses", "skoid", "sktid", "skt",  "ske", "sks",
    "skv",  "saoid",  "suoid",          "scid", "rscc", "rscd", "rsce", "rscl", "rsct",
};
constexpr std::string_view kSecretNameParts[] = {"token", "key", "secret", "password", "credential", "signature"};
constexpr std::string_view kSecretNamePrefixes[] = {"auth"};

struct MediaType {
  std::string_view extension;  // without the dot, lowercase
  std::string_view type;
};

// What responses served from storage are labelled with; instantiateStreaming refuses a .wasm
// response that is not application/wasm.
constexpr MediaType kMediaTypes[] = {
    {"json", "application/json"},
    {"wasm", "application/wasm"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/plain; charset=utf-8"},
};
constexpr std::string_view kDefaultMediaType = "application/octet-stream";

// RFC 3986 reg-name without percent-encoding: unreserved and sub-delims.
bool is_host_char(char c) {
  if (is_ascii_alpha(c) || is_ascii_digit(c)) return true;
  constexpr std::string_view kOther = "-._~!$&'()*+,;=";
  return kOther.find(c) != std::string_view::npos;
}

// ---- redaction ---------------------------------------------------------------------------------

// The query with the value of every secret parameter replaced; found_secret tells whether there
// was one. Parameters are split on '&' as URLSearchParams does, and on ';' as many servers
// (and the HTML 4 recommendation) do, so "a=1;token=x" hides x.
std::string redact_query(std::string_view query, bool& found_secret) {
  std::string out;
  out.reserve(query.size());
  std::size_t start = 0;
  while (true) {
    const std::size_t amp = query.find_first_of("&;", start);
    const std::string_view param =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    const std::size_t eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    if (is_secret_query_name(percent_decode(name))) {
      found_secret = true;
      out += name;
      if (eq != std::string_view::npos) {
        out += '=';
        out += kRedacted;
      }
    } else {
      out += param;
    }
    if (amp == std::string_view::npos) break;
    out += query[amp];
    start = amp + 1;
  }
  return out;
}

}  // namespace

// Best-effort redaction of text that failed to parse, for error messages only. It errs on the
// side of hiding: anything before the last '@' of the part before the query is treated as
// userinfo, and the fragment is dropped as storage keys drop it.
std::string redact_url_loosely(std::string_view text) {
  text = text.substr(0, text.find('#'));
  const std::size_t question = text.find('?');
  const std::string_view head = text.substr(0, question);
  std::string out;
  const std::size_t at = head.rfind('@');
  if (at == std::string_view::npos) {
    out = std::string(head);
  } else {
    std::size_t start = head.find("//");
    if (start != std::string_view::npos && start < at) {
      start += 2;
    } else {
      const std::size_t colon = head.find(':');
      start = (colon != std::string_view::npos && colon < at) ? colon + 1 : 0;
    }
    out = std::string(head.substr(0, start));
    out += kRedacted;
    out += head.substr(at);
  }
  if (question != std::string_view::npos) {
    bool ignored = false;
    out += '?';
    out += redact_query(text.substr(question + 1), ignored);
  }
  return out;
}

namespace {

// Text for a message: control characters and non-ASCII escaped, long text cut.
std::string printable(std::string_view text) { return message_text(text, kMaxEchoChars); }

[[noreturn]] void fail(std::string_view url, const std::string& reason) {
  throw std::invalid_argument("invalid artifact URL '" + printable(redact_url_loosely(url)) + "': " + reason);
}

// ---- splitting ---------------------------------------------------------------------------------

struct UrlParts {
  std::string scheme;  // lowercased
  bool has_userinfo = false;
  std::string_view userinfo;
  std::string host;  // lowercased; IPv6 literals keep their brackets
  bool has_port = false;
  std::string_view port;
  std::string_view rest;  // path, query and fragment as given
  std::string_view path;
  bool has_query = false;
  std::string_view query;
};

// Returns the lowercased scheme and the index just after its ':'.
std::string parse_scheme(std::string_view url, std::size_t& after) {
  const std::size_t end = url.find_first_of(":/?#");
  if (end == std::string_view::npos || url[end] != ':' || end == 0) {
    if (url.substr(0, 2) == "//") fail(url, "scheme-relative URL; an absolute http(s) URL is required");
    fail(url, "not an absolute URL (no scheme); an absolute http(s) URL is required");
  }
  const std::string_view scheme = url.substr(0, end);
  bool valid = is_ascii_alpha(scheme[0]);
  for (char c : scheme) {
    valid = valid && (is_ascii_alpha(c) || is_ascii_digit(c) || c == '+' || c == '-' || c == '.');
  }
  if (!valid) fail(url, "not an absolute URL (invalid scheme)");
  std::string lowered = to_lower_ascii(scheme);
  if (lowered != "http" && lowered != "https") {
    fail(url, "unsupported scheme '" + printable(lowered) + "'; only http and https are supported");
  }
  after = end + 1;
  return lowered;
}

// Spaces, control characters and backslashes are things a browser would rewrite (percent-encode,
// strip or turn into '/'), so the key we computed would not match; refuse rather than guess.
void check_characters(std::string_view url) {
  for (std::size_t i = 0; i < url.size(); ++i) {
    const auto byte = static_cast<unsigned char>(url[i]);
    if (byte == ' ') fail(url, "contains a space at position " + std::to_string(i));
    if (byte < 0x20 || byte == 0x7f) fail(url, "contains a control character at position " + std::to_string(i));
    if (byte == '\\') fail(url, "contains a backslash at position " + std::to_string(i));
  }
}

void check_ipv6(std::string_view url, std::string_view literal) {
  // literal is the part between the brackets; a full IPv6 grammar check is the browser's job,
  // this only keeps obvious junk out of keys and endpoints.
  if (literal.empty()) fail(url, "empty IPv6 literal");
  bool has_colon = false;
  for (char c : literal) {
    if (c == ':') {
      has_colon = true;
    } else if (!is_hex_digit(c) && c != '.') {
      fail(url, "invalid character in IPv6 literal");
    }
  }
  if (!has_colon) fail(url, "invalid IPv6 literal");
}

// The port is not echoed: with a '/' in a password, "user:pass" can end up read as host:port.
void check_port(std::string_view url, std::string_view port) {
  if (port.empty()) fail(url, "empty port");
  std::uint32_t value = 0;
  for (char c : port) {
    if (!is_ascii_digit(c)) fail(url, "port is not a number");
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
    if (value > kMaxPort) fail(url, "port is out of range (0-65535)");
  }
}

void parse_authority(std::string_view url, std::string_view authority, UrlParts& parts) {
  // The last '@' ends the userinfo, as in the URL standard (a password may contain '@').
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    parts.has_userinfo = true;
    parts.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  std::size_t host_end = 0;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) fail(url, "unterminated IPv6 literal");
    check_ipv6(url, authority.substr(1, close - 1));
    host_end = close + 1;
    if (host_end < authority.size() && authority[host_end] != ':') {
      fail(url, "unexpected characters after IPv6 literal");
    }
  } else {
    host_end = authority.find(':');
    if (host_end == std::string_view::npos) host_end = authority.size();
    if (host_end == 0) fail(url, "empty host");
    for (char c : authority.substr(0, host_end)) {
      if (!is_host_char(c)) fail(url, "invalid character '" + printable(std::string_view(&c, 1)) + "' in host");
    }
  }
  parts.host = to_lower_ascii(authority.substr(0, host_end));
  if (host_end < authority.size()) {
    parts.has_port = true;
    parts.port = authority.substr(host_end + 1);
    check_port(url, parts.port);
  }
}

UrlParts split_url(std::string_view url) {
  if (url.empty()) fail(url, "empty URL");
  UrlParts parts;
  std::size_t pos = 0;
  parts.scheme = parse_scheme(url, pos);
  check_characters(url);
  if (url.substr(pos, 2) != "//") fail(url, "expected '//' after '" + parts.scheme + ":'");
  pos += 2;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", pos), url.size());
  const std::string_view authority = url.substr(pos, authority_end - pos);
  if (authority.empty()) fail(url, "empty host");
  parse_authority(url, authority, parts);

  parts.rest = url.substr(authority_end);
  const std::size_t hash = parts.rest.find('#');
  const std::string_view before_fragment = parts.rest.substr(0, hash);
  const std::size_t question = before_fragment.find('?');
  parts.path = before_fragment.substr(0, question);
  if (question != std::string_view::npos) {
    parts.has_query = true;
    parts.query = before_fragment.substr(question + 1);
  }
  return parts;
}

std::string origin_of(const UrlParts& parts) {
  std::string out = parts.scheme + "://" + parts.host;
  if (parts.has_port) {
    out += ':';
    out += parts.port;
  }
  return out;
}

// ---- hub recognition ---------------------------------------------------------------------------

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty()) return segments;
  path.remove_prefix(1);  // the path of an absolute URL starts with '/'
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool is_repo_type_segment(std::string_view segment) { return segment == "datasets" || segment == "spaces"; }

// Empty and dot segments ("." "..", also percent-encoded) would be collapsed or rewritten by a
// browser or server, so a URL containing them is not treated as naming a hub file.
bool is_plain_segment(std::string_view segment) {
  if (segment.empty()) return false;
  const std::string decoded = to_lower_ascii(percent_decode(segment));
  return decoded != "." && decoded != "..";
}

bool is_commit_hash(std::string_view revision) {
  return revision.size() == 40 && is_lower_hex(revision);
}

std::string join(const std::vector<std::string_view>& segments, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) out += '/';
    out += segments[i];
  }
  return out;
}

// {endpoint}/[datasets/|spaces/]{org/name | name}/resolve/{revision}/{path...}
void recognise_hub(const UrlParts& parts, ArtifactUrl& out) {
  const std::vector<std::string_view> seg = split_segments(parts.path);
  const std::size_t n = seg.size();
  std::size_t i = 1;
  while (i + 2 < n && seg[i] != "resolve") ++i;
  if (i + 2 >= n) return;
  // A single-name repo followed by "resolve" reads two ways: /alice/resolve/resolve/main/x is repo
  // alice/resolve's x to a hub that routes two-part names first, and single-name alice's main/x by
  // the first marker. Which one the hub serves cannot be known here, so such a URL is no hub's: its
  // bytes decide, and no repo's answer is taken for another's file.
  const bool single_name = i == 1 || (i >= 2 && is_repo_type_segment(seg[i - 2]));
  if (single_name && i + 3 < n && seg[i + 1] == "resolve") return;
  for (std::string_view s : seg) {
    if (!is_plain_segment(s)) return;
  }

  std::size_t repo_start = 0;  // first segment of the repo id
  std::string_view type_segment;
  if (i >= 2 && is_repo_type_segment(seg[i - 2])) {
    // datasets/{name}: a typed single-name repo (the hub reserves these names for the types).
    repo_start = i - 1;
    type_segment = seg[i - 2];
  } else if (i >= 2) {
    repo_start = i - 2;
    if (repo_start >= 1 && is_repo_type_segment(seg[repo_start - 1])) type_segment = seg[repo_start - 1];
  } else {
    repo_start = 0;  // legacy single-name model repo such as gpt2
  }
  const std::size_t prefix_end = type_segment.empty() ? repo_start : repo_start - 1;

  out.is_hub = true;
  out.endpoint = origin_of(parts);
  for (std::size_t k = 0; k < prefix_end; ++k) {
    out.endpoint += '/';
    out.endpoint += seg[k];
  }
  out.repo_type = type_segment == "datasets" ? "dataset" : type_segment == "spaces" ? "space" : "model";
  out.repo_id = join(seg, repo_start, i);
  out.revision_raw = std::string(seg[i + 1]);
  out.revision = percent_decode(out.revision_raw);
  out.path_raw = join(seg, i + 2, n);
  out.path = percent_decode(out.path_raw);
  out.immutable = is_commit_hash(out.revision);

  out.pointer_url = out.endpoint + '/';
  if (!type_segment.empty()) {
    out.pointer_url += type_segment;
    out.pointer_url += '/';
  }
  out.pointer_url += out.repo_id + "/raw/" + out.revision_raw + '/' + out.path_raw;
  if (!parts.query.empty()) {
    out.pointer_url += '?';
    out.pointer_url += parts.query;
  }
}

}  // namespace

bool is_secret_query_name(std::string_view name) {
  const std::string lowered = to_lower_ascii(name);
  for (std::string_view secret : kSecretNames) {
    if (lowered == secret) return true;
  }
  for (std::string_view part : kSecretNameParts) {
    if (lowered.find(part) != std::string::npos) return true;
  }
  for (std::string_view prefix : kSecretNamePrefixes) {
    if (lowered.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

std::string_view media_type_for_path(std::string_view path) {
  const std::string_view name = path.substr(path.rfind('/') + 1);  // npos + 1 is 0: the whole path
  const std::size_t dot = name.rfind('.');
  // No dot, or only a leading one: a name such as ".gitattributes" has no extension.
  if (dot == std::string_view::npos || dot == 0) return kDefaultMediaType;
  const std::string_view extension = name.substr(dot + 1);
  for (const MediaType& known : kMediaTypes) {
    if (equals_ignore_case(extension, known.extension)) return known.type;
  }
  return kDefaultMediaType;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    // An invalid or truncated escape stays as it is, as browsers do.
    if (text[i] == '%' && i + 2 < text.size() && is_hex_digit(text[i + 1]) && is_hex_digit(text[i + 2])) {
      out += static_cast<char>(hex_digit_value(text[i + 1]) * 16 + hex_digit_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

ArtifactUrl parse_artifact_url(std::string_view url) {
  const UrlParts parts = split_url(url);
  ArtifactUrl out;

  std::string authority_prefix = parts.scheme + "://";
  if (parts.has_userinfo) {
    out.href = authority_prefix + std::string(parts.userinfo) + '@';
    out.redacted = authority_prefix + std::string(kRedacted) + '@';
  } else {
    out.href = authority_prefix;
    out.redacted = authority_prefix;
  }
  out.has_userinfo = parts.has_userinfo;
  out.userinfo = std::string(parts.userinfo);
  out.origin = origin_of(parts);
  std::string host_port = out.origin.substr(authority_prefix.size());
  out.href += host_port;
  out.href += parts.rest;
  out.fetch_url = out.origin + std::string(parts.rest.substr(0, parts.rest.find('#')));
  out.storage_key = out.href.substr(0, out.href.find('#'));

  bool secret_in_query = false;
  out.redacted += host_port;
  out.redacted += parts.path;
  if (parts.has_query) {
    out.redacted += '?';
    out.redacted += redact_query(parts.query, secret_in_query);
  }
  out.has_credentials = parts.has_userinfo || secret_in_query;

  recognise_hub(parts, out);
  // A hub URL's path is the repo file's path; any other URL's is its whole path.
  const std::string decoded_path = out.is_hub ? out.path : percent_decode(parts.path);
  out.media_type = std::string(media_type_for_path(decoded_path));
  return out;
}

std::string served_media_type(std::string_view stored_type, std::string_view url_media_type) {
  if (stored_type.empty() || stored_type == "application/octet-stream") return std::string(url_media_type);
  return std::string(stored_type);
}

}  // namespace coc
