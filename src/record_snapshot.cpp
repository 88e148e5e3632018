#include "record_snapshot.h"

#include <algorithm>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "hash_record_json.h"
#include "json_guard.h"
#include "message_text.h"

namespace coc {
namespace {

using Json = nlohmann::json;

constexpr int kVersion = 1;
// Tombstone times are whole milliseconds up to 2^53 - 1 (what a JS number holds exactly).
constexpr double kMaxTime = 9007199254740991.0;
// object → records array → [key, record] → record: depth 4 in a real snapshot.
constexpr std::size_t kMaxNesting = 16;

SnapshotDecode refuse(std::string reason) {
  SnapshotDecode decode;
  decode.reason = std::move(reason);
  return decode;
}

}  // namespace

std::string encode_snapshot(const std::vector<KeyedRecord>& records, const std::vector<Tombstone>& deleted) {
  // Written in order ("version" first, then the records as given), as nlohmann::ordered_json
  // would write it; std::map-based Json would sort the keys. Not ordered_json itself: a second
  // basic_json type would add its own copy of the library to the wasm core.
  std::string out = "{\"version\":" + std::to_string(kVersion) + ",\"records\":[";
  for (const KeyedRecord& entry : records) {
    if (out.back() != '[') out += ',';
    out += '[';
    out += Json(entry.first).dump(-1, ' ', false, Json::error_handler_t::replace);
    out += ',';
    // One codec for records, so a snapshot entry reads back exactly as a per-URL entry would.
    out += encode_record(entry.second);
    out += ']';
  }
  out += ']';
  if (!deleted.empty()) {
    out += ",\"deleted\":[";
    for (const Tombstone& tombstone : deleted) {
      if (out.back() != '[') out += ',';
      out += '[' + Json(tombstone.first).dump(-1, ' ', false, Json::error_handler_t::replace) + ',' +
             std::to_string(static_cast<long long>(std::min(std::max(tombstone.second, 0.0), kMaxTime))) + ']';
    }
    out += ']';
  }
  out += '}';
  return out;
}

SnapshotDecode decode_snapshot(std::string_view body) {
  if (body.size() > kMaxSnapshotBytes) {
    return refuse("snapshot is " + std::to_string(body.size()) + " bytes, over the " +
                  std::to_string(kMaxSnapshotBytes) + "-byte limit");
  }
  const GuardedJson parsed = parse_guarded_json(body, kMaxNesting);
  if (!parsed.ok()) return refuse("snapshot " + parsed.reason);
  const Json& json = parsed.value;
  if (!json.is_object()) return refuse("snapshot is a JSON " + std::string(json.type_name()) + ", not an object");
  const auto version = json.find("version");
  if (version == json.end() || !version->is_number_integer() || version->get<long long>() != kVersion) {
    return refuse("snapshot is not version " + std::to_string(kVersion));
  }
  const auto records = json.find("records");
  if (records == json.end() || !records->is_array()) return refuse("snapshot has no records array");

  SnapshotDecode decode;
  decode.ok = true;
  decode.records.reserve(records->size());
  auto skip = [&decode](std::size_t index, const std::string& reason) {
    if (decode.skipped++ == 0) decode.first_skip_reason = "entry " + std::to_string(index) + ": " + reason;
  };
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& entry = (*records)[i];
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string()) {
      skip(i, "is not a [key, record] pair");
      continue;
    }
    RecordDecode record = decode_record_json(entry[1]);
    if (!record.ok) {
      skip(i, "\"" + message_text_in_quotes(entry[0].get_ref<const std::string&>()) + "\": " + record.reason);
      continue;
    }
    decode.records.emplace_back(entry[0].get<std::string>(), std::move(record.record));
  }
  const auto deleted = json.find("deleted");
  if (deleted == json.end()) return decode;
  if (!deleted->is_array()) {
    skip(records->size(), "\"deleted\" is not an array");
    return decode;
  }
  for (std::size_t i = 0; i < deleted->size(); ++i) {
    const Json& entry = (*deleted)[i];
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number() ||
        !(entry[1].get<double>() >= 0) || !(entry[1].get<double>() <= kMaxTime)) {
      skip(records->size() + i, "is not a [key, time] tombstone");
      continue;
    }
    decode.deleted.emplace_back(entry[0].get<std::string>(), entry[1].get<double>());
  }
  return decode;
}

}  // namespace coc
