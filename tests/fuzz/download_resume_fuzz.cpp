// parse_content_range and check_resume on arbitrary Content-Range headers. Properties: an accepted
// range has first <= last < complete (when complete is known) and, written back in canonical
// form, parses to the same numbers; check_resume accepts an answer only when its range starts
// where the download stopped and ends where the file does.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "download_resume.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const std::string where = " for " + fuzz::show(header);
  const coc::ContentRange range = coc::parse_content_range(header);
  FUZZ_CHECK(range.ok == range.reason.empty(), "ok vs reason" + where);
  if (range.ok) {
    FUZZ_CHECK(range.first >= 0 && range.first <= range.last, "first/last" + where);
    FUZZ_CHECK(range.complete == -1 || range.last < range.complete, "last past complete" + where);
    const std::string canonical = "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                                  (range.complete < 0 ? std::string("*") : std::to_string(range.complete));
    const coc::ContentRange again = coc::parse_content_range(canonical);
    FUZZ_CHECK(again.ok && again.first == range.first && again.last == range.last && again.complete == range.complete,
               "canonical form " + canonical + where);
  }
  coc::DownloadStart start;
  start.hash_known = true;
  start.total = 1000;
  start.etag = "\"e\"";
  const coc::ResumeCheck check = coc::check_resume(start, 400, 206, header, "\"e\"");
  FUZZ_CHECK(check.ok == check.reason.empty(), "check ok vs reason" + where);
  if (check.ok) {
    FUZZ_CHECK(range.ok && range.first == 400 && range.last == 999 && range.complete == 1000, "accepted a range that does not continue" + where);
  }
  return 0;
}
