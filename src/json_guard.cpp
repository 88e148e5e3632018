#include "json_guard.h"

#include <cstddef>
#include <exception>
#include <set>
#include <string>
#include <string_view>
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

// The document, built as nlohmann's DOM builder (json_sax_dom_parser) builds it, behind the
// virtual SAX interface for sax_parse_json. Every value goes through put(): nlohmann's builder
// inlines a copy of its handle_value() into each event, which made the wasm core larger.
class DomBuilder : public Json::json_sax_t {
 public:
  explicit DomBuilder(Json& result) : root_(result) {}

  bool null() override { return put(Json()); }
  bool boolean(bool value) override { return put(Json(value)); }
  bool number_integer(Json::number_integer_t value) override { return put(Json(value)); }
  bool number_unsigned(Json::number_unsigned_t value) override { return put(Json(value)); }
  bool number_float(Json::number_float_t value, const Json::string_t&) override { return put(Json(value)); }
  bool string(Json::string_t& value) override { return put(Json(std::move(value))); }
  bool binary(Json::binary_t&) override { return put(Json()); }  // never in JSON text
  bool start_array(std::size_t) override { return open(Json::value_t::array); }
  bool end_array() override { return close(); }
  bool start_object(std::size_t) override { return open(Json::value_t::object); }
  bool key(Json::string_t& name) override {
    // A repeated key: the last value wins, as in nlohmann.
    member_ = &(*open_.back()->get_ptr<Json::object_t*>())[name];
    return true;
  }
  bool end_object() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const Json::exception&) override { return false; }

 private:
  Json* place(Json&& value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    if (Json::array_t* items = json_items(*open_.back())) {
      items->push_back(std::move(value));
      return &items->back();
    }
    *member_ = std::move(value);
    return member_;
  }
  bool put(Json&& value) {
    place(std::move(value));
    return true;
  }
  bool open(Json::value_t type) {
    open_.push_back(place(Json(type)));
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }

  Json& root_;
  std::vector<Json*> open_;  // the arrays and objects not closed yet
  Json* member_ = nullptr;   // where the value after the last key goes
};

// One pass that checks the syntax, stops at an object that repeats a key, and builds the
// document. nlohmann's callback parser could refuse repeated keys too but scans each parent on
// every close, quadratic on long arrays.
class KeyChecker final : public DomBuilder {
 public:
  using DomBuilder::DomBuilder;

  std::string repeated_key;  // the first repeated key
  std::size_t error_byte = 0;
  bool syntax_error = false;

  bool start_object(std::size_t size) override {
    if (open_ == keys_.size()) keys_.emplace_back();
    keys_[open_++].clear();  // sets are reused: one allocation per depth, not per object
    return DomBuilder::start_object(size);
  }
  bool key(Json::string_t& name) override {
    if (keys_[open_ - 1].insert(name).second) return DomBuilder::key(name);
    repeated_key = name;
    return false;
  }
  bool end_object() override {
    --open_;
    return DomBuilder::end_object();
  }
  bool parse_error(std::size_t byte, const std::string&, const Json::exception&) override {
    syntax_error = true;
    error_byte = byte;
    return false;
  }

 private:
  std::vector<std::set<std::string>> keys_;
  std::size_t open_ = 0;
};

GuardedJson refuse(JsonFault fault, std::string reason) {
  GuardedJson result;
  result.fault = fault;
  result.reason = std::move(reason);
  return result;
}

}  // namespace

const Json* json_member(const Json& value, const char* key) {
  const auto* members = value.get_ptr<const Json::object_t*>();
  if (members == nullptr) return nullptr;
  const auto found = members->find(key);
  return found == members->end() ? nullptr : &found->second;
}

const std::string* json_string(const Json* value) {
  return value == nullptr ? nullptr : value->get_ptr<const std::string*>();
}

double json_double(const Json& value) {
  if (const auto* number = value.get_ptr<const Json::number_float_t*>()) return *number;
  if (const auto* number = value.get_ptr<const Json::number_unsigned_t*>()) return static_cast<double>(*number);
  return static_cast<double>(json_int64(value));
}

std::int64_t json_int64(const Json& value) {
  if (const auto* number = value.get_ptr<const Json::number_unsigned_t*>()) return static_cast<std::int64_t>(*number);
  const auto* number = value.get_ptr<const Json::number_integer_t*>();
  return number == nullptr ? 0 : *number;
}

bool sax_parse_json(std::string_view text, Json::json_sax_t& handler) {
  return Json::sax_parse(text.data(), text.data() + text.size(), &handler);
}

Json parse_json_or_discarded(std::string_view text) {
  Json result;
  DomBuilder builder(result);
  if (!sax_parse_json(text, builder)) result = Json(Json::value_t::discarded);
  return result;
}

GuardedJson parse_guarded_json(std::string_view body, std::size_t max_depth) {
  if (nesting_exceeds(body, max_depth)) {
    return refuse(JsonFault::kTooDeep, "nests deeper than " + std::to_string(max_depth) + " levels");
  }
  GuardedJson result;
  try {
    KeyChecker checker(result.value);
    if (!sax_parse_json(body, checker)) {
      if (checker.syntax_error) {
        return refuse(JsonFault::kNotJson,
                      "is not valid JSON (error at byte " + std::to_string(checker.error_byte) + ")");
      }
      // The pass stops only on a syntax error or a repeated key.
      const std::string shown = message_text_in_quotes(checker.repeated_key);
      GuardedJson refused = refuse(JsonFault::kRepeatedKey, "repeats the key \"" + shown + "\" in an object");
      refused.repeated_key = std::move(checker.repeated_key);
      return refused;
    }
  } catch (const std::exception&) {  // out of memory, or anything else the library throws
    return refuse(JsonFault::kNotJson, "is not valid JSON");
  }
  return result;
}

}  // namespace coc
