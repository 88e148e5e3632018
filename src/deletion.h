// Deleting one URL's mapping, sans-IO: what goes and in which order. Its persisted entry goes (only
// a URL that may be persisted has one), then the snapshot's copy; the bytes go only from the
// same-origin fallback store, and only once no other URL of this scope maps to the same hash. Cross-
// Origin Storage entries are never removed: other sites may rely on them. The shim performs each
// action and feeds back the result, as for a Transfer.
#pragma once
#include <string>

#include "resolver.h"
#include "transfer.h"

namespace coc {

enum class DeletionAction {
  look_up,           // the URL's record, whatever its age (a local resolution) → looked_up()
  delete_persisted,  // delete `key` from our persisted store and the legacy ones read, write the snapshot → persisted_deleted()
  scan_references,   // whether any record in our persisted store maps to `hash` → references_scanned()
  remove_entry,      // remove the fallback store's entry `hash` → entry_removed()
  done,
};

struct DeletionStep {
  DeletionAction action = DeletionAction::look_up;
  std::string key;   // delete_persisted
  std::string hash;  // scan_references, remove_entry
  bool known = false;  // done: the URL had a record
};

class Deletion {
 public:
  // persisted_store: a persisted store exists. The resolver must outlive the deletion.
  Deletion(Resolver& resolver, std::string url, StorageKind storage, bool persisted_store);

  const DeletionStep& next() const { return step_; }
  // found: the URL had a record, with this hash. The resolver forgets the URL now.
  const DeletionStep& looked_up(bool found, const std::string& hash);
  const DeletionStep& persisted_deleted();
  const DeletionStep& references_scanned(bool referenced);
  const DeletionStep& entry_removed();

 private:
  void expect(DeletionAction action, const char* feed) const;
  const DeletionStep& go(DeletionAction action);
  const DeletionStep& after_persisted();

  Resolver& resolver_;
  std::string url_;
  StorageKind storage_;
  bool persisted_store_;
  bool found_ = false;
  std::string hash_;
  DeletionStep step_;
};

}  // namespace coc
