#include <catch2/catch.hpp>

#include <string>

#include "json_guard.h"

using coc::GuardedJson;
using coc::JsonFault;
using coc::parse_guarded_json;

TEST_CASE("parse_guarded_json parses JSON within the depth", "[json_guard]") {
  const GuardedJson parsed = parse_guarded_json(R"({"a":[1,{"b":null}],"c":"x"})", 3);
  REQUIRE(parsed.ok());
  CHECK(parsed.fault == JsonFault::kNone);
  CHECK(parsed.reason.empty());
  CHECK(parsed.value["a"][1].contains("b"));
  CHECK(parsed.value["c"] == "x");

  CHECK(parse_guarded_json("42", 0).ok());
  CHECK(parse_guarded_json(" \"text\" ", 0).ok());
  // The same key in different objects, or as a value, is not a repeat.
  CHECK(parse_guarded_json(R"([{"a":1},{"a":2},{"x":{"a":3},"a":"a"}])", 3).ok());
}

TEST_CASE("parse_guarded_json bounds the nesting before parsing", "[json_guard]") {
  const std::string at_limit = std::string(5, '[') + std::string(5, ']');
  CHECK(parse_guarded_json(at_limit, 5).ok());
  const GuardedJson deep = parse_guarded_json(at_limit, 4);
  CHECK(deep.fault == JsonFault::kTooDeep);
  CHECK(deep.reason == "nests deeper than 4 levels");
  CHECK(deep.value.is_null());

  // Objects count as arrays do; brackets inside strings (escaped quotes included) do not.
  CHECK(parse_guarded_json(R"({"a":{"b":{}}})", 2).fault == JsonFault::kTooDeep);
  CHECK(parse_guarded_json(R"(["[[[{{{", "\"[[[["])", 1).ok());
  // Depth is checked before syntax: an unterminated deep body is "too deep".
  CHECK(parse_guarded_json(std::string(100000, '['), 64).fault == JsonFault::kTooDeep);
}

TEST_CASE("parse_guarded_json refuses bodies that are not JSON, without throwing", "[json_guard]") {
  for (const std::string& body : {std::string(), std::string("{"), std::string("[1,]"),
                                 std::string("<html>"), std::string("{'a':1}"), std::string("[\"\xff\"]"),
                                 std::string("[1] 2"), std::string("\0", 1)}) {
    CAPTURE(body);
    GuardedJson parsed;
    REQUIRE_NOTHROW(parsed = parse_guarded_json(body, 64));
    CHECK(parsed.fault == JsonFault::kNotJson);
    CHECK_THAT(parsed.reason, Catch::StartsWith("is not valid JSON (error at byte "));
  }
  CHECK(parse_guarded_json("[1,]", 64).reason == "is not valid JSON (error at byte 4)");
}

TEST_CASE("parse_guarded_json refuses an object that repeats a key", "[json_guard]") {
  const GuardedJson parsed = parse_guarded_json(R"({"a":1,"b":2,"a":3})", 64);
  CHECK_FALSE(parsed.ok());
  CHECK(parsed.fault == JsonFault::kRepeatedKey);
  CHECK(parsed.repeated_key == "a");
  CHECK(parsed.reason == "repeats the key \"a\" in an object");

  const GuardedJson nested = parse_guarded_json(R"([{"x":{"k":1,"k":1}}])", 64);
  CHECK(nested.fault == JsonFault::kRepeatedKey);
  CHECK(nested.repeated_key == "k");

  // The empty key, and keys that differ only in how they are escaped, are repeats too.
  CHECK(parse_guarded_json(R"({"":1,"":2})", 64).fault == JsonFault::kRepeatedKey);
  CHECK(parse_guarded_json(R"({"a":1,"\u0061":2})", 64).repeated_key == "a");

  // The key is kept as it is, but shown escaped and cut in the reason.
  const std::string key = "q\"\\\n" + std::string(50, 'z');
  const GuardedJson odd = parse_guarded_json(R"({"q\"\\\n)" + std::string(50, 'z') + R"(":1,"q\"\\\n)" +
                                                 std::string(50, 'z') + R"(":2})",
                                             64);
  REQUIRE(odd.fault == JsonFault::kRepeatedKey);
  CHECK(odd.repeated_key == key);
  CHECK(odd.reason == "repeats the key \"q\\x22\\x5c\\x0a" + std::string(36, 'z') + "...\" in an object");
}
