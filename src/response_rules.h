// Which HTTP responses the cache takes: a download it will serve and store, and what put() is
// handed (the Cache API's own refusals, so the cache behaves as the Cache it stands in for).
#pragma once
#include <string>
#include <string_view>

namespace coc {

// Why a response to a download cannot be used, or "" when it can. has_body: the response has a
// body stream (a 204, or a HEAD answer, has none); range_asked: the request was a paced download's
// first range, which a 206 answers (Transfer::downloaded judges its Content-Range);
// opaque_redirect: a browser's answer to a redirect not followed (type "opaqueredirect", status 0).
std::string download_refusal(int status, bool has_body, bool range_asked = false, bool opaque_redirect = false);

// Why put(request, response) must be refused with a TypeError, or "" when it may be stored.
// method: the request's method ("GET" for a URL); vary: the response's Vary header ("" when
// absent); body_used: the response's body was already read.
std::string put_refusal(std::string_view method, int status, std::string_view vary, bool has_body,
                        bool body_used);

// Whether a Cache-like lookup of a request with this method can find anything (only GET can).
bool is_cacheable_method(std::string_view method);

// Why a load through the cache (tvmjs's fetchWithCache and addToCache) is refused for a request of
// this method, or "": only a GET fetches what the cache keeps by URL (a POST's answer depends on
// its body, which the cache never sends).
std::string load_refusal(std::string_view method);

}  // namespace coc
