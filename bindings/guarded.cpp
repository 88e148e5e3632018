#include "guarded.h"

#include <emscripten.h>

namespace {
EM_JS(void, throw_js_error, (const char* message), { throw new Error(UTF8ToString(message)); });
}  // namespace

namespace coc_bindings {

std::string& last_error() {
  static std::string message;
  return message;
}

void throw_last_error() {
  throw_js_error(last_error().c_str());
  __builtin_unreachable();
}

}  // namespace coc_bindings
