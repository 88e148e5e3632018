#include "hash_record.h"
#include "hash_record_json.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "ascii.h"
#include "hash_descriptor.h"
#include "json_guard.h"
#include "message_text.h"

namespace coc {
namespace {

using Json = nlohmann::json;

// Records are flat; anything deeper than this is not ours and is refused before parsing.
constexpr std::size_t kMaxNesting = 64;
constexpr std::size_t kCommitHexDigits = 40;
// Whole milliseconds below 2^53 are exact in a double; those are written as JSON integers.
constexpr double kMaxExactInteger = 9007199254740992.0;

constexpr const char* kKnownSources[] = {"pointer", "content", "batch", "imported", "hint"};

RecordDecode fail(std::string reason) {
  RecordDecode decode;
  decode.reason = std::move(reason);
  return decode;
}

// "" when the field is a usable byte count, else what is wrong with it.
std::string read_size(const Json& field, std::int64_t& out) {
  if (field.is_number_unsigned()) {
    if (*field.get_ptr<const Json::number_unsigned_t*>() >
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return "size is too large";
    }
    out = json_int64(field);
    return "";
  }
  if (field.is_number_integer()) {
    out = json_int64(field);
    return out < 0 ? "size " + std::to_string(out) + " is negative" : "";
  }
  return "size is not an integer (it is a JSON " + std::string(field.type_name()) + ")";
}

std::string check_algorithm(const Json& record) {
  const Json* field = json_member(record, "algorithm");
  if (field == nullptr) return "record has no algorithm";
  const std::string* text = json_string(field);
  if (text == nullptr) return "algorithm is not a string";
  const std::string& name = *text;
  if (!is_sha256_algorithm(name)) {
    return "algorithm \"" + message_text_in_quotes(name) + "\" is not SHA-256";
  }
  return "";
}

std::string read_value(const Json& record, std::string& out) {
  const Json* field = json_member(record, "value");
  if (field == nullptr) return "record has no value";
  const std::string* text = json_string(field);
  if (text == nullptr) return "value is not a string";
  HashCheck check = check_sha256_hex(*text);
  if (!check.ok) return "value is not a SHA-256: " + check.reason;
  out = std::move(check.value);
  return "";
}

std::string read_source(const Json& record, std::string& out) {
  const Json* field = json_member(record, "source");
  if (field == nullptr) {
    out = "imported";  // tvmjs's records carry no source
    return "";
  }
  const std::string* text = json_string(field);
  if (text == nullptr) return "source is not a string";
  const std::string& source = *text;
  if (!is_known_source(source)) {
    return "source \"" + message_text_in_quotes(source) + "\" is not a known source";
  }
  out = source;
  return "";
}

std::string read_commit(const Json& record, std::string& out) {
  const Json* field = json_member(record, "commit");
  if (field == nullptr) return "";
  const std::string* text = json_string(field);
  if (text == nullptr) return "commit is not a string";
  const std::string& commit = *text;
  if (commit.size() != kCommitHexDigits || !is_lower_hex(commit)) {
    return "commit \"" + message_text_in_quotes(commit) + "\" is not 40 lowercase hex digits";
  }
  out = commit;
  return "";
}

std::string read_blob(const Json& record, std::string& out) {
  const Json* field = json_member(record, "blob");
  if (field == nullptr) return "";
  const std::string* text = json_string(field);
  if (text == nullptr) return "blob is not a string";
  const std::string& blob = *text;
  if ((blob.size() != 40 && blob.size() != 64) || !is_lower_hex(blob)) {
    return "blob \"" + message_text_in_quotes(blob) + "\" is not 40 or 64 lowercase hex digits";
  }
  out = blob;
  return "";
}

std::string read_stored_at(const Json& record, double& out) {
  const Json* field = json_member(record, "storedAt");
  if (field == nullptr) return "";
  if (!field->is_number()) return "storedAt is not a number";
  const double value = json_double(*field);
  if (!std::isfinite(value) || value < 0) return "storedAt is negative or not finite";
  out = value;
  return "";
}

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string too_large(std::size_t bytes) {
  return "record is " + std::to_string(bytes) + " bytes, over the " +
         std::to_string(kMaxRecordBytes) + "-byte limit";
}

// One member of the record: its key (a constant that needs no escaping) and its value as
// nlohmann writes it; invalid UTF-8 (fields come from URLs and callers) is replaced, not thrown.
void add_member(std::string& out, const char* key, const Json& value) {
  out += out.empty() ? "{\"" : ",\"";
  out += key;
  out += "\":";
  out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

bool is_known_source(std::string_view source) {
  for (const char* known : kKnownSources) {
    if (source == known) return true;
  }
  return false;
}

std::string encode_record(const HashRecord& record) {
  // Keys come out in the order written (algorithm and value first, like tvmjs), as
  // nlohmann::ordered_json would write them; std::map-based Json would sort them. Building the
  // object here keeps a second basic_json type (ordered_json) out of the wasm core.
  std::string out;
  add_member(out, "algorithm", kSha256Algorithm);
  add_member(out, "value", to_lower_ascii(record.value));  // COS takes lowercase only
  if (record.size >= 0) add_member(out, "size", record.size);
  // An empty source would not decode; leaving it out reads back as "imported".
  if (!record.source.empty()) add_member(out, "source", record.source);
  if (!record.commit.empty()) add_member(out, "commit", record.commit);
  if (!record.blob.empty()) add_member(out, "blob", record.blob);
  // Written so that it always decodes: a time that cannot be one becomes 0 ("unknown").
  const double at = (std::isfinite(record.stored_at) && record.stored_at >= 0) ? record.stored_at : 0;
  if (at < kMaxExactInteger && std::floor(at) == at) {
    add_member(out, "storedAt", static_cast<std::int64_t>(at));
  } else {
    add_member(out, "storedAt", at);
  }
  out += '}';
  return out;
}

RecordDecode decode_record(std::string_view body) {
  // Size first: a huge body is refused without reading it.
  if (body.size() > kMaxRecordBytes) return fail(too_large(body.size()));
  const GuardedJson parsed = parse_guarded_json(body, kMaxNesting);
  if (parsed.fault == JsonFault::kRepeatedKey) {
    return fail("key \"" + message_text_in_quotes(parsed.repeated_key) +
                "\" appears more than once in the record");
  }
  if (!parsed.ok()) return fail("record " + parsed.reason);
  return decode_record_json(parsed.value);
}

RecordDecode decode_record_json(const Json& json) {
  if (!json.is_object()) {
    return fail("record is a JSON " + std::string(json.type_name()) + ", not an object");
  }

  RecordDecode decode;
  HashRecord& record = decode.record;
  std::string reason = check_algorithm(json);
  if (reason.empty()) reason = read_value(json, record.value);
  if (reason.empty()) {
    const Json* size = json_member(json, "size");
    if (size != nullptr) reason = read_size(*size, record.size);
  }
  if (reason.empty()) reason = read_source(json, record.source);
  if (reason.empty()) reason = read_commit(json, record.commit);
  if (reason.empty()) reason = read_blob(json, record.blob);
  if (reason.empty()) reason = read_stored_at(json, record.stored_at);
  // Any other field is ignored: later versions may add some.
  if (!reason.empty()) return fail(std::move(reason));
  decode.ok = true;
  return decode;
}

RecordDecode decode_plain_hex_record(std::string_view body) {
  if (body.size() > kMaxRecordBytes) return fail(too_large(body.size()));
  std::size_t begin = 0;
  std::size_t end = body.size();
  while (begin < end && is_json_space(body[begin])) ++begin;
  while (end > begin && is_json_space(body[end - 1])) --end;
  HashCheck check = check_sha256_hex(body.substr(begin, end - begin));
  if (!check.ok) return fail("plain hex record is not a SHA-256: " + check.reason);
  RecordDecode decode;
  decode.ok = true;
  decode.record.value = std::move(check.value);
  decode.record.source = "imported";
  return decode;
}

}  // namespace coc
