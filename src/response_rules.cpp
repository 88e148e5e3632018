#include "response_rules.h"

#include "ascii.h"
#include "message_text.h"

namespace coc {

namespace {

// A Vary header naming "*" (any of its comma-separated members, spaces around ignored).
bool varies_on_everything(std::string_view vary) {
  while (!vary.empty()) {
    std::size_t comma = vary.find(',');
    std::string_view member = vary.substr(0, comma);
    while (!member.empty() && is_ascii_whitespace(member.front())) member.remove_prefix(1);
    while (!member.empty() && is_ascii_whitespace(member.back())) member.remove_suffix(1);
    if (member == "*") return true;
    if (comma == std::string_view::npos) break;
    vary.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string download_refusal(int status, bool has_body, bool range_asked, bool opaque_redirect) {
  // Only a request sent with redirect: "manual" sees a redirect (RequestPlan::follows_redirects).
  const bool redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  if (opaque_redirect || redirect) {
    return (opaque_redirect ? std::string("a redirect") : "HTTP " + std::to_string(status) + ", a redirect,") +
           " not followed: the request carries a credential header other than Authorization, which fetch would send "
           "on to the redirect's target";
  }
  if (status < 200 || status > 299) return "HTTP " + std::to_string(status);
  // Only a range request of ours may be answered in part, and downloads of a whole file are not.
  if (status == 206 && !range_asked) return "HTTP 206: a part of the file was sent for a request of all of it";
  if (status == 204 || status == 205) return "HTTP " + std::to_string(status) + ": the response has no content";
  if (!has_body) return "HTTP " + std::to_string(status) + ": the response has no body";
  return "";
}

bool is_cacheable_method(std::string_view method) { return method == "GET"; }

std::string load_refusal(std::string_view method) {
  if (is_cacheable_method(method)) return "";
  return "only GET requests can be loaded through the cache, not " + message_text(method);
}

std::string put_refusal(std::string_view method, int status, std::string_view vary, bool has_body,
                        bool body_used) {
  if (!is_cacheable_method(method)) {
    return "put: only GET requests can be stored, not " + message_text(method);
  }
  if (status == 206) return "put: a 206 partial response cannot be stored";
  if (varies_on_everything(vary)) return "put: a response with 'Vary: *' cannot be stored";
  if (status < 200 || status > 299) return "put: refusing to store a response with status " + std::to_string(status);
  if (body_used) return "put: the response's body was already read";
  if (!has_body) return "put: expected a Response with a body";
  return "";
}

}  // namespace coc
