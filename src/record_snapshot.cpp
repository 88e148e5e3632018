#include "record_snapshot.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "hash_record_json.h"
#include "json_guard.h"
#include "json_shape.h"
#include "message_text.h"

namespace coc {
namespace {

using Json = nlohmann::json;

constexpr int kVersion = 1;
// Tombstone times are whole milliseconds up to 2^53 - 1 (what a JS number holds exactly).
constexpr double kMaxTime = 9007199254740991.0;
// object → records array → [key, record] → record: depth 4 in a real snapshot.
constexpr std::size_t kMaxNesting = 16;

// What is read of a snapshot: the fields of a record, the first two items of an entry (a third
// only marks that there are more), the entries one at a time.
constexpr JsonKey kRecordKeys[] = {{"algorithm", &kJsonScalar}, {"value", &kJsonScalar},  {"size", &kJsonScalar},
                                   {"source", &kJsonScalar},    {"commit", &kJsonScalar}, {"blob", &kJsonScalar},
                                   {"storedAt", &kJsonScalar}};
constexpr JsonShape kRecordShape{true, kRecordKeys, std::size(kRecordKeys)};
constexpr JsonShape kEntryShape{false, nullptr, 0, 2, false, &kRecordShape};
constexpr JsonShape kTombstoneShape{false, nullptr, 0, 2, false, &kJsonScalar};
constexpr JsonShape kRecordsShape{false, nullptr, 0, 0, true, &kEntryShape};
constexpr JsonShape kDeletedShape{false, nullptr, 0, 0, true, &kTombstoneShape};
constexpr JsonKey kSnapshotKeys[] = {
    {"version", &kJsonScalar}, {"records", &kRecordsShape}, {"deleted", &kDeletedShape}};
constexpr JsonShape kSnapshotShape{true, kSnapshotKeys, std::size(kSnapshotKeys)};

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

SnapshotDecode decode_snapshot(std::string_view body, std::size_t max_records) {
  if (body.size() > kMaxSnapshotBytes) {
    return refuse("snapshot is " + std::to_string(body.size()) + " bytes, over the " +
                  std::to_string(kMaxSnapshotBytes) + "-byte limit");
  }
  SnapshotDecode decode;
  std::size_t records_seen = 0;
  auto skip = [&decode](std::size_t index, const std::string& reason) {
    if (decode.skipped++ == 0) decode.first_skip_reason = "entry " + std::to_string(index) + ": " + reason;
  };
  auto take_record = [&](std::size_t i, Json& entry) {
    ++records_seen;
    Json::array_t* pair = json_items(entry);
    std::string* key = pair != nullptr && pair->size() == 2 ? (*pair)[0].get_ptr<std::string*>() : nullptr;
    if (key == nullptr) {
      skip(i, "is not a [key, record] pair");
      return;
    }
    if (decode.records.size() >= max_records) return;  // past what memory holds: not kept
    RecordDecode record = decode_record_json((*pair)[1]);
    if (!record.ok) {
      skip(i, "\"" + message_text_in_quotes(*key) + "\": " + record.reason);
      return;
    }
    decode.records.emplace_back(std::move(*key), std::move(record.record));
  };
  std::size_t tombstones_seen = 0;
  auto take_tombstone = [&](Json& entry) {
    const std::size_t i = tombstones_seen++;
    Json::array_t* pair = json_items(entry);
    std::string* key = pair != nullptr && pair->size() == 2 ? (*pair)[0].get_ptr<std::string*>() : nullptr;
    const double time = key != nullptr && (*pair)[1].is_number() ? json_double((*pair)[1]) : -1;
    if (key == nullptr || !(time >= 0) || !(time <= kMaxTime)) {
      skip(records_seen + i, "is not a [key, time] tombstone");
      return;
    }
    // Like records, tombstones are kept only as many as memory holds.
    if (decode.deleted.size() >= max_records) return;
    decode.deleted.emplace_back(std::move(*key), time);
  };
  const ShapedJson parsed = read_shaped_json(
      body, kSnapshotShape, kMaxNesting, [&](const JsonShape& array, std::size_t index, Json& entry) {
        if (&array == &kRecordsShape) {
          take_record(index, entry);
        } else {
          take_tombstone(entry);
        }
        return true;
      });
  if (parsed.fault != JsonFault::kNone) return refuse("snapshot " + parsed.reason);
  const Json& json = parsed.value;
  if (!json.is_object()) return refuse("snapshot is a JSON " + std::string(json.type_name()) + ", not an object");
  const Json* version = json_member(json, "version");
  if (version == nullptr || !version->is_number_integer() || json_int64(*version) != kVersion) {
    return refuse("snapshot is not version " + std::to_string(kVersion));
  }
  const Json* records = json_member(json, "records");
  if (records == nullptr || !records->is_array()) return refuse("snapshot has no records array");
  const Json* deleted = json_member(json, "deleted");
  if (deleted != nullptr && !deleted->is_array()) skip(records_seen, "\"deleted\" is not an array");
  decode.ok = true;
  return decode;
}

}  // namespace coc
