#include <catch2/catch.hpp>

#include <limits>

#include "cache_options.h"

using coc::OptionValue;
using coc::option_error;

namespace {

OptionValue number(const char* name, double value, const char* shown) {
  OptionValue option;
  option.name = name;
  option.type = "number";
  option.number = value;
  option.shown = shown;
  return option;
}

OptionValue text(const char* name, const char* value) {
  OptionValue option;
  option.name = name;
  option.type = "string";
  option.shown = value;
  option.items = {value};
  return option;
}

OptionValue of_type(const char* name, const char* type) {
  OptionValue option;
  option.name = name;
  option.type = type;
  return option;
}

}  // namespace

TEST_CASE("numeric options are checked and named", "[cache_options]") {
  CHECK(option_error(number("capacity", 10, "10")).empty());
  CHECK(option_error(number("capacity", -1, "-1")) ==
        "option capacity must be a whole number from 1 to 10000000, got -1");
  CHECK_FALSE(option_error(number("capacity", 0, "0")).empty());
  CHECK_FALSE(option_error(number("capacity", 1.5, "1.5")).empty());
  CHECK_FALSE(option_error(number("capacity", std::numeric_limits<double>::quiet_NaN(), "NaN")).empty());
  CHECK(option_error(number("resumeAttempts", 0, "0")).empty());
  CHECK_FALSE(option_error(number("resumeAttempts", 101, "101")).empty());
  CHECK(option_error(number("maxAge", 0, "0")).empty());
  CHECK(option_error(number("maxAge", std::numeric_limits<double>::infinity(), "Infinity")).empty());
  CHECK_FALSE(option_error(number("maxAge", -5, "-5")).empty());
  CHECK_FALSE(option_error(number("maxAgeOtherHosts", std::numeric_limits<double>::quiet_NaN(), "NaN")).empty());
  CHECK(option_error(number("resolutionTimeout", 1, "1")).empty());
  CHECK_FALSE(option_error(number("resolutionTimeout", 0, "0")).empty());
  CHECK_FALSE(option_error(number("resolutionTimeout", 2147483648.0, "2147483648")).empty());
  CHECK(option_error(number("resolutionTimeout", std::numeric_limits<double>::infinity(), "Infinity")).empty());
  CHECK(option_error(text("maxAge", "soon")) ==
        "option maxAge must be a number of milliseconds >= 0 (Infinity: never), got \"soon\"");
}

TEST_CASE("typed options are checked by kind", "[cache_options]") {
  CHECK(option_error(of_type("fetch", "function")).empty());
  CHECK(option_error(of_type("fetch", "object")) == "option fetch must be a function, got object");
  CHECK(option_error(of_type("storage", "null")).empty());
  CHECK(option_error(of_type("caches", "object")).empty());
  CHECK_FALSE(option_error(of_type("caches", "string")).empty());
  CHECK(option_error(of_type("batch", "boolean")).empty());
  CHECK_FALSE(option_error(number("batch", 1, "1")).empty());
  CHECK_FALSE(option_error(of_type("hints", "null")).empty());
  CHECK(option_error(of_type("wasmUrl", "object")).empty());
  CHECK(option_error(text("wasmUrl", "./core.wasm")).empty());
  CHECK(option_error(text("scope", "tvmjs")).empty());
  CHECK_FALSE(option_error(text("scope", "")).empty());
  CHECK_FALSE(option_error(text("scope", "a\nb")).empty());
}

TEST_CASE("origins are '*' or a list of serialized origins", "[cache_options]") {
  CHECK(option_error(text("origins", "*")).empty());
  CHECK_FALSE(option_error(text("origins", "https://a.example")).empty());
  OptionValue list = of_type("origins", "array");
  list.items = {"https://a.example", "http://localhost:8080", "https://[::1]:443"};
  CHECK(option_error(list).empty());
  list.items = {"https://a.example/path"};
  CHECK(option_error(list) == "option origins must list origins such as \"https://example.com\", got \"https://a.example/path\"");
  list.items = {"ftp://a.example"};
  CHECK_FALSE(option_error(list).empty());
  list.items = {"https://A.example"};
  CHECK_FALSE(option_error(list).empty());
  list.items = {"https://a.example:"};
  CHECK_FALSE(option_error(list).empty());
  list.items = {};
  list.items_are_strings = false;
  CHECK_FALSE(option_error(list).empty());
}

TEST_CASE("an unknown option is named, so a misspelt one is not ignored", "[cache_options]") {
  CHECK(option_error(number("maxage", 1, "1")) == "unknown option 'maxage'");
}

TEST_CASE("pacedDownloads is \"auto\", true or false", "[cache_options]") {
  CHECK(option_error(text("pacedDownloads", "auto")).empty());
  OptionValue yes = of_type("pacedDownloads", "boolean");
  yes.shown = "true";
  CHECK(option_error(yes).empty());
  CHECK(option_error(text("pacedDownloads", "always")) ==
        "option pacedDownloads must be \"auto\", true or false, got \"always\"");
  CHECK_FALSE(option_error(number("pacedDownloads", 1, "1")).empty());
  CHECK_FALSE(option_error(of_type("pacedDownloads", "null")).empty());
}
