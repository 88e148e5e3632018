// C++ exceptions turned into JS Errors at the embind boundary, for every bindings file.
#pragma once
#include <string>

namespace coc_bindings {

// The message outlives the catch block (the JS throw skips C++ unwinding), so it is kept here.
std::string& last_error();
// Throws last_error() as a JS Error.
[[noreturn]] void throw_last_error();

// Keeps the message of the exception being handled in last_error(); called from a catch block.
// One copy of the catch clauses for every binding, instead of one per guarded() body.
void keep_current_error();

template <typename F>
auto guarded(F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (...) {
    keep_current_error();
  }
  // Thrown outside the catch block, so the C++ exception is released first.
  throw_last_error();
}

}  // namespace coc_bindings
