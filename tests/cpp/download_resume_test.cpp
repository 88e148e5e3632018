#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <tuple>

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
  // More decoded bytes than the encoded Content-Length: still said for what it is.
  CHECK(coc::plan_resume(encoded, 2500, 0, 3).reason == "the body was content-encoded");
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

namespace {
DownloadStart paced(std::int64_t total, std::int64_t segment) {
  DownloadStart start = known(total);
  start.segment = segment;
  return start;
}
}  // namespace

TEST_CASE("the file's length comes from a 206's Content-Range, else the Content-Length", "[download_resume][paced]") {
  CHECK(coc::complete_length("400", "bytes 0-399/1000") == 1000);
  CHECK(coc::complete_length("1000", "") == 1000);
  CHECK(coc::complete_length("400", "bytes 0-399/*") == 400);
  CHECK(coc::complete_length("", "nonsense") == -1);
}

TEST_CASE("a download is paced only where fetch bodies lack backpressure, with a known hash, past one segment", "[download_resume][paced]") {
  const std::int64_t large = 3 * coc::kPacedSegmentBytes + 5;
  CHECK(coc::paces_download(true, true, large));
  CHECK(coc::paces_download(true, true, coc::kPacedSegmentBytes + 1));
  CHECK_FALSE(coc::paces_download(false, true, large));                      // the browser paces its bodies
  CHECK_FALSE(coc::paces_download(true, false, large));                      // joined bytes could not be checked
  CHECK_FALSE(coc::paces_download(true, true, coc::kPacedSegmentBytes));     // one request either way
  CHECK_FALSE(coc::paces_download(true, true, -1));                          // size unknown
  CHECK(coc::first_segment_range() == "bytes=0-" + std::to_string(coc::kPacedSegmentBytes - 1));
}

TEST_CASE("the first answer of a paced download: a 206 of the first segment, or a 200 that is unpaced", "[download_resume][paced]") {
  const std::string total = std::to_string(3 * coc::kPacedSegmentBytes + 5);
  const std::string first = "bytes 0-" + std::to_string(coc::kPacedSegmentBytes - 1) + "/";
  coc::FirstSegmentCheck check = coc::check_first_segment(206, first + total);
  CHECK(check.verdict == coc::FirstSegment::paced);
  CHECK(check.total == 3 * coc::kPacedSegmentBytes + 5);
  // A file that turned out smaller than one segment: its whole length comes back.
  check = coc::check_first_segment(206, "bytes 0-999/1000");
  CHECK(check.verdict == coc::FirstSegment::paced);
  CHECK(check.total == 1000);
  CHECK(coc::check_first_segment(200, "").verdict == coc::FirstSegment::whole_file);

  check = coc::check_first_segment(206, "bytes 5-" + std::to_string(coc::kPacedSegmentBytes + 4) + "/" + total);
  CHECK(check.verdict == coc::FirstSegment::refused);
  CHECK(check.reason == "the first segment starts at byte 5, not 0");
  check = coc::check_first_segment(206, first + "*");
  CHECK(check.verdict == coc::FirstSegment::refused);
  CHECK(check.reason.find("does not name the file's length") != std::string::npos);
  CHECK(coc::check_first_segment(206, "bytes 0-999/" + total).reason.find("not the range asked for") != std::string::npos);
  CHECK(coc::check_first_segment(206, "").reason.find("invalid") != std::string::npos);
  CHECK(coc::check_first_segment(203, "").reason == "the range request answered HTTP 203");
}

TEST_CASE("a paced download asks for consecutive bounded ranges, the last one short", "[download_resume][paced]") {
  const DownloadStart start = paced(1000, 400);
  coc::ResumePlan plan = coc::plan_next_segment(start, 0, 400);
  CHECK(plan.resume);
  CHECK(plan.range == "bytes=400-799");
  plan = coc::plan_next_segment(start, 400, 800);
  CHECK(plan.resume);
  CHECK(plan.range == "bytes=800-999");
  plan = coc::plan_next_segment(start, 800, 1000);
  CHECK_FALSE(plan.resume);
  CHECK(plan.reason.empty());  // done
  // Not paced: the body's end is the download's, whatever it holds.
  plan = coc::plan_next_segment(known(1000), 0, 400);
  CHECK_FALSE(plan.resume);
  CHECK(plan.reason.empty());
  DownloadStart encoded = paced(1000, 400);
  encoded.content_encoding = "gzip";
  CHECK(coc::plan_next_segment(encoded, 0, 400).reason == "the body was content-encoded");
  CHECK(coc::plan_next_segment(paced(-1, 400), 0, 400).reason == "the file's length is not known");
  // A break-off mid-segment resumes up to the segment's length on, not to the file's end.
  CHECK(coc::plan_resume(start, 500, 0, 3).range == "bytes=500-899");
  CHECK(coc::plan_resume(start, 900, 0, 3).range == "bytes=900-999");
  // Resumes are counted and capped; segments are not resumes.
  CHECK_FALSE(coc::plan_resume(start, 500, 0, 0).resume);
  CHECK(coc::plan_next_segment(start, 0, 400).resume);
}

TEST_CASE("a segment that ends before its range does broke off: resumed, never asked for again as a segment",
          "[download_resume][paced]") {
  const DownloadStart start = paced(1000, 400);
  // Empty, or short: the first segment, a later one, and one resumed mid-segment.
  for (const auto& [asked_from, loaded, end] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{0, 0, 400},
                                                 {0, 399, 400}, {400, 400, 800}, {800, 999, 1000}, {500, 600, 900}}) {
    const coc::ResumePlan plan = coc::plan_next_segment(start, asked_from, loaded);
    CHECK_FALSE(plan.resume);
    CHECK(plan.short_body);
    CHECK(plan.reason == "the range from byte " + std::to_string(asked_from) + " ended at byte " + std::to_string(loaded) +
                             ", before byte " + std::to_string(end));
  }
  // A body resumed mid-segment that brought its whole range: the next segment follows.
  CHECK(coc::plan_next_segment(start, 500, 900).range == "bytes=900-999");
  // A start past what was read is no byte count a plan can rest on.
  CHECK(coc::plan_next_segment(start, 500, 400).reason == "no byte count");
  CHECK_FALSE(coc::plan_next_segment(start, 500, 400).short_body);
  // Not paced: a body's end is the download's end; the hash judges it.
  CHECK_FALSE(coc::plan_next_segment(known(1000), 0, 10).short_body);
}

TEST_CASE("each segment's answer must start where asked, end where the segment does, and name the same file", "[download_resume][paced]") {
  const DownloadStart start = paced(1000, 400);
  CHECK(coc::check_resume(start, 400, 206, "bytes 400-799/1000", "\"abc\"").ok);
  CHECK(coc::check_resume(start, 800, 206, "bytes 800-999/1000", "\"abc\"").ok);  // the last, short
  CHECK(coc::check_resume(start, 400, 206, "bytes 401-799/1000", "\"abc\"").reason ==
        "the rest starts at byte 401, not 400");
  CHECK(coc::check_resume(start, 400, 206, "bytes 400-799/2000", "\"abc\"").reason.find("length changed") !=
        std::string::npos);
  CHECK(coc::check_resume(start, 400, 206, "bytes 400-999/1000", "\"abc\"").reason.find("where the segment does") !=
        std::string::npos);
  CHECK(coc::check_resume(start, 400, 206, "bytes 400-799/1000", "\"def\"").reason ==
        "the file changed (ETag \"def\", was \"abc\")");
  CHECK(coc::check_resume(start, 400, 200, "", "\"abc\"").reason.find("ignored the range") != std::string::npos);
}

TEST_CASE("the pacedDownloads option wins: auto paces only where fetch bodies lack backpressure", "[download-resume][paced]") {
  CHECK(coc::paces_downloads("auto", true));
  CHECK_FALSE(coc::paces_downloads("auto", false));
  CHECK(coc::paces_downloads("true", false));
  CHECK_FALSE(coc::paces_downloads("false", true));
  CHECK_FALSE(coc::paces_downloads("sometimes", true));
}

TEST_CASE("the file's size an answer for its first bytes gives: a 206's complete length, a 200's Content-Length",
          "[download_resume]") {
  // /raw/ of a file not in LFS, asked for its first KiB: the range's Content-Length is not the file's.
  CHECK(coc::answered_file_size(206, "bytes 0-1024/5000", "") == 5000);
  CHECK(coc::answered_file_size(206, "", "") == -1);
  CHECK(coc::answered_file_size(206, "bytes 0-1024/*", "") == -1);
  // A server that ignored the range sent the whole file, perhaps compressed where the page cannot
  // see it (a cross-origin answer that does not expose Content-Encoding): its length says nothing.
  CHECK(coc::answered_file_size(200, "", "") == -1);
  CHECK(coc::answered_file_size(200, "", "") == -1);
  // An encoded answer's lengths count encoded bytes: they say nothing of the file's size.
  CHECK(coc::answered_file_size(200, "", "gzip") == -1);
  CHECK(coc::answered_file_size(206, "bytes 0-1024/5000", "br") == -1);
  CHECK(coc::answered_file_size(206, "bytes 0-1024/5000", "identity") == 5000);
  for (const int status : {0, 404, 416, 500}) CHECK(coc::answered_file_size(status, "bytes 0-5/6", "") == -1);
}
