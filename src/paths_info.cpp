#include "paths_info.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ascii.h"
#include "hash_descriptor.h"
#include "json_guard.h"
#include "json_shape.h"
#include "message_text.h"

namespace coc {
namespace {

using Json = nlohmann::json;

// The response is an array of flat objects with one nested "lfs" object: depth 3 at most.
constexpr std::size_t kMaxNesting = 64;

// What is read of an answer: the fields of an entry that are used, one entry at a time.
constexpr JsonKey kLfsKeys[] = {{"oid", &kJsonScalar}, {"size", &kJsonScalar}};
constexpr JsonShape kLfsShape{true, kLfsKeys, std::size(kLfsKeys)};
constexpr JsonKey kEntryKeys[] = {
    {"path", &kJsonScalar}, {"type", &kJsonScalar}, {"size", &kJsonScalar}, {"oid", &kJsonScalar}, {"lfs", &kLfsShape}};
constexpr JsonShape kEntryShape{true, kEntryKeys, std::size(kEntryKeys)};
constexpr JsonShape kAnswerShape{false, nullptr, 0, 0, true, &kEntryShape};

// ---- requests -----------------------------------------------------------------------------

// The API's plural path segment for a repo type; "" for a type it has none for.
std::string_view api_segment(std::string_view repo_type) {
  if (repo_type == "model") return "models";
  if (repo_type == "dataset") return "datasets";
  if (repo_type == "space") return "spaces";
  return "";
}

// The revision is one path segment in the API URL, so a "/" left raw in it must be escaped.
std::string revision_segment(std::string_view revision_raw) {
  std::string out;
  out.reserve(revision_raw.size());
  for (char c : revision_raw) {
    if (c == '/') {
      out += "%2F";
    } else {
      out += c;
    }
  }
  return out;
}

// A path that is not valid UTF-8 (from a percent-escape such as %FF) cannot be put in the JSON
// body as it is; asking for a replaced path would name another file.
bool fits_json_string(const std::string& text) {
  try {
    (void)Json(text).dump();
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

bool batchable(const ArtifactUrl& url) {
  return url.is_hub && !api_segment(url.repo_type).empty() && !url.endpoint.empty() &&
         !url.repo_id.empty() && !url.revision_raw.empty() && !url.path.empty() &&
         fits_json_string(url.path);
}

// {endpoint}/api/{models|datasets|spaces}/{repo}/{route}/{revision}
std::string api_url(const ArtifactUrl& url, std::string_view route) {
  return url.endpoint + "/api/" + std::string(api_segment(url.repo_type)) + "/" + url.repo_id + "/" +
         std::string(route) + "/" + revision_segment(url.revision_raw);
}

// {"paths":[...],"expand":false}, keys in that order (std::map-based Json would sort them); the
// paths are written by nlohmann. Not nlohmann::ordered_json: a second basic_json type would add
// its own copy of the library to the wasm core.
std::string request_body(const std::vector<std::string>& distinct_paths) {
  return "{\"paths\":" + Json(distinct_paths).dump() + ",\"expand\":false}";
}

// ---- responses ----------------------------------------------------------------------------

// "" when the field is a usable byte count, else what is wrong with it.
std::string read_count(const Json& field, std::string_view name, std::int64_t& out) {
  if (field.is_number_unsigned()) {
    if (*field.get_ptr<const Json::number_unsigned_t*>() >
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::string(name) + " is too large";
    }
    out = json_int64(field);
    return "";
  }
  if (field.is_number_integer()) {
    out = json_int64(field);
    return out < 0 ? std::string(name) + " is negative" : "";
  }
  return std::string(name) + " is not an integer";
}

// "" when the object has a string under name (stored in out), else what is wrong.
std::string read_string(const Json& object, const char* name, std::string& out) {
  const Json* field = json_member(object, name);
  if (field == nullptr) return std::string("has no ") + name;
  const std::string* text = json_string(field);
  if (text == nullptr) return std::string(name) + " is not a string";
  out = *text;
  return "";
}

// The git blob id: 40 hex digits (SHA-1 repos) or 64 (SHA-256 repos), kept lowercase.
std::string read_git_oid(const Json& entry, std::string& out) {
  const Json* field = json_member(entry, "oid");
  if (field == nullptr) return "";
  const std::string* text = json_string(field);
  if (text == nullptr) return "oid is not a string";
  std::string oid = to_lower_ascii(*text);
  if (oid.size() != 40 && oid.size() != 64) return "oid is not 40 or 64 hex digits";
  if (!is_lower_hex(oid)) return "oid is not hex";
  out = std::move(oid);
  return "";
}

std::string read_lfs(const Json& lfs, PathInfo& info) {
  if (!lfs.is_object()) return "lfs is not an object";
  const Json* oid = json_member(lfs, "oid");
  if (oid == nullptr) return "lfs has no oid";
  const std::string* oid_text = json_string(oid);
  if (oid_text == nullptr) return "lfs.oid is not a string";
  HashCheck check = check_sha256_hex(*oid_text);
  if (!check.ok) return "lfs.oid is not a SHA-256: " + check.reason;
  const Json* size = json_member(lfs, "size");
  if (size == nullptr) return "lfs has no size";
  std::int64_t lfs_size = -1;
  std::string reason = read_count(*size, "lfs.size", lfs_size);
  if (!reason.empty()) return reason;
  // Two sizes that disagree mean the answer cannot be trusted for either.
  if (info.size >= 0 && info.size != lfs_size) {
    return "size " + std::to_string(info.size) + " differs from lfs.size " + std::to_string(lfs_size);
  }
  info.size = lfs_size;
  info.is_lfs = true;
  info.sha256 = std::move(check.value);
  return "";
}

std::string read_entry(const Json& entry, PathInfo& info) {
  if (!entry.is_object()) return "is a JSON " + std::string(entry.type_name()) + ", not an object";
  std::string reason = read_string(entry, "path", info.path);
  if (reason.empty() && info.path.empty()) reason = "has an empty path";
  if (reason.empty()) reason = read_string(entry, "type", info.type);
  if (reason.empty() && info.type != "file" && info.type != "directory") {
    reason = "type \"" + message_text_in_quotes(info.type) + "\" is neither file nor directory";
  }
  if (reason.empty()) {
    const Json* size = json_member(entry, "size");
    if (size != nullptr) reason = read_count(*size, "size", info.size);
  }
  if (reason.empty()) reason = read_git_oid(entry, info.git_oid);
  if (!reason.empty()) return reason;
  const Json* lfs = json_member(entry, "lfs");
  // null is read as "not in LFS", as the hub's own client reads it.
  if (lfs == nullptr || lfs->is_null()) return "";
  if (info.type != "file") return "a directory cannot be in LFS";
  return read_lfs(*lfs, info);
}

PathsInfoParse fail(std::string reason) {
  PathsInfoParse parse;
  parse.reason = std::move(reason);
  return parse;
}

}  // namespace

std::string batch_group(const ArtifactUrl& url) {
  // Each field is length-prefixed: an endpoint prefix, a repo id or a decoded revision may hold
  // any separator, and two revisions sharing a group would answer for each other's files.
  std::string group;
  for (const std::string* field : {&url.endpoint, &url.repo_type, &url.repo_id, &url.revision}) {
    group += std::to_string(field->size());
    group += ':';
    group += *field;
    group += '|';
  }
  group.pop_back();
  return group;
}

std::vector<BatchRequest> group_batch_requests(const std::vector<ArtifactUrl>& urls) {
  std::vector<BatchRequest> requests;
  std::vector<std::vector<std::string>> distinct_paths;  // per request, first-seen order
  std::vector<std::set<std::string>> asked;             // per request
  std::map<std::string, std::size_t> by_group;
  for (const ArtifactUrl& url : urls) {
    if (!batchable(url)) continue;
    std::string group = batch_group(url);
    auto found = by_group.find(group);
    if (found == by_group.end()) {
      found = by_group.emplace(group, requests.size()).first;
      BatchRequest request;
      request.group = std::move(group);
      request.url = api_url(url, "paths-info");  // the first URL's spelling of the revision is used
      requests.push_back(std::move(request));
      distinct_paths.emplace_back();
      asked.emplace_back();
    }
    const std::size_t index = found->second;
    requests[index].keys.push_back(url.storage_key);
    requests[index].paths.push_back(url.path);
    if (asked[index].insert(url.path).second) distinct_paths[index].push_back(url.path);
  }
  for (std::size_t i = 0; i < requests.size(); ++i) requests[i].body = request_body(distinct_paths[i]);
  return requests;
}

BatchRequest as_tree_request(BatchRequest request, const ArtifactUrl& first) {
  request.url = api_url(first, "tree") + "?recursive=true";
  request.kind = BatchKind::tree;
  request.method = "GET";
  request.body.clear();
  return request;
}

bool link_has_next(std::string_view link_header) {
  // Link: <url>; rel="next", <url>; rel="last" — parameters may be spaced, unquoted or hold
  // several relation types; the <url> parts are skipped (a URL may say "rel=next" itself).
  const std::string lower = to_lower_ascii(link_header);
  const std::size_t n = lower.size();
  std::size_t i = 0;
  while (i < n) {
    if (lower[i] == '<') {
      i = lower.find('>', i);
      if (i == std::string::npos) return false;
      ++i;
      continue;
    }
    const bool param_start = i == 0 || lower[i - 1] == ';' || lower[i - 1] == ' ';
    if (!param_start || lower.compare(i, 3, "rel") != 0) {
      ++i;
      continue;
    }
    i += 3;
    while (i < n && lower[i] == ' ') ++i;
    if (i >= n || lower[i] != '=') continue;
    ++i;
    while (i < n && lower[i] == ' ') ++i;
    const bool quoted = i < n && lower[i] == '"';
    if (quoted) ++i;
    std::size_t end = i;
    while (end < n && lower[end] != '"' && (quoted || (lower[end] != ';' && lower[end] != ','))) ++end;
    const std::string_view types(lower.data() + i, end - i);
    for (std::size_t start = 0; start <= types.size();) {
      std::size_t space = types.find(' ', start);
      if (space == std::string_view::npos) space = types.size();
      if (types.substr(start, space - start) == "next") return true;
      start = space + 1;
    }
    i = end;
  }
  return false;
}

PathsInfoScan scan_paths_info(std::string_view body, const PathInfoSink& keep, std::string_view asked) {
  PathsInfoScan scan;
  const std::string response = std::string(asked) + " response";
  if (body.size() > kMaxBatchBodyBytes) {
    scan.reason = response + " is " + std::to_string(body.size()) + " bytes, over the " +
                  std::to_string(kMaxBatchBodyBytes) + "-byte limit";
    return scan;
  }
  std::string refusal;
  const ShapedJson parsed = read_shaped_json(
      body, kAnswerShape, kMaxNesting, [&](const JsonShape&, std::size_t index, Json& item) {
        PathInfo info;
        std::string reason = read_entry(item, info);
        if (reason.empty()) reason = keep(info);
        ++scan.entries;
        // One bad entry spoils the whole answer: it would be a guess which others to trust.
        if (reason.empty()) return true;
        refusal = std::string(asked) + " entry " + std::to_string(index) + ": " + reason;
        return false;
      });
  if (!refusal.empty()) {
    scan.reason = std::move(refusal);
  } else if (parsed.fault != JsonFault::kNone) {
    scan.reason = response + " " + parsed.reason;
  } else if (!parsed.value.is_array()) {
    scan.reason = response + " is a JSON " + std::string(parsed.value.type_name()) + ", not an array";
  } else {
    scan.ok = true;
  }
  return scan;
}

PathsInfoParse parse_paths_info(std::string_view body) {
  PathsInfoParse parse;
  std::set<std::string> seen;
  const PathsInfoScan scan = scan_paths_info(body, [&](PathInfo& info) {
    if (!seen.insert(info.path).second) return "duplicate path \"" + message_text_in_quotes(info.path) + "\"";
    parse.entries.push_back(std::move(info));
    return std::string();
  });
  if (!scan.ok) return fail(scan.reason);
  parse.ok = true;
  return parse;
}

}  // namespace coc
