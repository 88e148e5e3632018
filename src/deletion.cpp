#include "deletion.h"

#include <stdexcept>
#include <utility>

#include "artifact_url.h"

namespace coc {

Deletion::Deletion(Resolver& resolver, std::string url, StorageKind storage, bool persisted_store)
    : resolver_(resolver), url_(std::move(url)), storage_(storage), persisted_store_(persisted_store) {
  // Refused up front: a URL the cache could never have stored anything under.
  step_.key = parse_artifact_url(url_).storage_key;
}

void Deletion::expect(DeletionAction action, const char* feed) const {
  if (step_.action != action) throw std::logic_error(std::string("deletion: ") + feed + " out of turn");
}

const DeletionStep& Deletion::go(DeletionAction action) {
  step_.action = action;
  step_.hash = hash_;
  step_.known = found_;
  return step_;
}

const DeletionStep& Deletion::looked_up(bool found, const std::string& hash) {
  expect(DeletionAction::look_up, "looked_up");
  found_ = found;
  hash_ = found ? hash : std::string();
  resolver_.forget(url_);
  // Nothing is persisted under a URL with credentials (and the Cache API would quote it whole).
  if (persisted_store_ && resolver_.persistable(url_)) return go(DeletionAction::delete_persisted);
  return after_persisted();
}

const DeletionStep& Deletion::persisted_deleted() {
  expect(DeletionAction::delete_persisted, "persisted_deleted");
  return after_persisted();
}

const DeletionStep& Deletion::after_persisted() {
  if (!found_ || storage_ != StorageKind::fallback || resolver_.references(hash_) > 0) return go(DeletionAction::done);
  // Memory knows no other URL with these bytes; the persisted records may.
  return go(persisted_store_ ? DeletionAction::scan_references : DeletionAction::remove_entry);
}

const DeletionStep& Deletion::references_scanned(bool referenced) {
  expect(DeletionAction::scan_references, "references_scanned");
  return go(referenced ? DeletionAction::done : DeletionAction::remove_entry);
}

const DeletionStep& Deletion::entry_removed() {
  expect(DeletionAction::remove_entry, "entry_removed");
  return go(DeletionAction::done);
}

}  // namespace coc
