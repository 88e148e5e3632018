#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <string>

#include "error_kinds.h"
#include "storage_errors.h"

using coc::storage_write_error_kind;

TEST_CASE("storage write errors are reported by name and step", "[storage_errors]") {
  CHECK(storage_write_error_kind("QuotaExceededError", "write") == "cos-quota");
  CHECK(storage_write_error_kind("QuotaExceededError", "close") == "cos-quota");
  CHECK(storage_write_error_kind("NotAllowedError", "request") == "cos-not-allowed");
  CHECK(storage_write_error_kind("DataError", "close") == "cos-hash-mismatch");
  // Only close compares bytes with the hash.
  CHECK(storage_write_error_kind("DataError", "write") == "cos-failed");
  CHECK(storage_write_error_kind("DataError", "request") == "cos-failed");
  CHECK(storage_write_error_kind("TypeError", "close") == "cos-failed");
  CHECK(storage_write_error_kind("", "") == "cos-failed");
}

TEST_CASE("the list of error kinds names each kind once, and every kind the core reports", "[error_kinds]") {
  std::istringstream list(coc::kErrorKindList);
  std::set<std::string> kinds;
  std::string kind;
  std::size_t count = 0;
  while (list >> kind) {
    ++count;
    kinds.insert(kind);
  }
  CHECK(count == kinds.size());
  CHECK(count == 19);
  for (const char* name : {"QuotaExceededError", "NotAllowedError", "DataError", "TypeError"}) {
    CHECK(kinds.count(storage_write_error_kind(name, "close")) == 1);
  }
  CHECK(kinds.count(std::string(coc::error_kind::record_corrected)) == 1);
  CHECK(kinds.count("hash-mismatch") == 0);  // the core names a bytes mismatch cos-hash-mismatch
}
