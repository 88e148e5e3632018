#include <catch2/catch.hpp>

#include <string>

#include "response_rules.h"

using coc::download_refusal;
using coc::put_refusal;

TEST_CASE("a download is used only when it is a whole file with a body", "[response_rules]") {
  CHECK(download_refusal(200, true).empty());
  CHECK(download_refusal(203, true).empty());
  CHECK(download_refusal(204, false) == "HTTP 204: the response has no content");
  CHECK(download_refusal(204, true) == "HTTP 204: the response has no content");
  CHECK(download_refusal(205, false).find("no content") != std::string::npos);
  CHECK(download_refusal(206, true).find("a part of the file") != std::string::npos);
  CHECK(download_refusal(206, true, /*range_asked=*/true).empty());  // a paced download's first range
  CHECK(download_refusal(416, true, /*range_asked=*/true) == "HTTP 416");
  CHECK(download_refusal(200, false) == "HTTP 200: the response has no body");
  CHECK(download_refusal(404, true) == "HTTP 404");
  CHECK(download_refusal(304, false) == "HTTP 304");
  CHECK(download_refusal(0, false) == "HTTP 0");
  // A redirect not followed (redirect: "manual"): a browser's opaque one, or Node's as it came.
  const std::string why = "not followed: the request carries a credential header other than Authorization, which "
                          "fetch would send on to the redirect's target";
  CHECK(download_refusal(0, false, false, /*opaque_redirect=*/true) == "a redirect " + why);
  for (const int status : {301, 302, 303, 307, 308}) {
    CHECK(download_refusal(status, true) == "HTTP " + std::to_string(status) + ", a redirect, " + why);
  }
  CHECK(download_refusal(304, true) == "HTTP 304");  // not a redirect
}

TEST_CASE("put refuses what the Cache API refuses", "[response_rules]") {
  CHECK(put_refusal("GET", 200, "", true, false).empty());
  CHECK(put_refusal("GET", 200, "Accept-Encoding, Origin", true, false).empty());
  CHECK(put_refusal("POST", 200, "", true, false).find("only GET") != std::string::npos);
  CHECK(put_refusal("HEAD", 200, "", true, false).find("HEAD") != std::string::npos);
  CHECK(put_refusal("GET", 206, "", true, false).find("206") != std::string::npos);
  CHECK(put_refusal("GET", 200, "*", true, false).find("Vary") != std::string::npos);
  CHECK(put_refusal("GET", 200, "Origin, * ", true, false).find("Vary") != std::string::npos);
  CHECK(put_refusal("GET", 200, "Origin,*", true, false).find("Vary") != std::string::npos);
  CHECK(put_refusal("GET", 200, "x*", true, false).empty());
  CHECK(put_refusal("GET", 404, "", true, false).find("status 404") != std::string::npos);
  CHECK(put_refusal("GET", 200, "", true, true).find("already read") != std::string::npos);
  CHECK(put_refusal("GET", 200, "", false, false).find("with a body") != std::string::npos);
}

TEST_CASE("only GET lookups can match", "[response_rules]") {
  CHECK(coc::is_cacheable_method("GET"));
  CHECK_FALSE(coc::is_cacheable_method("POST"));
  CHECK_FALSE(coc::is_cacheable_method("get"));
}

TEST_CASE("a load through the cache is a GET", "[response_rules]") {
  CHECK(coc::load_refusal("GET").empty());
  CHECK(coc::load_refusal("POST") == "only GET requests can be loaded through the cache, not POST");
  CHECK(coc::load_refusal("HEAD").find("not HEAD") != std::string::npos);
  CHECK(coc::load_refusal("get").find("not get") != std::string::npos);  // Request normalises; a raw name is not
}
