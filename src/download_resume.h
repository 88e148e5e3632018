// Resuming a download that broke off mid-body, with an HTTP range request for the rest.
//
// Only downloads whose SHA-256 is known beforehand are resumed: the bytes are verified against it
// at the end, so a server that sends the rest of another version can only cost a failed load,
// never a wrong entry. The request carries only `Range: bytes=<n>-` (a CORS-safelisted header:
// no preflight); the answer must be a 206 whose Content-Range starts at n and ends where the file
// does, with the first response's ETag when both carry one.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace coc {

// Content-Range: "bytes <first>-<last>/<complete length or *>".
struct ContentRange {
  bool ok = false;
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t complete = -1;  // -1: "*" (unknown)
  std::string reason;          // why it was refused
};
ContentRange parse_content_range(std::string_view header);

// A Content-Length header's value, or -1 when it is absent or not a plain decimal number.
std::int64_t content_length(std::string_view header);

// What the first response of the download said.
struct DownloadStart {
  bool hash_known = false;     // the bytes are checked against a known SHA-256 at the end
  std::int64_t total = -1;     // its Content-Length, -1 when absent (see content_length())
  std::string etag;            // its ETag ("" when absent)
  std::string accept_ranges;   // its Accept-Ranges ("" when absent)
  std::string content_encoding;  // its Content-Encoding, when readable ("" when absent)
};

struct ResumePlan {
  bool resume = false;
  std::string range;   // the Range header to send
  std::string reason;  // why not, when resume is false
};
// attempts: resumes made so far for this download.
ResumePlan plan_resume(const DownloadStart& start, std::int64_t loaded, int attempts, int max_attempts);

struct ResumeCheck {
  bool ok = false;
  std::string reason;  // why the answer cannot continue the download
};
// The answer to the range request: its status, Content-Range and ETag headers.
ResumeCheck check_resume(const DownloadStart& start, std::int64_t loaded, int status,
                         std::string_view content_range, std::string_view etag);

}  // namespace coc
