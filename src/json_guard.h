// Untrusted JSON bodies (hash records, paths-info answers) are checked as the document is built:
// nesting is bounded by a scan first, then the one parsing pass stops at a syntax error or at any
// object that repeats a key (readers disagree on which copy wins).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace coc {

enum class JsonFault {
  kNone,
  kTooDeep,      // arrays and objects nest deeper than allowed
  kNotJson,      // a syntax error, or the parser gave up (out of memory)
  kRepeatedKey,  // an object names the same key twice
  kOutOfMemory,  // the parts kept did not fit in memory
};

struct GuardedJson {
  JsonFault fault = JsonFault::kNone;
  nlohmann::json value;      // the document, when fault is kNone
  // What is wrong, worded to follow the name of the body ("record ", "response "): "nests deeper
  // than 64 levels", "is not valid JSON (error at byte 3)", "repeats the key \"a\" in an object".
  std::string reason;
  std::string repeated_key;  // kRepeatedKey: the first key repeated, as it stands (untrusted)

  bool ok() const { return fault == JsonFault::kNone; }
};

// Runs nlohmann's parser over text into handler (Json::sax_parse). Every parse of ours goes
// through here, so the parser is compiled once, for the virtual SAX interface, instead of once per
// handler type (a smaller wasm core).
bool sax_parse_json(std::string_view text, nlohmann::json::json_sax_t& handler);

// Json::parse(text, nullptr, false): the document, or a discarded value when text is not JSON.
// Through the same parser code as parse_guarded_json (a smaller wasm core than Json::parse).
nlohmann::json parse_json_or_discarded(std::string_view text);

// Never throws. max_depth counts open arrays and objects; brackets inside strings do not count.
GuardedJson parse_guarded_json(std::string_view body, std::size_t max_depth);

// Reads of a parsed document that cannot throw. The core reads documents through these, not
// through find(), get<>() or operator[], whose checks and exceptions take room in the wasm core.
// The member `key` of an object; nullptr when value is no object or has no such member.
const nlohmann::json* json_member(const nlohmann::json& value, const char* key);
// The string value holds; nullptr when value is null or no string.
const std::string* json_string(const nlohmann::json* value);
// The items of an array; nullptr when value is no array.
inline nlohmann::json::array_t* json_items(nlohmann::json& value) { return value.get_ptr<nlohmann::json::array_t*>(); }
// A number as get<double>() reads it (0 for what is no number).
double json_double(const nlohmann::json& value);
// An integer, signed or unsigned, as get<std::int64_t>() reads it (0 for what is no integer).
std::int64_t json_int64(const nlohmann::json& value);

}  // namespace coc
