// The Resolver's side of the persisted snapshot (record_snapshot.h): what goes into it and what
// is taken from it.
#include <algorithm>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "artifact_url.h"
#include "error_kinds.h"
#include "record_snapshot.h"
#include "resolver.h"
#include "snapshot_ledger.h"

namespace coc {
namespace {

// Whether another tab's snapshot key is one a reader takes (as import_snapshot checks it).
bool parses_as_storage_key(const std::string& key) {
  try {
    const ArtifactUrl url = parse_artifact_url(key);
    return url.storage_key == key && !url.has_credentials;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

}  // namespace

std::vector<KeyedRecord> Resolver::snapshot_records() const {
  std::vector<KeyedRecord> records;
  if (!options_.persist) return records;
  index_.for_each([&](const std::string& key, const HashRecord& record) {
    if (ledger_.worthy(key, record)) records.emplace_back(key, record);
  });
  return records;
}

SnapshotLoad Resolver::load_snapshot(const std::string& body, double now_ms) {
  snapshot_read_ = true;  // read, whatever it held: the per-URL entries answer for the rest
  SnapshotLoad load;
  SnapshotDecode decoded = decode_snapshot(body, options_.capacity);
  if (!decoded.ok) {
    load.error_kind = error_kind::persisted_snapshot_invalid;
    load.error_message = "persisted snapshot ignored: " + decoded.reason;
    return load;
  }
  import_snapshot(decoded, now_ms, load);
  return load;
}

SnapshotMerge Resolver::merge_snapshot(const std::string& stored, bool stored_found, double now_ms) {
  SnapshotMerge merge;
  snapshot_read_ = true;  // the stored snapshot is read for the merge, and brought into memory
  merge.generation = ledger_.generation();
  if (!options_.persist) {
    merge.body = encode_snapshot({});
    return merge;
  }
  SnapshotDecode decoded;
  if (stored_found) {
    // Whole: another tab may keep more records than this one's memory holds.
    decoded = decode_snapshot(stored);
    if (!decoded.ok) {
      merge.load.error_kind = error_kind::persisted_snapshot_invalid;
      merge.load.error_message = "persisted snapshot ignored: " + decoded.reason;
    }
  }
  // Deletions, this tab's (as of now) and the other tabs' that are recent enough to matter.
  std::map<std::string, double> deleted = ledger_.deletions(decoded.deleted, now_ms);
  const auto deleted_since = [&deleted](const std::string& key, const HashRecord& record) {
    auto found = deleted.find(key);
    return found != deleted.end() && found->second >= record.stored_at;
  };

  std::vector<KeyedRecord> records;
  std::vector<KeyedRecord> newer_elsewhere;  // records another tab learned later than this one
  if (!decoded.ok) {
    records = snapshot_records();  // nothing usable stored: write all this tab knows (a repair)
  } else {
    // What the other tabs stored, by key (their valid entries only). Brought into memory only
    // once the records to write are chosen: a memory smaller than the snapshot would otherwise
    // drop what this tab learned before it is written.
    std::map<std::string, HashRecord> others;
    for (const KeyedRecord& entry : decoded.records) others.emplace(entry.first, entry.second);
    index_.for_each([&](const std::string& key, const HashRecord& record) {
      if (ledger_.forgotten(key)) return;
      if (record.source != "hint" && ledger_.unsaved(key)) {
        // Learned here, unless another tab deleted it since.
        if (deleted_since(key, record)) return;
        // ...or learned another hash for it later (a put() of newer bytes there): the newer record
        // stands, here too, whichever tab writes last.
        auto other = others.find(key);
        if (other != others.end() && other->second.value != record.value &&
            other->second.stored_at > record.stored_at && ledger_.worthy(key, other->second)) {
          records.emplace_back(key, other->second);
          newer_elsewhere.emplace_back(key, other->second);
          deleted.erase(key);
          return;
        }
        records.emplace_back(key, record);
        deleted.erase(key);
        return;
      }
      // Unchanged here (or only a caller's hint): what is stored stands, and what is not stored
      // was deleted by another tab.
      auto found = others.find(key);
      if (found != others.end() && ledger_.worthy(key, found->second) && !deleted_since(key, found->second)) {
        records.emplace_back(key, found->second);
      }
    });
    // What other tabs stored that this memory does not hold (a tab with a smaller capacity) stays,
    // after this tab's, in their order: as many as were stored or as memory holds, the oldest
    // giving way to what this tab adds.
    const std::size_t room = std::max(options_.capacity, decoded.records.size());
    for (const KeyedRecord& entry : decoded.records) {
      if (records.size() >= room) break;
      const std::string& key = entry.first;
      if (index_.contains(key) || ledger_.forgotten(key) || !ledger_.worthy(key, entry.second) ||
          deleted_since(key, entry.second) || !parses_as_storage_key(key)) {
        continue;
      }
      records.emplace_back(key, entry.second);
    }
    import_snapshot(decoded, now_ms, merge.load);
  }
  for (KeyedRecord& entry : newer_elsewhere) {
    ledger_.loaded(entry.first);
    from_stores_.insert(entry.first);
    index_.put(entry.first, std::move(entry.second));
  }
  merge.body = encode_snapshot(records, ledger_.tombstones(deleted));
  deletions_ = std::move(deleted);
  return merge;
}

bool Resolver::deleted_after(const std::string& key, const HashRecord& record) const {
  auto found = deletions_.find(key);
  // An undated record (tvmjs's form) may be from any time: a deletion stands over it.
  return found != deletions_.end() && (record.stored_at <= 0 || found->second >= record.stored_at);
}

bool Resolver::deleted(const std::string& key) const {
  if (index_.contains(key)) return false;
  return ledger_.forgotten(key) || deletions_.count(key) != 0;
}

void Resolver::snapshot_written(std::uint64_t generation) {
  ledger_.written(generation);
}

void Resolver::import_snapshot(SnapshotDecode& decoded, double now_ms, SnapshotLoad& load) {
  std::string first_reason = decoded.first_skip_reason;
  load.skipped = decoded.skipped;
  const std::map<std::string, double> deleted = latest_deletions(decoded.deleted, now_ms);
  deletions_ = deleted;
  // Only as many as memory holds, the most recent ones.
  const std::size_t count = std::min(decoded.records.size(), options_.capacity);
  std::vector<std::size_t> usable;
  for (std::size_t i = 0; i < count; ++i) {
    const KeyedRecord& entry = decoded.records[i];
    const std::string& key = entry.first;
    if (ledger_.forgotten(key) || index_.contains(key)) continue;
    auto tombstone = deleted.find(key);
    if (tombstone != deleted.end() && tombstone->second >= entry.second.stored_at) continue;
    // Reasons name the key redacted: a foreign entry may carry a secret.
    std::string reason;
    try {
      const ArtifactUrl url = parse_artifact_url(key);
      if (url.storage_key != key) reason = url.redacted + ": key is not a storage key";
      else if (url.has_credentials) reason = url.redacted + ": key carries credentials";
      else if (entry.second.source == "hint") reason = url.redacted + ": hints are never persisted";
    } catch (const std::invalid_argument& error) {
      reason = error.what();
    }
    if (!reason.empty()) {
      if (load.skipped++ == 0 && first_reason.empty()) first_reason = reason;
      continue;
    }
    usable.push_back(i);
  }
  // Oldest first, so the most recently used end up in front.
  for (auto it = usable.rbegin(); it != usable.rend(); ++it) {
    KeyedRecord& entry = decoded.records[*it];
    if (entry.second.stored_at <= 0) entry.second.stored_at = now_ms;
    ledger_.loaded(entry.first);
    from_stores_.insert(entry.first);
    index_.put(entry.first, std::move(entry.second));
    ++load.loaded;
  }
  ledger_.trim_loaded(index_);
  if (load.skipped > 0) {
    load.error_kind = error_kind::persisted_snapshot_invalid;
    load.error_message = std::to_string(load.skipped) + " persisted snapshot entr" +
                         (load.skipped == 1 ? "y" : "ies") + " ignored; first: " + first_reason;
  }
}

}  // namespace coc
