#include <catch2/catch.hpp>

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
