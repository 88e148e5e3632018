// Strings joined in one call: one allocation and no temporaries, where a chain of operator+ builds
// (and, on the exception path, destroys) one string per step, which costs code at every message
// the core writes.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>

namespace coc {

std::string concat(std::initializer_list<std::string_view> parts);

}  // namespace coc
