// What this cache last saw storage hold, by hash. hasAllKeys trusts it for Cross-Origin Storage
// (which has no delete): a hash this cache stored, read or checked costs no question to storage,
// and the others are asked about together, once each. A hash seen missing (a miss, a write storage
// did not keep, an entry removed) is asked again. The fallback store is always asked: other tabs
// of the site delete from it.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "transfer.h"

namespace coc {

// What hasAllKeys does next: answer at once, or ask storage about `ask`.
struct HoldingCheck {
  enum class Verdict { all_held, not_all, ask };
  Verdict verdict = Verdict::not_all;
  std::vector<std::string> ask;  // with ask: each hash once, in the order first given
};

// After storage answered about the hashes asked: the answer, and an event to report.
struct HoldingAnswer {
  bool all_held = false;
  std::string error_kind;  // "" when none; the storage's error is the event's cause
};

class StorageLedger {
 public:
  void held(const std::string& hash) { held_.insert(hash); }
  void missing(const std::string& hash) { held_.erase(hash); }
  bool holds(const std::string& hash) const { return held_.count(hash) > 0; }

  // hashes: the records' hashes, "" for a URL that has none (its bytes cannot be found by hash).
  HoldingCheck check(StorageKind storage, const std::vector<std::string>& hashes) const;
  // Storage's answer about check().ask, all at once: a hit means every one is there.
  HoldingAnswer answered(const std::vector<std::string>& asked, StorageAnswer answer);

 private:
  std::set<std::string> held_;
};

}  // namespace coc
