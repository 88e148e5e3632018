// C++ exceptions turned into JS Errors at the embind boundary, for every bindings file.
#pragma once
#include <exception>
#include <string>

namespace coc_bindings {

// The message outlives the catch block (the JS throw skips C++ unwinding), so it is kept here.
std::string& last_error();
// Throws last_error() as a JS Error.
[[noreturn]] void throw_last_error();

template <typename F>
auto guarded(F&& body) -> decltype(body()) {
  bool failed = false;
  try {
    return body();
  } catch (const std::exception& error) {
    last_error() = error.what();
    failed = true;
  } catch (...) {
    last_error() = "unknown C++ exception";
    failed = true;
  }
  // Thrown outside the catch block, so the C++ exception is released first.
  if (failed) throw_last_error();
  __builtin_unreachable();
}

}  // namespace coc_bindings
