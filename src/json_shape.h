// Untrusted JSON read with memory proportional to what the reader keeps, not to the body: a shape
// says which parts of the document to build (object keys, the first items of an array); the rest
// is checked for syntax and skipped unbuilt, and the items of a streamed array are handed over one
// at a time and never kept. So a body of [0,0,0,…] or a huge unknown field costs next to nothing.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "function_ref.h"
#include "json_guard.h"

namespace coc {

struct JsonShape;

// A key an object shape keeps, with the shape of its value.
struct JsonKey {
  std::string_view name;
  const JsonShape* shape;
};

// What of a JSON value to keep. Scalars are always kept as they are; a container is kept empty
// (its type is all a reader learns of it) unless its shape descends into it. Shapes are constant
// tables (no strings or vectors to build when the module starts).
struct JsonShape {
  // An object: the keys kept (key_count of them), each with the shape of its value; other keys
  // are skipped unbuilt.
  bool object = false;
  const JsonKey* keys = nullptr;
  std::size_t key_count = 0;
  // An array: its first `items` items are kept, each with shape `item`; when there are more, one
  // null after them says so (so a reader sees the size is wrong without the rest being built).
  std::size_t items = 0;
  // An array whose items are handed to the reader's sink one by one, each with shape `item`, and
  // never kept (streamed arrays do not nest).
  bool stream = false;
  const JsonShape* item = nullptr;

  const JsonShape* child(std::string_view key) const {
    for (std::size_t i = 0; i < key_count; ++i) {
      if (keys[i].name == key) return keys[i].shape;
    }
    return nullptr;
  }
};

// A shape that keeps scalars and nothing inside containers.
extern const JsonShape kJsonScalar;

// An item of a streamed array: which array (by its shape), its index, the item as kept. Returning
// false stops the read (the caller knows why).
using JsonItemSink = FunctionRef<bool(const JsonShape& array, std::size_t index, nlohmann::json& item)>;

struct ShapedJson {
  JsonFault fault = JsonFault::kNone;  // kNone also when the sink stopped the read (stopped)
  bool stopped = false;                // the sink refused an item, or the root had the wrong type
  nlohmann::json value;                // the kept parts of the document
  std::string reason;                  // as GuardedJson::reason
  std::string repeated_key;

  bool ok() const { return fault == JsonFault::kNone && !stopped; }
};

// Never throws (running out of memory is a fault too). A root whose type is not the one its shape
// descends into stops the read at once (value then holds it, empty). Repeated keys are refused in
// the objects that are kept; nesting deeper than max_depth is refused as soon as it is reached.
ShapedJson read_shaped_json(std::string_view body, const JsonShape& shape, std::size_t max_depth,
                            const JsonItemSink& sink = nullptr);

}  // namespace coc
