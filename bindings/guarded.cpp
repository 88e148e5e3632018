#include "guarded.h"

#include <emscripten.h>

#include <exception>

namespace {
EM_JS(void, throw_js_error, (const char* message), { throw new Error(UTF8ToString(message)); });
}  // namespace

namespace coc_bindings {

std::string& last_error() {
  static std::string message;
  return message;
}

void keep_current_error() {
  try {
    throw;
  } catch (const std::exception& error) {
    last_error() = error.what();
  } catch (...) {
    last_error() = "unknown C++ exception";
  }
}

void throw_last_error() {
  throw_js_error(last_error().c_str());
  __builtin_unreachable();
}

}  // namespace coc_bindings
