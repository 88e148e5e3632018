#include "cache_options.h"

#include <cmath>
#include <string_view>

#include "ascii.h"
#include "message_text.h"

namespace coc {

namespace {

constexpr double kMaxTimerMs = 2147483647;

enum class Kind { function, object, object_or_null, string_or_object, boolean, auto_or_boolean, duration, whole, origins, scope, timeout };

struct OptionRule {
  std::string_view name;
  Kind kind;
  double min = 0;  // for Kind::whole
  double max = 0;
};

constexpr OptionRule kRules[] = {
    {"scope", Kind::scope},
    {"fetch", Kind::function},
    {"caches", Kind::object_or_null},
    {"storage", Kind::object_or_null},
    {"origins", Kind::origins},
    {"fallback", Kind::boolean},
    {"importLegacy", Kind::boolean},
    {"batch", Kind::boolean},
    {"listRepos", Kind::boolean},
    {"maxAge", Kind::duration},
    {"maxAgeOtherHosts", Kind::duration},
    {"capacity", Kind::whole, 1, 10000000},
    {"resumeAttempts", Kind::whole, 0, 100},
    {"pacedDownloads", Kind::auto_or_boolean},
    {"resolutionTimeout", Kind::timeout},
    {"storageTimeout", Kind::timeout},
    {"hints", Kind::object},
    {"onError", Kind::function},
    {"onProgress", Kind::function},
    {"wasmUrl", Kind::string_or_object},
    {"wasmBinary", Kind::object},
};

// An origin as COS compares them: http(s)://host[:port], nothing after it.
bool is_serialized_origin(std::string_view text) {
  std::string_view rest;
  if (text.substr(0, 8) == "https://") rest = text.substr(8);
  else if (text.substr(0, 7) == "http://") rest = text.substr(7);
  else return false;
  if (rest.empty()) return false;
  std::size_t colon = rest.rfind(':');
  std::string_view host = rest;
  if (colon != std::string_view::npos && rest.back() != ']') {
    std::string_view port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char c : port) {
      if (!is_ascii_digit(c)) return false;
    }
    host = rest.substr(0, colon);
  }
  if (host.empty()) return false;
  for (char c : host) {
    if (!(is_ascii_alpha(c) || is_ascii_digit(c) || c == '.' || c == '-' || c == '[' || c == ']' || c == ':')) return false;
    if (c >= 'A' && c <= 'Z') return false;  // origins are serialized lowercase
  }
  return true;
}

std::string got(const OptionValue& option) {
  if (option.type == "string") return "got \"" + message_text_in_quotes(option.shown) + "\"";
  if (option.type == "number" || option.type == "boolean") return "got " + message_text(option.shown);
  return "got " + option.type;
}

std::string must(const OptionValue& option, std::string_view what) {
  return "option " + option.name + " must be " + std::string(what) + ", " + got(option);
}

}  // namespace

std::string option_error(const OptionValue& option) {
  const OptionRule* rule = nullptr;
  for (const OptionRule& candidate : kRules) {
    if (candidate.name == option.name) rule = &candidate;
  }
  if (!rule) return "unknown option '" + message_text_in_quotes(option.name) + "'";
  const std::string& type = option.type;
  const double value = option.number;
  switch (rule->kind) {
    case Kind::function:
      return type == "function" ? "" : must(option, "a function");
    case Kind::object:
      return type == "object" ? "" : must(option, "an object");
    case Kind::object_or_null:
      return type == "object" || type == "null" ? "" : must(option, "an object or null");
    case Kind::string_or_object:
      return type == "string" || type == "object" ? "" : must(option, "a URL (a string or a URL object)");
    case Kind::boolean:
      return type == "boolean" ? "" : must(option, "true or false");
    case Kind::auto_or_boolean:
      if (type == "boolean" || (type == "string" && option.items.size() == 1 && option.items[0] == "auto")) return "";
      return must(option, "\"auto\", true or false");
    case Kind::duration:
      return type == "number" && value >= 0 ? "" : must(option, "a number of milliseconds >= 0 (Infinity: never)");
    case Kind::timeout:
      // setTimeout (behind AbortSignal.timeout) fires at once for more than 2^31 - 1 ms.
      return type == "number" && value > 0 && (value <= kMaxTimerMs || std::isinf(value))
                 ? ""
                 : must(option, "a number of milliseconds > 0 and at most 2147483647 (Infinity: no timeout)");
    case Kind::whole:
      if (type == "number" && std::isfinite(value) && std::floor(value) == value && value >= rule->min &&
          value <= rule->max) {
        return "";
      }
      return must(option, "a whole number from " + std::to_string(static_cast<long long>(rule->min)) + " to " +
                              std::to_string(static_cast<long long>(rule->max)));
    case Kind::scope:
      if (type != "string" || option.items.size() != 1 || option.items[0].empty()) return must(option, "a non-empty string");
      for (char c : option.items[0]) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return must(option, "a string without control characters");
      }
      return "";
    case Kind::origins:
      if (type == "string") {
        return option.items.size() == 1 && option.items[0] == "*" ? "" : must(option, "\"*\" or a list of origins");
      }
      if (type != "array" || !option.items_are_strings) return must(option, "\"*\" or a list of origins");
      for (const std::string& item : option.items) {
        if (!is_serialized_origin(item)) {
          return "option origins must list origins such as \"https://example.com\", got \"" +
                 message_text_in_quotes(item) + "\"";
        }
      }
      return "";
  }
  return "";
}

}  // namespace coc
