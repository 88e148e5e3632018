// parse_paths_info on arbitrary response bodies. Properties: accepted entries have non-empty,
// distinct paths, a known type, sizes >= -1, git oids of 40/64 lowercase hex, and an LFS entry is
// a file with a 64-lowercase-hex sha256 (a non-LFS one has none). Then the request side: hub URLs
// naming the accepted file paths are grouped into one request whose JSON body asks for exactly
// those paths.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "artifact_url.h"
#include "fuzz_common.h"
#include "paths_info.h"

namespace {

// Percent-encodes everything but unreserved characters and '/'.
std::string encode_path(std::string_view path) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += c;
    } else {
      out += '%';
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0x0f];
    }
  }
  return out;
}

void check_requests(const std::vector<coc::PathInfo>& entries, const std::string& where) {
  const std::string base = "https://huggingface.co/org/model/resolve/refs%2Fpr%2F1/";
  std::vector<coc::ArtifactUrl> urls;
  std::vector<std::string> expected;  // distinct paths, first-seen order
  for (const coc::PathInfo& entry : entries) {
    if (entry.type != "file") continue;
    coc::ArtifactUrl url = coc::parse_artifact_url(base + encode_path(entry.path));
    if (!url.is_hub) continue;  // empty or dot segments: not a hub file name
    FUZZ_CHECK(url.path == entry.path, "path " + fuzz::show(entry.path) + " came back as " + fuzz::show(url.path) + where);
    urls.push_back(url);
    urls.push_back(url);  // asked twice, requested once
    expected.push_back(entry.path);
  }
  const std::vector<coc::BatchRequest> requests = coc::group_batch_requests(urls);
  if (urls.empty()) {
    FUZZ_CHECK(requests.empty(), "requests without URLs" + where);
    return;
  }
  FUZZ_CHECK(requests.size() == 1, std::to_string(requests.size()) + " requests for one repo revision" + where);
  const coc::BatchRequest& request = requests[0];
  FUZZ_CHECK(request.url == "https://huggingface.co/api/models/org/model/paths-info/refs%2Fpr%2F1",
             "request URL " + fuzz::show(request.url) + where);
  FUZZ_CHECK(request.keys.size() == urls.size() && request.paths.size() == urls.size(), "keys/paths" + where);
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::exception& error) {
    FUZZ_CHECK(false, std::string("request body is not JSON: ") + error.what() + " " + fuzz::show(request.body) + where);
  }
  FUZZ_CHECK(body.is_object() && body.size() == 2 && body["expand"] == false && body["paths"].is_array(),
             "request body " + fuzz::show(request.body) + where);
  FUZZ_CHECK(body["paths"].get<std::vector<std::string>>() == expected, "requested paths " + fuzz::show(request.body) + where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const std::string where = " for body " + fuzz::show(body);
  const coc::PathsInfoParse parse = coc::parse_paths_info(body);
  if (!parse.ok) {
    FUZZ_CHECK(!parse.reason.empty(), "rejected without a reason" + where);
    FUZZ_CHECK(parse.entries.empty(), "entries of a failed parse" + where);
    return 0;
  }
  std::unordered_set<std::string> seen;
  for (const coc::PathInfo& e : parse.entries) {
    const std::string which = " (entry " + fuzz::show(e.path) + ")" + where;
    FUZZ_CHECK(!e.path.empty(), "empty path" + which);
    FUZZ_CHECK(seen.insert(e.path).second, "duplicate path" + which);
    FUZZ_CHECK(e.type == "file" || e.type == "directory", "type " + fuzz::show(e.type) + which);
    FUZZ_CHECK(e.size >= -1, "size " + std::to_string(e.size) + which);
    FUZZ_CHECK(e.git_oid.empty() || fuzz::is_lower_hex(e.git_oid, 40) || fuzz::is_lower_hex(e.git_oid, 64),
               "git oid " + fuzz::show(e.git_oid) + which);
    if (e.is_lfs) {
      FUZZ_CHECK(fuzz::is_lower_hex(e.sha256, 64), "sha256 " + fuzz::show(e.sha256) + which);
      FUZZ_CHECK(e.type == "file", "LFS directory" + which);
      FUZZ_CHECK(e.size >= 0, "LFS entry without size" + which);
    } else {
      FUZZ_CHECK(e.sha256.empty(), "sha256 on a non-LFS entry" + which);
    }
  }
  check_requests(parse.entries, where);
  return 0;
}
