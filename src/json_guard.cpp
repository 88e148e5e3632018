#include "json_guard.h"

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "message_text.h"

namespace coc {
namespace {

using Json = nlohmann::json;

// nlohmann's parser keeps its own stack, but a cheap scan (which skips string contents) bounds
// the nesting before any of it is built, so no hostile body reaches a deep structure.
bool nesting_exceeds(std::string_view text, std::size_t limit) {
  std::ptrdiff_t depth = 0;
  const auto max = static_cast<std::ptrdiff_t>(limit);
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
      if (++depth > max) return true;
    } else if (c == ']' || c == '}') {
      --depth;  // unbalanced input is left for the parser to reject
    }
  }
  return false;
}

// A first pass that builds nothing: it checks the syntax and finds an object that repeats a key.
// nlohmann's callback parser could do this in one pass but scans each parent on every close,
// quadratic on long arrays.
class KeyChecker final : public Json::json_sax_t {
 public:
  std::string repeated_key;  // the first repeated key
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
    repeated_key = name;
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

GuardedJson refuse(JsonFault fault, std::string reason) {
  GuardedJson result;
  result.fault = fault;
  result.reason = std::move(reason);
  return result;
}

}  // namespace

GuardedJson parse_guarded_json(std::string_view body, std::size_t max_depth) {
  if (nesting_exceeds(body, max_depth)) {
    return refuse(JsonFault::kTooDeep, "nests deeper than " + std::to_string(max_depth) + " levels");
  }
  GuardedJson result;
  try {
    KeyChecker checker;
    if (!Json::sax_parse(body.begin(), body.end(), &checker)) {
      if (checker.syntax_error) {
        return refuse(JsonFault::kNotJson,
                      "is not valid JSON (error at byte " + std::to_string(checker.error_byte) + ")");
      }
      // The pass stops only on a syntax error or a repeated key.
      const std::string shown = message_text_in_quotes(checker.repeated_key);
      result = refuse(JsonFault::kRepeatedKey, "repeats the key \"" + shown + "\" in an object");
      result.repeated_key = std::move(checker.repeated_key);
      return result;
    }
    result.value = Json::parse(body.begin(), body.end());
  } catch (const std::exception&) {  // out of memory, or anything else the library throws
    return refuse(JsonFault::kNotJson, "is not valid JSON");
  }
  return result;
}

}  // namespace coc
