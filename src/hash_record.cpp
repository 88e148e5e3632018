#include "hash_record.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hash_descriptor.h"

namespace coc {
namespace {

using Json = nlohmann::json;
// Keys must come out in the order we write them (algorithm and value first, like tvmjs).
using OrderedJson = nlohmann::ordered_json;

// Records are flat; anything deeper than this is not ours and is refused before parsing.
constexpr int kMaxNesting = 64;
constexpr std::size_t kMaxEchoChars = 40;
constexpr std::size_t kCommitHexDigits = 40;
// Whole milliseconds below 2^53 are exact in a double; those are written as JSON integers.
constexpr double kMaxExactInteger = 9007199254740992.0;

constexpr const char* kKnownSources[] = {"pointer", "content", "batch", "header", "imported", "hint"};

// Untrusted text for a message: printable ASCII as is, other bytes as \xNN, cut short.
std::string printable(std::string_view text) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  const std::size_t shown = text.size() < kMaxEchoChars ? text.size() : kMaxEchoChars;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\') {
      out += text[i];
    } else {
      out += "\\x";
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0x0f];
    }
  }
  if (shown < text.size()) out += "...";
  return out;
}

// nlohmann's parser keeps its own stack, but a cheap scan (which skips string contents) bounds
// the nesting before any of it is built, so no hostile body reaches a deep structure.
bool nesting_exceeds(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;  // unbalanced input is left for the parser to reject
    }
  }
  return false;
}

// A first pass that builds nothing: it checks the syntax and finds an object that repeats a key
// (readers disagree on which copy wins, so such a body is refused). nlohmann's callback parser
// could do this in one pass but scans each parent on every close, quadratic on long arrays.
class KeyChecker final : public Json::json_sax_t {
 public:
  std::string duplicate;  // the first repeated key
  std::size_t error_byte = 0;
  bool syntax_error = false;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(Json::number_integer_t) override { return true; }
  bool number_unsigned(Json::number_unsigned_t) override { return true; }
  bool number_float(Json::number_float_t, const Json::string_t&) override { return true; }
  bool string(Json::string_t&) override { return true; }
  bool binary(Json::binary_t&) override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool start_object(std::size_t) override {
    if (open_ == keys_.size()) keys_.emplace_back();
    keys_[open_++].clear();  // sets are reused: one allocation per depth, not per object
    return true;
  }
  bool key(Json::string_t& name) override {
    if (keys_[open_ - 1].insert(name).second) return true;
    duplicate = name;
    return false;
  }
  bool end_object() override {
    --open_;
    return true;
  }
  bool parse_error(std::size_t byte, const std::string&, const Json::exception&) override {
    syntax_error = true;
    error_byte = byte;
    return false;
  }

 private:
  std::vector<std::unordered_set<std::string>> keys_;
  std::size_t open_ = 0;
};

struct JsonParse {
  bool ok = false;
  Json value;
  std::string reason;
};

// Parses without throwing; refuses bodies that are not JSON or repeat a key in an object.
JsonParse parse_json(std::string_view text) {
  JsonParse result;
  try {
    KeyChecker checker;
    if (!Json::sax_parse(text.begin(), text.end(), &checker)) {
      result.reason = checker.syntax_error
                          ? "not valid JSON (error at byte " + std::to_string(checker.error_byte) + ")"
                          : "key \"" + printable(checker.duplicate) + "\" appears more than once";
      return result;
    }
    result.value = Json::parse(text.begin(), text.end());
  } catch (const std::exception&) {  // out of memory, or anything else the library throws
    result.reason = "not valid JSON";
    return result;
  }
  result.ok = true;
  return result;
}

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

RecordDecode fail(std::string reason) {
  RecordDecode decode;
  decode.reason = std::move(reason);
  return decode;
}

// "" when the field is a usable byte count, else what is wrong with it.
std::string read_size(const Json& field, std::int64_t& out) {
  if (field.is_number_unsigned()) {
    const auto value = field.get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return "size is too large";
    }
    out = static_cast<std::int64_t>(value);
    return "";
  }
  if (field.is_number_integer()) {
    out = field.get<std::int64_t>();
    return out < 0 ? "size " + std::to_string(out) + " is negative" : "";
  }
  return "size is not an integer (it is a JSON " + std::string(field.type_name()) + ")";
}

std::string check_algorithm(const Json& record) {
  const auto it = record.find("algorithm");
  if (it == record.end()) return "record has no algorithm";
  if (!it->is_string()) return "algorithm is not a string";
  const auto& name = it->get_ref<const std::string&>();
  if (!is_sha256_algorithm(name)) return "algorithm \"" + printable(name) + "\" is not SHA-256";
  return "";
}

std::string read_value(const Json& record, std::string& out) {
  const auto it = record.find("value");
  if (it == record.end()) return "record has no value";
  if (!it->is_string()) return "value is not a string";
  HashCheck check = check_sha256_hex(it->get_ref<const std::string&>());
  if (!check.ok) return "value is not a SHA-256: " + check.reason;
  out = std::move(check.value);
  return "";
}

std::string read_source(const Json& record, std::string& out) {
  const auto it = record.find("source");
  if (it == record.end()) {
    out = "imported";  // tvmjs's records carry no source
    return "";
  }
  if (!it->is_string()) return "source is not a string";
  const auto& source = it->get_ref<const std::string&>();
  if (!is_known_source(source)) return "source \"" + printable(source) + "\" is not a known source";
  out = source;
  return "";
}

std::string read_commit(const Json& record, std::string& out) {
  const auto it = record.find("commit");
  if (it == record.end()) return "";
  if (!it->is_string()) return "commit is not a string";
  const auto& commit = it->get_ref<const std::string&>();
  if (commit.size() != kCommitHexDigits || !is_lower_hex(commit)) {
    return "commit \"" + printable(commit) + "\" is not 40 lowercase hex digits";
  }
  out = commit;
  return "";
}

std::string read_stored_at(const Json& record, double& out) {
  const auto it = record.find("storedAt");
  if (it == record.end()) return "";
  if (!it->is_number()) return "storedAt is not a number";
  const double value = it->get<double>();
  if (!std::isfinite(value) || value < 0) return "storedAt is negative or not finite";
  out = value;
  return "";
}

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string too_large(std::size_t bytes) {
  return "record is " + std::to_string(bytes) + " bytes, over the " +
         std::to_string(kMaxRecordBytes) + "-byte limit";
}

}  // namespace

bool is_known_source(std::string_view source) {
  for (const char* known : kKnownSources) {
    if (source == known) return true;
  }
  return false;
}

std::string encode_record(const HashRecord& record) {
  OrderedJson out;
  out["algorithm"] = kSha256Algorithm;
  std::string value = record.value;
  for (char& c : value) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');  // COS takes lowercase only
  }
  out["value"] = std::move(value);
  if (record.size >= 0) out["size"] = record.size;
  // An empty source would not decode; leaving it out reads back as "imported".
  if (!record.source.empty()) out["source"] = record.source;
  if (!record.commit.empty()) out["commit"] = record.commit;
  // Written so that it always decodes: a time that cannot be one becomes 0 ("unknown").
  const double at = (std::isfinite(record.stored_at) && record.stored_at >= 0) ? record.stored_at : 0;
  if (at < kMaxExactInteger && std::floor(at) == at) {
    out["storedAt"] = static_cast<std::int64_t>(at);
  } else {
    out["storedAt"] = at;
  }
  // Replacing invalid UTF-8 rather than throwing: the fields come from URLs and callers.
  return out.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

RecordDecode decode_record(std::string_view body) {
  // Size first: a huge body is refused without reading it.
  if (body.size() > kMaxRecordBytes) return fail(too_large(body.size()));
  if (nesting_exceeds(body, kMaxNesting)) {
    return fail("record nests deeper than " + std::to_string(kMaxNesting) + " levels");
  }
  JsonParse parsed = parse_json(body);
  if (!parsed.ok) return fail("record is " + parsed.reason);
  const Json& json = parsed.value;
  if (!json.is_object()) {
    return fail("record is a JSON " + std::string(json.type_name()) + ", not an object");
  }

  RecordDecode decode;
  HashRecord& record = decode.record;
  std::string reason = check_algorithm(json);
  if (reason.empty()) reason = read_value(json, record.value);
  if (reason.empty()) {
    const auto it = json.find("size");
    if (it != json.end()) reason = read_size(*it, record.size);
  }
  if (reason.empty()) reason = read_source(json, record.source);
  if (reason.empty()) reason = read_commit(json, record.commit);
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
