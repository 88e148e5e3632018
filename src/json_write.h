// JSON text written without nlohmann's serializer (json::dump): the core writes only strings,
// integers and the one double of a record, and the serializer is a large part of the wasm core.
// The output is byte for byte what json::dump() writes for the same values.
#pragma once
#include <string>
#include <string_view>

namespace coc {

// Appends text as a JSON string, quoted and escaped as json::dump() writes it (ensure_ascii off:
// '"', '\' and control characters escaped, other bytes as they are). A byte that cannot be part of
// valid UTF-8 ends its sequence, which becomes U+FFFD (as error_handler_t::replace does). Returns
// whether text was valid UTF-8 (where dump() with its default error handler would throw).
bool append_json_string(std::string& out, std::string_view text);

// Whether text is valid UTF-8, so that json::dump() of it as a string would not throw.
bool is_valid_utf8(std::string_view text);

// A finite double as json::dump() writes it (the shortest text that reads back the same).
std::string json_number(double value);

}  // namespace coc
