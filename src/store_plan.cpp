#include "store_plan.h"

#include <algorithm>
#include <array>

namespace coc {
namespace {

// The stores tvmjs (PR #19569) and transformers.js keep URL→hash records in.
constexpr std::array<const char*, 2> kOtherLibrariesStores = {"tvmjs-cos-hash-meta",
                                                              "experimental_transformers-hash-cache"};

}  // namespace

StorePlan plan_stores(const std::string& scope, bool import_legacy) {
  StorePlan plan;
  plan.own_store = scope + "-cos-hash-meta";
  plan.fallback_store = scope + "-cos-fallback";
  for (const char* store : kOtherLibrariesStores) {
    if (store == plan.own_store) {
      plan.snapshot = false;
    } else if (import_legacy) {
      plan.legacy_stores.emplace_back(store);
    }
  }
  return plan;
}

}  // namespace coc
