// Resuming a download that broke off mid-body, with an HTTP range request for the rest; and pacing
// a large download as consecutive bounded range requests.
//
// Only downloads whose SHA-256 is known beforehand are resumed or paced: the bytes are verified
// against it at the end, so a server that sends the rest of another version can only cost a failed
// load, never a wrong entry. The request carries only `Range: bytes=<n>-` or `bytes=<n>-<m>` (a
// single range is a CORS-safelisted header: no preflight); the answer must be a 206 whose
// Content-Range starts at n and ends where the file (or, paced, the segment) does and names the
// same complete length, with the first response's ETag when both carry one.
//
// Pacing: where the browser applies no backpressure to a fetch() body (Firefox takes in the whole
// response as fast as the network sends it, whether the page reads it or not), a file larger than
// one segment is asked for one segment at a time, each only after the bytes before it are handed to
// storage, so the page holds about one segment, never the file.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace coc {

// The bytes each request of a paced download asks for at most. Measured storing 256 MiB in Firefox:
// 64 MiB left the renderer's rise closest to the file's size, 16 MiB made the download ~15% slower
// over a 12.5 MB/s link (a request and a drained pipeline per segment), 32 MiB neither.
inline constexpr std::int64_t kPacedSegmentBytes = 32 * 1024 * 1024;

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
  // Paced: each request asks for at most this many bytes (0: the rest of the file at once).
  std::int64_t segment = 0;
};

// The whole file's length as the first response gives it: a 206's complete length (Content-Range),
// else its Content-Length; -1 when neither says.
std::int64_t complete_length(std::string_view content_length, std::string_view content_range);

// Whether a Content-Encoding names a coding other than identity: fetch() then hands over decoded
// bytes, while Content-Length and Content-Range count encoded ones (a few KiB may decode to GiBs).
bool content_encoded(std::string_view content_encoding);

// The whole file's size as the answer to a request for its first bytes says it (a /raw/ answer that
// is a file not in LFS): a 206's complete length; -1 when it does not say, or when the body is
// content-encoded. Not a 200's Content-Length: a page cannot see the Content-Encoding of a
// cross-origin answer that does not expose it, and a compressed body's length is not the file's.
std::int64_t answered_file_size(int status, std::string_view content_range, std::string_view content_encoding);

// Whether a download is paced: only when the cache paces downloads (paces_downloads), when the bytes are
// checked against a known hash (the joined segments are verified whole) and the file (`size`, -1
// when unknown) is larger than one segment (one no larger is one request either way).
bool paces_download(bool paced_downloads, bool hash_known, std::int64_t size);
// The Range header of a paced download's first request.
std::string first_segment_range();

// What the answer to a paced download's first request means.
enum class FirstSegment {
  paced,       // a 206 of the first segment: the rest follows segment by segment
  whole_file,  // a 200: the server ignored the range and sends the whole file in one body
  refused,     // anything else: the download cannot go on
};
struct FirstSegmentCheck {
  FirstSegment verdict = FirstSegment::refused;
  std::int64_t total = -1;  // paced: the file's complete length
  std::string reason;       // refused: why
};
FirstSegmentCheck check_first_segment(int status, std::string_view content_range);

struct ResumePlan {
  bool resume = false;
  std::string range;   // the Range header to send
  std::string reason;  // why not, when resume is false
  // plan_next_segment: the body ended before the end of the range it answered, so it broke off:
  // resumed (plan_resume) as any break-off is, never asked for again as a next segment.
  bool short_body = false;
};
// attempts: resumes made so far for this download. Paced, the range ends where the segment does.
ResumePlan plan_resume(const DownloadStart& start, std::int64_t loaded, int attempts, int max_attempts);

struct ResumeCheck {
  bool ok = false;
  std::string reason;  // why the answer cannot continue the download
};
// A body read to its end, with `loaded` bytes in all, its request having asked from byte
// `asked_from`: the next segment's range when the download is paced and bytes are left; resume
// false when nothing more is to be asked for (reason "": the body's end is the download's), when
// the rest cannot be asked for (reason says why), or when the body stopped short of its range
// (short_body): a server that keeps answering short, or empty, only uses up the resume attempts.
ResumePlan plan_next_segment(const DownloadStart& start, std::int64_t asked_from, std::int64_t loaded);

// Whether downloads are paced here: the cache's pacedDownloads option ("auto", "true" or "false")
// wins; "auto" paces where fetch() bodies lack backpressure (a fact the shim finds out).
bool paces_downloads(std::string_view option, bool bodies_lack_backpressure);

// The answer to a range request (a resume or a paced segment): its status, Content-Range and ETag
// headers.
ResumeCheck check_resume(const DownloadStart& start, std::int64_t loaded, int status,
                         std::string_view content_range, std::string_view etag);

}  // namespace coc
