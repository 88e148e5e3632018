#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "store_plan.h"

using coc::plan_stores;

TEST_CASE("a scope names its own stores and reads the other libraries' after them", "[store_plan]") {
  const coc::StorePlan plan = plan_stores("cross-origin-cache", true);
  CHECK(plan.own_store == "cross-origin-cache-cos-hash-meta");
  CHECK(plan.fallback_store == "cross-origin-cache-cos-fallback");
  CHECK(plan.legacy_stores == std::vector<std::string>{"tvmjs-cos-hash-meta", "experimental_transformers-hash-cache"});
  CHECK(plan.snapshot);
  CHECK(plan_stores("cross-origin-cache", false).legacy_stores.empty());
}

TEST_CASE("scope tvmjs shares tvmjs's store: it is not also read as a legacy one, and gets no snapshot", "[store_plan]") {
  const coc::StorePlan plan = plan_stores("tvmjs", true);
  CHECK(plan.own_store == "tvmjs-cos-hash-meta");
  CHECK(plan.legacy_stores == std::vector<std::string>{"experimental_transformers-hash-cache"});
  CHECK_FALSE(plan.snapshot);
  CHECK_FALSE(plan_stores("tvmjs", false).snapshot);
}
