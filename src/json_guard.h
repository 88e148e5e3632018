// Untrusted JSON bodies (hash records, paths-info answers) are checked before a document is built:
// nesting is bounded by a scan, and a pass that builds nothing checks the syntax and refuses any
// object that repeats a key (readers disagree on which copy wins). Only then is the body parsed.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace coc {

enum class JsonFault {
  kNone,
  kTooDeep,      // arrays and objects nest deeper than allowed
  kNotJson,      // a syntax error, or the parser gave up (out of memory)
  kRepeatedKey,  // an object names the same key twice
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

// Never throws. max_depth counts open arrays and objects; brackets inside strings do not count.
GuardedJson parse_guarded_json(std::string_view body, std::size_t max_depth);

}  // namespace coc
