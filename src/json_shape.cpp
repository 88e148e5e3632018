#include "json_shape.h"

#include <cstddef>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "message_text.h"

namespace coc {

const JsonShape kJsonScalar{};

namespace {

using Json = nlohmann::json;

class ShapedReader final : public Json::json_sax_t {
 public:
  ShapedReader(const JsonShape& root, std::size_t max_depth, const JsonItemSink& sink, Json& out)
      : root_shape_(root), max_depth_(max_depth), sink_(sink), root_(out) {}

  bool too_deep = false;
  bool syntax_error = false;
  bool stopped = false;
  std::size_t error_byte = 0;
  std::string repeated_key;

  bool null() override { return scalar(Json()); }
  bool boolean(bool value) override { return scalar(Json(value)); }
  bool number_integer(Json::number_integer_t value) override { return scalar(Json(value)); }
  bool number_unsigned(Json::number_unsigned_t value) override { return scalar(Json(value)); }
  bool number_float(Json::number_float_t value, const Json::string_t&) override { return scalar(Json(value)); }
  bool string(Json::string_t& value) override { return scalar(Json(std::move(value))); }
  bool binary(Json::binary_t&) override { return scalar(Json()); }  // never in JSON text
  bool start_array(std::size_t) override { return open(Json::value_t::array); }
  bool start_object(std::size_t) override { return open(Json::value_t::object); }
  bool end_array() override { return close(); }
  bool end_object() override { return close(); }

  bool key(Json::string_t& name) override {
    if (skipped_ > 0) return true;
    Frame& top = frames_.back();
    top.next_slot = nullptr;
    const JsonShape* shape = top.shape->child(name);
    if (shape == nullptr) return true;  // not wanted: its value is skipped
    // Frames hold the arrays and objects kept; this one is an object (a key came).
    Json::object_t& members = *top.node->get_ptr<Json::object_t*>();
    if (members.count(name) != 0) {
      repeated_key = name;
      return false;
    }
    top.next_shape = shape;
    top.next_slot = &members[name];
    return true;
  }

  bool parse_error(std::size_t byte, const std::string&, const Json::exception&) override {
    syntax_error = true;
    error_byte = byte;
    return false;
  }

 private:
  struct Frame {
    Json* node;
    const JsonShape* shape;
    std::size_t count = 0;                  // arrays: items seen
    Json* next_slot = nullptr;              // objects: where the value after the last key goes
    const JsonShape* next_shape = nullptr;  // and what of it to keep
  };
  struct Slot {
    Json* target = nullptr;  // nullptr: the value is skipped
    const JsonShape* shape = nullptr;
  };

  // Where the value that begins now goes.
  Slot slot() {
    if (frames_.empty()) return {&root_, &root_shape_};
    Frame& top = frames_.back();
    Json::array_t* items = json_items(*top.node);
    if (items == nullptr) {
      Slot slot{top.next_slot, top.next_shape};
      top.next_slot = nullptr;
      return slot;
    }
    const std::size_t index = top.count++;
    if (top.shape->stream) {
      item_ = Json();
      return {&item_, top.shape->item};
    }
    if (index <= top.shape->items) items->emplace_back();  // the extra one is the marker
    if (index < top.shape->items) return {&items->back(), top.shape->item};
    return {};
  }

  bool scalar(Json value) {
    if (skipped_ > 0) return true;
    const Slot at = slot();
    if (at.target != nullptr) *at.target = std::move(value);
    return completed();
  }

  bool open(Json::value_t type) {
    if (frames_.size() + skipped_ >= max_depth_) {
      too_deep = true;
      return false;
    }
    if (skipped_ > 0) {
      ++skipped_;
      return true;
    }
    const bool root = frames_.empty();
    const Slot at = slot();
    if (at.target == nullptr) {
      ++skipped_;
      return true;
    }
    *at.target = Json(type);
    const bool descend = type == Json::value_t::object ? at.shape->object : (at.shape->stream || at.shape->items > 0);
    if (!descend) {
      // A root of the wrong type is refused before anything of it is read.
      if (root && (at.shape->object || at.shape->stream || at.shape->items > 0)) {
        stopped = true;
        return false;
      }
      ++skipped_;
      return true;
    }
    frames_.push_back(Frame{at.target, at.shape});
    return true;
  }

  bool close() {
    if (skipped_ > 0) {
      return --skipped_ == 0 ? completed() : true;
    }
    frames_.pop_back();
    return completed();
  }

  // A value just ended: an item of a streamed array goes to the sink.
  bool completed() {
    if (frames_.empty() || !frames_.back().shape->stream) return true;
    const Frame& top = frames_.back();
    if (sink_ && !sink_(*top.shape, top.count - 1, item_)) {
      stopped = true;
      return false;
    }
    item_ = Json();
    return true;
  }

  const JsonShape& root_shape_;
  const std::size_t max_depth_;
  const JsonItemSink& sink_;
  Json& root_;
  Json item_;
  std::vector<Frame> frames_;
  std::size_t skipped_ = 0;  // depth inside a container that is not kept
};

ShapedJson refuse(JsonFault fault, std::string reason) {
  ShapedJson result;
  result.fault = fault;
  result.reason = std::move(reason);
  return result;
}

}  // namespace

ShapedJson read_shaped_json(std::string_view body, const JsonShape& shape, std::size_t max_depth,
                            const JsonItemSink& sink) {
  ShapedJson result;
  try {
    ShapedReader reader(shape, max_depth, sink, result.value);
    if (sax_parse_json(body, reader)) return result;
    if (reader.stopped) {
      result.stopped = true;
      return result;
    }
    if (reader.too_deep) {
      return refuse(JsonFault::kTooDeep, "nests deeper than " + std::to_string(max_depth) + " levels");
    }
    if (reader.syntax_error) {
      return refuse(JsonFault::kNotJson, "is not valid JSON (error at byte " + std::to_string(reader.error_byte) + ")");
    }
    ShapedJson refused = refuse(JsonFault::kRepeatedKey,
                                "repeats the key \"" + message_text_in_quotes(reader.repeated_key) + "\" in an object");
    refused.repeated_key = std::move(reader.repeated_key);
    return refused;
  } catch (const std::bad_alloc&) {
    return refuse(JsonFault::kOutOfMemory, "is too large to hold in memory");
  } catch (const std::exception&) {  // anything else the library throws
    return refuse(JsonFault::kNotJson, "is not valid JSON");
  }
}

}  // namespace coc
