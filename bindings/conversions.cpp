#include "conversions.h"

#include <cstddef>

using emscripten::val;

namespace coc_bindings {

std::string body_bytes(const val& body) {
  if (body.isString()) return body.as<std::string>();
  const auto length = body["byteLength"].as<std::size_t>();
  std::string bytes(length, '\0');
  val(emscripten::typed_memory_view(length, reinterpret_cast<std::uint8_t*>(&bytes[0]))).call<void>("set", body);
  return bytes;
}

val to_array(const std::vector<std::string>& items) {
  val array = val::array();
  for (const std::string& item : items) array.call<void>("push", item);
  return array;
}

}  // namespace coc_bindings
