// Which Cache API stores a cache of one scope uses. Its own URL→hash store and the fallback store
// for bytes are named after the scope; the stores other libraries keep the same mapping in are
// read after ours (imported), never written; and its records get a snapshot only when its own
// store is not one another library also writes and deletes from (scope "tvmjs": a snapshot would
// keep answering for URLs tvmjs deleted).
#pragma once
#include <string>
#include <vector>

namespace coc {

struct StorePlan {
  std::string own_store;       // "<scope>-cos-hash-meta"
  std::string fallback_store;  // "<scope>-cos-fallback" (its seals: "<scope>-cos-fallback-seals")
  std::vector<std::string> legacy_stores;  // read after our own, in this order
  bool snapshot = true;
};

// import_legacy: the importLegacy option (read the other libraries' stores).
StorePlan plan_stores(const std::string& scope, bool import_legacy);

}  // namespace coc
