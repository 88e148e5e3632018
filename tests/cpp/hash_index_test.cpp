#include "hash_index.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace {

coc::HashRecord record_of(const std::string& value, std::int64_t size = -1) {
  coc::HashRecord record;
  record.value = value;
  record.size = size;
  record.source = "content";
  return record;
}

std::string key(int i) { return "https://example.com/file" + std::to_string(i); }

}  // namespace

TEST_CASE("capacity 0 is refused", "[hash_index]") {
  CHECK_THROWS_AS(coc::HashIndex(0), std::invalid_argument);
  CHECK(coc::HashIndex(1).capacity() == 1);
  CHECK(coc::HashIndex().capacity() == 10000);
}

TEST_CASE("find and contains", "[hash_index]") {
  coc::HashIndex index(4);
  CHECK(index.find("a") == nullptr);
  CHECK_FALSE(index.contains("a"));
  index.put("a", record_of("h1", 10));
  REQUIRE(index.find("a") != nullptr);
  CHECK(index.find("a")->value == "h1");
  CHECK(index.find("a")->size == 10);
  CHECK(index.contains("a"));
  CHECK(index.size() == 1);
}

TEST_CASE("the least recently used entry leaves first", "[hash_index]") {
  coc::HashIndex index(3);
  index.put("a", record_of("1"));
  index.put("b", record_of("2"));
  index.put("c", record_of("3"));
  index.put("d", record_of("4"));  // a is the oldest
  CHECK(index.size() == 3);
  CHECK_FALSE(index.contains("a"));
  index.put("e", record_of("5"));  // then b
  CHECK_FALSE(index.contains("b"));
  CHECK(index.contains("c"));
  CHECK(index.contains("d"));
  CHECK(index.contains("e"));
}

TEST_CASE("find promotes, contains does not", "[hash_index]") {
  coc::HashIndex index(3);
  index.put("a", record_of("1"));
  index.put("b", record_of("2"));
  index.put("c", record_of("3"));
  REQUIRE(index.find("a") != nullptr);  // order now a, c, b (most recent first)
  CHECK(index.contains("b"));          // no promotion
  index.put("d", record_of("4"));
  CHECK_FALSE(index.contains("b"));
  CHECK(index.contains("a"));
  index.put("e", record_of("5"));
  CHECK_FALSE(index.contains("c"));
  CHECK(index.contains("a"));
}

TEST_CASE("put on an existing key replaces and promotes", "[hash_index]") {
  coc::HashIndex index(3);
  index.put("a", record_of("1", 1));
  index.put("b", record_of("2"));
  index.put("c", record_of("3"));
  index.put("a", record_of("9", 9));
  CHECK(index.size() == 3);
  index.put("d", record_of("4"));  // b is now the oldest
  CHECK_FALSE(index.contains("b"));
  const coc::HashRecord* a = index.find("a");
  REQUIRE(a != nullptr);
  CHECK(a->value == "9");
  CHECK(a->size == 9);
}

TEST_CASE("erase and clear", "[hash_index]") {
  coc::HashIndex index(3);
  index.put("a", record_of("1"));
  index.put("b", record_of("2"));
  CHECK(index.erase("a"));
  CHECK_FALSE(index.erase("a"));
  CHECK_FALSE(index.erase("zzz"));
  CHECK(index.size() == 1);
  CHECK(index.find("a") == nullptr);
  // The freed slot is usable: three more puts evict only b.
  index.put("c", record_of("3"));
  index.put("d", record_of("4"));
  CHECK(index.size() == 3);
  CHECK(index.contains("b"));
  index.put("e", record_of("5"));
  CHECK_FALSE(index.contains("b"));

  index.clear();
  CHECK(index.size() == 0);
  CHECK_FALSE(index.contains("c"));
  CHECK(index.count_value("3") == 0);
  index.put("a", record_of("1"));
  CHECK(index.find("a") != nullptr);
}

TEST_CASE("capacity 1 keeps only the latest", "[hash_index]") {
  coc::HashIndex index(1);
  index.put("a", record_of("1"));
  index.put("b", record_of("2"));
  CHECK(index.size() == 1);
  CHECK_FALSE(index.contains("a"));
  index.put("b", record_of("3"));
  CHECK(index.find("b")->value == "3");
}

TEST_CASE("count_value follows puts, replacements, erases and evictions", "[hash_index]") {
  coc::HashIndex index(4);
  index.put("a", record_of("x"));
  index.put("b", record_of("x"));
  index.put("c", record_of("y"));
  CHECK(index.count_value("x") == 2);
  CHECK(index.count_value("y") == 1);
  CHECK(index.count_value("z") == 0);
  index.put("b", record_of("y"));  // replaced
  CHECK(index.count_value("x") == 1);
  CHECK(index.count_value("y") == 2);
  index.put("d", record_of("x"));
  index.put("e", record_of("z"));  // evicts a
  CHECK(index.count_value("x") == 1);
  index.put("f", record_of("z"));  // evicts c (b was promoted by its replacement)
  CHECK_FALSE(index.contains("c"));
  CHECK(index.count_value("y") == 1);
  CHECK(index.count_value("z") == 2);
  CHECK(index.erase("b"));
  CHECK(index.count_value("y") == 0);
}

TEST_CASE("many inserts stay within capacity", "[hash_index]") {
  coc::HashIndex index(1000);
  for (int i = 0; i < 100000; ++i) {
    index.put(key(i), record_of(i % 2 == 0 ? "even" : "odd"));
    if (index.size() > 1000) FAIL("size " << index.size() << " after insert " << i);
  }
  CHECK(index.size() == 1000);
  CHECK(index.contains(key(99999)));
  CHECK(index.contains(key(99000)));
  CHECK_FALSE(index.contains(key(98999)));
  CHECK(index.count_value("even") == 500);
  CHECK(index.count_value("odd") == 500);
}
