// The conversions every bindings file uses, one way each: bytes from JS, string lists to JS
// arrays, 64-bit sizes as JS numbers.
//
// Structs cross as embind value_objects (Step, TransferStep, what JS passes in, ...), through a
// Js* mirror where the core's struct has a 64-bit field, except results that are plain objects
// built with val::set: RequestPlan, BatchRequest, BatchOutcome, SnapshotLoad/SnapshotMerge,
// verifyOnly's digests, ArtifactUrl, LfsPointer, ResumePlan and ResumeCheck. As value_objects the
// first five made the gzipped module 486 bytes bigger (RequestPlan +36, the digests +199,
// BatchOutcome +223, BatchRequest +241, the two snapshot results +298), the last four 462 bytes:
// each value_object brings its own constructor, copy, destructor and field accessors, while the
// plain objects share val::set's few instantiations.
#pragma once
#include <emscripten/val.h>

#include <cstdint>
#include <string>
#include <vector>

namespace coc_bindings {

// A body from the network or a store, as JS hands it over: a Uint8Array (copied once into the
// heap; a string parameter would be copied twice) or a string.
std::string body_bytes(const emscripten::val& body);

// A JS array of the strings (embind's register_vector would hand JS a wasm object instead).
emscripten::val to_array(const std::vector<std::string>& items);

// A JS array of convert(item) for each item.
template <typename T, typename Convert>
emscripten::val to_array(const std::vector<T>& items, Convert convert) {
  emscripten::val array = emscripten::val::array();
  for (const T& item : items) array.call<void>("push", convert(item));
  return array;
}

// Sizes and counts cross as JS numbers: exact up to 2^53, far beyond any size the core sees.
template <typename Integer>
double js_number(Integer value) {
  return static_cast<double>(value);
}
inline std::int64_t int64_from_js(double value) { return static_cast<std::int64_t>(value); }

}  // namespace coc_bindings
