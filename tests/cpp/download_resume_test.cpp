#include <catch2/catch.hpp>

#include <string>

#include "download_resume.h"

using coc::DownloadStart;

namespace {
DownloadStart known(std::int64_t total) {
  DownloadStart start;
  start.hash_known = true;
  start.total = total;
  start.etag = "\"abc\"";
  start.accept_ranges = "bytes";
  return start;
}
}  // namespace

TEST_CASE("Content-Range headers", "[download_resume]") {
  const coc::ContentRange range = coc::parse_content_range("bytes 100-999/1000");
  CHECK(range.ok);
  CHECK(range.first == 100);
  CHECK(range.last == 999);
  CHECK(range.complete == 1000);
  CHECK(coc::parse_content_range(" Bytes 0-0/* ").complete == -1);
  CHECK(coc::parse_content_range("bytes 0-0/*").ok);
  for (const char* bad : {"", "bytes", "bytes */1000", "items 0-1/2", "bytes 5-4/10", "bytes 0-10/10",
                          "bytes -1-2/3", "bytes 0-1/2x", "bytes 0-1", "bytes 1-2/", "bytes 0-99999999999999999999/1"}) {
    INFO(bad);
    const coc::ContentRange refused = coc::parse_content_range(bad);
    CHECK_FALSE(refused.ok);
    CHECK_FALSE(refused.reason.empty());
  }
}

TEST_CASE("Content-Length headers", "[download_resume]") {
  CHECK(coc::content_length("1000") == 1000);
  CHECK(coc::content_length(" 0 ") == 0);
  for (const char* bad : {"", "-1", "1e3", "12 34", "0x10", "99999999999999999999", "1000, 1000"}) {
    INFO(bad);
    CHECK(coc::content_length(bad) == -1);
  }
}

TEST_CASE("a download is resumed only when its bytes can be checked", "[download_resume]") {
  const coc::ResumePlan plan = coc::plan_resume(known(1000), 400, 0, 3);
  CHECK(plan.resume);
  CHECK(plan.range == "bytes=400-");
  CHECK(coc::plan_resume(known(1000), 0, 2, 3).range == "bytes=0-");

  DownloadStart unknown_hash = known(1000);
  unknown_hash.hash_known = false;
  CHECK(coc::plan_resume(unknown_hash, 400, 0, 3).reason.find("hash is not known") != std::string::npos);
  CHECK(coc::plan_resume(known(1000), 400, 3, 3).reason == "gave up after 3 resumed attempts");
  CHECK(coc::plan_resume(known(1000), 400, 0, 0).reason == "resuming is off");
  CHECK_FALSE(coc::plan_resume(known(-1), 400, 0, 3).resume);
  CHECK_FALSE(coc::plan_resume(known(1000), 1000, 0, 3).resume);
  DownloadStart no_ranges = known(1000);
  no_ranges.accept_ranges = "None";
  CHECK_FALSE(coc::plan_resume(no_ranges, 400, 0, 3).resume);
  DownloadStart encoded = known(1000);
  encoded.content_encoding = "gzip";
  CHECK(coc::plan_resume(encoded, 400, 0, 3).reason == "the body was content-encoded");
  encoded.content_encoding = "identity";
  CHECK(coc::plan_resume(encoded, 400, 0, 3).resume);
}

TEST_CASE("the answer to a range request must continue the same file", "[download_resume]") {
  const DownloadStart start = known(1000);
  CHECK(coc::check_resume(start, 400, 206, "bytes 400-999/1000", "\"abc\"").ok);
  CHECK(coc::check_resume(start, 400, 206, "bytes 400-999/1000", "").ok);  // no ETag to compare
  CHECK(coc::check_resume(start, 400, 200, "", "\"abc\"").reason.find("ignored the range") != std::string::npos);
  CHECK(coc::check_resume(start, 400, 416, "bytes */1000", "").reason.find("HTTP 416") != std::string::npos);
  CHECK(coc::check_resume(start, 400, 206, "bytes 0-999/1000", "\"abc\"").reason.find("starts at byte 0") != std::string::npos);
  CHECK_FALSE(coc::check_resume(start, 400, 206, "bytes 400-500/1000", "\"abc\"").ok);
  CHECK_FALSE(coc::check_resume(start, 400, 206, "bytes 400-1999/2000", "\"abc\"").ok);
  CHECK_FALSE(coc::check_resume(start, 400, 206, "bytes 400-999/*", "\"abc\"").ok);
  CHECK(coc::check_resume(start, 400, 206, "bytes 400-999/1000", "\"def\"").reason.find("changed") != std::string::npos);
  CHECK(coc::check_resume(start, 400, 206, "nonsense", "\"abc\"").reason.find("invalid") != std::string::npos);
  DownloadStart weak = start;
  weak.etag = "W/\"abc\"";
  CHECK(coc::check_resume(weak, 400, 206, "bytes 400-999/1000", "W/\"def\"").ok);  // weak: says nothing
}
