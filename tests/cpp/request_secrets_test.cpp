#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "request_secrets.h"

using coc::RequestFacts;
using coc::plan_request;
using coc::redact_text;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("redact_text hides every URL's credentials in platform messages", "[secrets]") {
  // As undici and Chromium word them: the URL is quoted whole.
  const std::string undici =
      "Request cannot be constructed from a URL that includes credentials: https://user:hunter22@hub.example/o/m/resolve/main/w.bin";
  const std::string chromium =
      "Failed to execute 'fetch' on 'Window': Request cannot be constructed from a URL that includes credentials: "
      "https://user:hunter22@hub.example/o/m/resolve/main/w.bin?token=hf_QUERY1&a=1";
  const std::string quoted = "Failed to parse URL from \"http://u:hun/ter22@h/x\", then 'https://h/y?sig=SIGVAL;z=1'.";
  for (const std::string& text : {undici, chromium, quoted}) {
    INFO(text);
    const std::string out = redact_text(text, {});
    CHECK_FALSE(contains(out, "hunter22"));
    CHECK_FALSE(contains(out, "ter22"));
    CHECK_FALSE(contains(out, "hf_QUERY1"));
    CHECK_FALSE(contains(out, "SIGVAL"));
  }
  CHECK(redact_text(undici, {}) ==
        "Request cannot be constructed from a URL that includes credentials: https://***@hub.example/o/m/resolve/main/w.bin");
  CHECK(redact_text(quoted, {}) == "Failed to parse URL from \"http://***@h/x\", then 'https://h/y?sig=***;z=1'.");
  // A quote inside a URL as given does not end it.
  CHECK(redact_text("fetch 'http://h/x'?a=\"&token=AFTERQUOTE' failed", {}) == "fetch 'http://h/x'?a=\"&token=*** failed");
}

TEST_CASE("redact_text leaves text without secrets as it is", "[secrets]") {
  for (const std::string text : {"", "HTTP 404", "fetching https://hub.example/o/m/resolve/main/w.bin failed: HTTP 500",
                                 "a :// b", "1://x", "entry 3: \"https://h/x\": not a record"}) {
    INFO(text);
    CHECK(redact_text(text, {"unrelated-secret"}) == text);
  }
}

TEST_CASE("redact_text hides known secrets wherever they stand", "[secrets]") {
  const std::string out = redact_text("server said: bad token Bearer hf_KNOWN_1234 (hf_KNOWN_1234) and abc",
                                      {"Bearer hf_KNOWN_1234", "hf_KNOWN_1234", "abc"});
  CHECK(out == "server said: bad token *** (***) and abc");  // "abc" is too short to be hunted
}

TEST_CASE("plan_request: privacy, partition, fetch URL and secrets", "[secrets]") {
  const std::string file = "https://hub.example/o/m/resolve/main/w.bin";

  const auto plain = plan_request({file, {}, ""});
  CHECK_FALSE(plain.is_private);
  CHECK(plain.partition.empty());
  CHECK(plain.fetch_url == file);
  CHECK(plain.authorization.empty());
  CHECK(plain.secrets.empty());

  const auto same_origin = plan_request({file, {{"Accept", "*/*"}}, "same-origin"});
  CHECK_FALSE(same_origin.is_private);
  CHECK(same_origin.partition.empty());

  const auto bearer = plan_request({file, {{"authorization", "Bearer hf_abcdef"}}, "same-origin"});
  CHECK(bearer.is_private);
  CHECK(bearer.partition.size() == 64);
  CHECK(bearer.authorization.empty());  // the caller's header goes as it is
  CHECK(std::find(bearer.secrets.begin(), bearer.secrets.end(), "hf_abcdef") != bearer.secrets.end());

  const auto other = plan_request({file, {{"Authorization", "Bearer hf_other"}}, ""});
  CHECK(other.partition != bearer.partition);
  CHECK(plan_request({file, {{"AUTHORIZATION", " Bearer hf_abcdef "}}, ""}).partition == bearer.partition);

  for (const char* header : {"Cookie", "Proxy-Authorization", "X-Api-Key", "X-Auth-Token"}) {
    INFO(header);
    const auto planned = plan_request({file, {{header, "v=secret1"}}, ""});
    CHECK(planned.is_private);
    CHECK_FALSE(planned.partition.empty());
  }

  const auto cookies = plan_request({file, {}, "include"});
  CHECK(cookies.is_private);
  CHECK_FALSE(cookies.partition.empty());

  const auto query = plan_request({file + "?token=hf_inquery", {}, ""});
  CHECK(query.is_private);
  CHECK(query.partition.empty());  // the URL itself differs, and so does its key
  CHECK(query.secrets == std::vector<std::string>{"hf_inquery"});

  const auto userinfo = plan_request({"https://us%40er:p%3Ass@hub.example/o/m/resolve/main/w.bin#f", {}, ""});
  CHECK(userinfo.is_private);
  CHECK(userinfo.fetch_url == file);
  CHECK(userinfo.authorization == "Basic dXNAZXI6cDpzcw==");  // base64 of "us@er:p:ss"
  for (const char* secret : {"p%3Ass", "p:ss", "dXNAZXI6cDpzcw==", "us@er:p:ss"}) {
    INFO(secret);
    CHECK(std::find(userinfo.secrets.begin(), userinfo.secrets.end(), secret) != userinfo.secrets.end());
  }
  // The caller's own Authorization wins over the userinfo.
  CHECK(plan_request({"https://u:p@hub.example/x", {{"Authorization", "Bearer t"}}, ""}).authorization.empty());

  CHECK_THROWS_AS(plan_request({"ftp://u:pw@h/x", {}, ""}), std::invalid_argument);
}

TEST_CASE("header_secrets of cookies and Basic credentials", "[secrets]") {
  const auto cookie = coc::header_secrets("Cookie", "a=one1; session=two2");
  CHECK(std::find(cookie.begin(), cookie.end(), "one1") != cookie.end());
  CHECK(std::find(cookie.begin(), cookie.end(), "two2") != cookie.end());
  CHECK(coc::header_secrets("Accept", "text/plain").empty());
}

TEST_CASE("credentials are forwarded to the same origin only", "[secrets]") {
  const std::string file = "https://hub.example/o/m/resolve/main/w.bin";
  CHECK(coc::forwards_credentials(file, "https://hub.example/api/models/o/m/tree/main?recursive=true"));
  CHECK(coc::forwards_credentials(file, "https://HUB.example/o/m/raw/main/w.bin"));
  CHECK(coc::forwards_credentials("https://u:p@hub.example/x", "https://hub.example/y"));
  CHECK_FALSE(coc::forwards_credentials(file, "https://cdn.hub.example/o/m/w.bin"));
  CHECK_FALSE(coc::forwards_credentials(file, "http://hub.example/o/m/raw/main/w.bin"));
  CHECK_FALSE(coc::forwards_credentials(file, "https://hub.example:8443/x"));
  CHECK_FALSE(coc::forwards_credentials(file, "not a url"));
}

TEST_CASE("plan_request: redirects are followed unless a credential header fetch would pass on is carried",
          "[secrets][redirect]") {
  const std::string url = "https://hub.example/o/m/resolve/main/w.bin";
  CHECK(plan_request(RequestFacts{url, {}, ""}).follows_redirects);
  CHECK(plan_request(RequestFacts{url, {{"X-Custom", "v"}}, ""}).follows_redirects);  // not a credential
  // fetch drops Authorization when a redirect leaves the origin; userinfo goes as Authorization.
  CHECK(plan_request(RequestFacts{url, {{"Authorization", "Bearer hf_abc"}}, ""}).follows_redirects);
  CHECK(plan_request(RequestFacts{"https://u:p@hub.example/o/m/resolve/main/w.bin", {}, ""}).follows_redirects);
  CHECK(plan_request(RequestFacts{url, {}, "include"}).follows_redirects);  // cookies go by origin
  // Any other credential header would go along to the redirect's target.
  for (const char* name : {"X-Api-Key", "x-auth-token", "Proxy-Authorization", "Cookie"}) {
    INFO(name);
    CHECK_FALSE(plan_request(RequestFacts{url, {{name, "secret-value"}}, ""}).follows_redirects);
    CHECK_FALSE(plan_request(RequestFacts{url, {{"Authorization", "Bearer a"}, {name, "secret-value"}}, ""}).follows_redirects);
  }
}

TEST_CASE("text_carries_secret finds a URL with a secret anywhere in text, and a fragment is none", "[request_secrets]") {
  CHECK(coc::text_carries_secret("see https://h.example/m.gguf?token=abc for the file"));
  CHECK(coc::text_carries_secret("https://user:pw@h.example/m.gguf"));
  CHECK(coc::text_carries_secret("https://h.example/m.gguf?access_token"));  // a secret name, no value
  CHECK_FALSE(coc::text_carries_secret("https://huggingface.co/org/gguf#usage"));
  CHECK_FALSE(coc::text_carries_secret("https://h.example/m.gguf?revision=main"));
  CHECK_FALSE(coc::text_carries_secret("token=abc, no URL here"));
  CHECK_FALSE(coc::text_carries_secret(""));
}
