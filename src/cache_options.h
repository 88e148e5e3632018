// The options createCrossOriginCache() takes and what each must be, so a wrong one fails at once
// with a TypeError that names it instead of misbehaving later.
#pragma once
#include <string>
#include <vector>

namespace coc {

// One option as the shim sees it (JS values described, not passed).
struct OptionValue {
  std::string name;
  std::string type;    // JS typeof, or "null" or "array"
  double number = 0;   // the value, when type is "number"
  std::string shown;   // the value as text, for the message
  // A string's text, or an array's items (items_are_strings false when one is not a string).
  std::vector<std::string> items;
  bool items_are_strings = true;
};

// Why the option is not acceptable (the message names it), or "" when it is. An option whose
// value is undefined counts as not given and is never described.
std::string option_error(const OptionValue& option);

}  // namespace coc
