#include "storage_ledger.h"

#include "error_kinds.h"

namespace coc {

HoldingCheck StorageLedger::check(StorageKind storage, const std::vector<std::string>& hashes) const {
  HoldingCheck result;
  if (storage == StorageKind::none) return result;
  std::set<std::string> asked;
  for (const std::string& hash : hashes) {
    if (hash.empty()) {
      result.ask.clear();
      return result;  // not_all: a URL without a hash
    }
    // The fallback store is the site's own Cache API, which another tab deletes from: what this
    // tab saw it hold says nothing now, and asking it costs a lookup. COS keeps what it stored.
    const bool trusted = storage != StorageKind::fallback && holds(hash);
    if (!trusted && asked.insert(hash).second) result.ask.push_back(hash);
  }
  result.verdict = result.ask.empty() ? HoldingCheck::Verdict::all_held : HoldingCheck::Verdict::ask;
  return result;
}

HoldingAnswer StorageLedger::answered(const std::vector<std::string>& asked, StorageAnswer answer) {
  HoldingAnswer result;
  if (answer == StorageAnswer::hit) {
    for (const std::string& hash : asked) held(hash);
    result.all_held = true;
  } else if (answer == StorageAnswer::error) {
    result.error_kind = std::string(error_kind::cos_failed);
  }
  return result;
}

}  // namespace coc
