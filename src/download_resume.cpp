#include "download_resume.h"

#include <algorithm>
#include <utility>

#include "ascii.h"

namespace coc {
namespace {

constexpr std::int64_t kMaxDigits = 18;  // below 2^63: no overflow while parsing

// Parses the decimal digits at the front of text; advances past them.
bool take_number(std::string_view& text, std::int64_t& out) {
  std::size_t n = 0;
  std::int64_t value = 0;
  while (n < text.size() && is_ascii_digit(text[n])) {
    if (static_cast<std::int64_t>(n) >= kMaxDigits) return false;
    value = value * 10 + (text[n] - '0');
    ++n;
  }
  if (n == 0) return false;
  out = value;
  text.remove_prefix(n);
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

ContentRange refuse(std::string reason) {
  ContentRange range;
  range.reason = std::move(reason);
  return range;
}

// A weak ETag (W/"…") may name different bytes: it cannot tie two responses together.
bool strong(std::string_view etag) { return !etag.empty() && etag.substr(0, 2) != "W/"; }

// The byte just past what a range request from `loaded` asks for: the file's end, or paced, the
// segment's (never past the file's).
std::int64_t range_end(const DownloadStart& start, std::int64_t loaded) {
  if (start.segment <= 0 || start.total - loaded <= start.segment) return start.total;
  return loaded + start.segment;
}

std::string range_from(const DownloadStart& start, std::int64_t loaded) {
  std::string range = "bytes=" + std::to_string(loaded) + "-";
  if (start.segment > 0) range += std::to_string(range_end(start, loaded) - 1);
  return range;
}

}  // namespace

ContentRange parse_content_range(std::string_view header) {
  std::string_view text = trim(header);
  if (text.size() < 6 || !equals_ignore_case(text.substr(0, 6), "bytes ")) return refuse("not a byte range");
  text.remove_prefix(6);
  text = trim(text);
  ContentRange range;
  if (!take_number(text, range.first)) return refuse("no first byte position");
  if (text.empty() || text.front() != '-') return refuse("no '-' after the first byte position");
  text.remove_prefix(1);
  if (!take_number(text, range.last)) return refuse("no last byte position");
  if (text.empty() || text.front() != '/') return refuse("no '/' before the complete length");
  text.remove_prefix(1);
  if (text == "*") {
    range.complete = -1;
  } else if (!take_number(text, range.complete) || !text.empty()) {
    return refuse("the complete length is not a number");
  }
  if (range.last < range.first) return refuse("the last byte position is before the first");
  if (range.complete >= 0 && range.last >= range.complete) return refuse("the range ends past the complete length");
  range.ok = true;
  return range;
}

std::int64_t content_length(std::string_view header) {
  std::string_view text = trim(header);
  std::int64_t value = -1;
  if (!take_number(text, value) || !text.empty()) return -1;
  return value;
}

std::int64_t complete_length(std::string_view content_length_header, std::string_view content_range) {
  if (!trim(content_range).empty()) {
    const ContentRange range = parse_content_range(content_range);
    if (range.ok && range.complete >= 0) return range.complete;
  }
  return content_length(content_length_header);
}

bool content_encoded(std::string_view content_encoding) {
  const std::string_view coding = trim(content_encoding);
  return !coding.empty() && !equals_ignore_case(coding, "identity");
}

std::int64_t answered_file_size(int status, std::string_view content_range, std::string_view content_encoding) {
  if (content_encoded(content_encoding) || status != 206) return -1;
  const ContentRange range = parse_content_range(content_range);
  return range.ok ? range.complete : -1;
}

bool paces_download(bool paced_downloads, bool hash_known, std::int64_t size) {
  return paced_downloads && hash_known && size > kPacedSegmentBytes;
}

std::string first_segment_range() { return "bytes=0-" + std::to_string(kPacedSegmentBytes - 1); }

FirstSegmentCheck check_first_segment(int status, std::string_view content_range) {
  FirstSegmentCheck check;
  if (status == 200) {
    check.verdict = FirstSegment::whole_file;
    return check;
  }
  if (status != 206) {
    check.reason = "the range request answered HTTP " + std::to_string(status);
    return check;
  }
  const ContentRange range = parse_content_range(content_range);
  if (!range.ok) {
    check.reason = "Content-Range of the first segment is invalid: " + range.reason;
  } else if (range.first != 0) {
    check.reason = "the first segment starts at byte " + std::to_string(range.first) + ", not 0";
  } else if (range.complete < 0) {
    check.reason = "the first segment does not name the file's length (Content-Range " + std::string(trim(content_range)) + ")";
  } else if (range.last + 1 != std::min(kPacedSegmentBytes, range.complete)) {
    check.reason = "the first segment is not the range asked for (Content-Range " + std::string(trim(content_range)) + ")";
  } else {
    check.verdict = FirstSegment::paced;
    check.total = range.complete;
  }
  return check;
}

ResumePlan plan_resume(const DownloadStart& start, std::int64_t loaded, int attempts, int max_attempts) {
  ResumePlan plan;
  if (!start.hash_known) {
    plan.reason = "its hash is not known beforehand, so resumed bytes could not be checked";
  } else if (attempts >= max_attempts) {
    plan.reason = max_attempts <= 0 ? "resuming is off" : "gave up after " + std::to_string(attempts) + " resumed attempts";
  } else if (content_encoded(start.content_encoding)) {
    // Offsets would count encoded bytes, the body reads decoded ones (so its Content-Length, the
    // encoded size, says nothing of what is left).
    plan.reason = "the body was content-encoded";
  } else if (start.total < 0) {
    plan.reason = "the response had no Content-Length";
  } else if (loaded < 0 || loaded >= start.total) {
    plan.reason = "nothing is left to download";
  } else if (equals_ignore_case(trim(start.accept_ranges), "none")) {
    plan.reason = "the server does not accept ranges";
  } else {
    plan.resume = true;
    plan.range = range_from(start, loaded);
  }
  return plan;
}

ResumePlan plan_next_segment(const DownloadStart& start, std::int64_t asked_from, std::int64_t loaded) {
  ResumePlan plan;
  if (start.segment <= 0 || (start.total >= 0 && loaded >= start.total)) return plan;
  if (!start.hash_known) {
    plan.reason = "its hash is not known beforehand, so joined segments could not be checked";
  } else if (start.total < 0) {
    plan.reason = "the file's length is not known";
  } else if (loaded < 0 || asked_from < 0 || asked_from > loaded) {
    plan.reason = "no byte count";
  } else if (content_encoded(start.content_encoding)) {
    plan.reason = "the body was content-encoded";
  } else if (loaded < range_end(start, asked_from)) {
    plan.short_body = true;
    plan.reason = "the range from byte " + std::to_string(asked_from) + " ended at byte " + std::to_string(loaded) +
                  ", before byte " + std::to_string(range_end(start, asked_from));
  } else {
    plan.resume = true;
    plan.range = range_from(start, loaded);
  }
  return plan;
}

ResumeCheck check_resume(const DownloadStart& start, std::int64_t loaded, int status,
                         std::string_view content_range, std::string_view etag) {
  ResumeCheck check;
  if (status != 206) {
    check.reason = status == 200 ? "the server ignored the range and sent the whole file"
                                 : "the range request answered HTTP " + std::to_string(status);
    return check;
  }
  const ContentRange range = parse_content_range(content_range);
  if (!range.ok) {
    check.reason = "Content-Range of the rest is invalid: " + range.reason;
  } else if (range.first != loaded) {
    check.reason = "the rest starts at byte " + std::to_string(range.first) + ", not " + std::to_string(loaded);
  } else if (range.complete != start.total) {
    check.reason = "the file's length changed (Content-Range " + std::string(trim(content_range)) + ", was " +
                   std::to_string(start.total) + " bytes)";
  } else if (range.last != range_end(start, loaded) - 1) {
    check.reason = std::string(start.segment > 0 ? "the range does not end where the segment does"
                                                 : "the rest does not end where the file did") +
                   " (Content-Range " + std::string(trim(content_range)) + ")";
  } else if (strong(start.etag) && !trim(etag).empty() && trim(etag) != trim(start.etag)) {
    check.reason = "the file changed (ETag " + std::string(trim(etag)) + ", was " + std::string(trim(start.etag)) + ")";
  } else {
    check.ok = true;
  }
  return check;
}

bool paces_downloads(std::string_view option, bool bodies_lack_backpressure) {
  return option == "true" || (option == "auto" && bodies_lack_backpressure);
}

}  // namespace coc
