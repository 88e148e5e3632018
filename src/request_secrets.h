// What a caller's request means for secrecy: whether its bytes are private, which of its values
// are secrets, how to fetch a URL that carries userinfo, whom its headers may be sent to; and the
// redaction every text leaving the package goes through. Sans-IO: the shim extracts the facts
// (URL, header names and values, credentials mode) and applies the answers.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace coc {

// Known secrets shorter than this are hidden only where they stand in a URL: replacing every
// occurrence of two or three characters would garble messages without protecting much.
inline constexpr std::size_t kMinKnownSecretChars = 4;
// How many known secret values a cache keeps for redaction (the most recent ones).
inline constexpr std::size_t kMaxKnownSecrets = 256;

struct RequestHeader {
  std::string name;
  std::string value;
};

struct RequestFacts {
  std::string url;
  std::vector<RequestHeader> headers;  // the caller's request headers ({} for a bare URL)
  std::string credentials;             // the Request's credentials mode ("" for a bare URL)
};

struct RequestPlan {
  // Bytes fetched for this request are the caller's alone: stored without `origins` (same-site
  // only). True when the URL carries credentials (userinfo, a secret query parameter), a header
  // names a credential (is_credential_header), or credentials mode is "include" (cookies sent to
  // any origin, so the answer may be the user's own).
  bool is_private = false;
  // Work in flight is shared only by requests of one partition: "" for requests without
  // credential headers or cookies, else a SHA-256 of them, so a request never takes the answer of
  // one made with other credentials.
  std::string partition;
  // The URL to hand to fetch(): without userinfo (fetch refuses those, quoting the URL whole).
  std::string fetch_url;
  // Headers to add to every request sent for this one to its own origin: the userinfo as
  // "Authorization: Basic", unless the caller gave an Authorization header ("" when none).
  std::string authorization;
  // Values to hide in any text that leaves the package.
  std::vector<std::string> secrets;
  // Redirects may be followed. fetch() drops only Authorization when a redirect leaves the origin,
  // so a request that carries any other credential header (X-Api-Key, ...) is not followed
  // through a redirect (the shim sends it with redirect: "manual"): the redirect fails the load
  // (download_refusal says why) rather than hand the header to whatever server it names.
  bool follows_redirects = true;
};

// Throws std::invalid_argument (message redacted) when facts.url is not an http(s) URL.
RequestPlan plan_request(const RequestFacts& facts);

// A header whose value is a credential: Authorization, Proxy-Authorization, Cookie, or a name
// is_secret_query_name calls secret (X-Api-Key, X-Auth-Token, ...). Case-insensitive.
bool is_credential_header(std::string_view name);

// Whether a request made for file_url may carry the caller's headers to target_url: only to the
// same origin (scheme, host and port), so a token never reaches another server. False when either
// is not a URL.
bool forwards_credentials(std::string_view file_url, std::string_view target_url);

// The secret values a URL carries: the password of its userinfo (the whole userinfo when it has
// no ':'), the values of its secret query parameters; each as written and percent-decoded.
std::vector<std::string> url_secrets(std::string_view url);

// The secret values a credential header carries: the whole value; for "Scheme param" the param;
// for Basic also the decoded "user:password" and the password; for Cookie each cookie's value.
std::vector<std::string> header_secrets(std::string_view name, std::string_view value);

// Text that leaves the package (error messages, event fields), with every URL in it redacted
// (redact_url_loosely: userinfo and secret query values hidden, fragment dropped) and every
// occurrence of each known secret of at least kMinKnownSecretChars replaced by "***". A URL starts
// at a scheme followed by "://" and runs to whitespace or a control character.
std::string redact_text(std::string_view text, const std::vector<std::string>& secrets);

// Whether text holds a URL that carries a secret (userinfo, a secret query parameter), as
// redact_text finds URLs: what may not be persisted (a fragment is no secret).
bool text_carries_secret(std::string_view text);

}  // namespace coc
