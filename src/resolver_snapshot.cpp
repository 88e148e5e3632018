// The Resolver's side of the persisted snapshot (record_snapshot.h): what goes into it and what
// is taken from it.
#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "artifact_url.h"
#include "error_kinds.h"
#include "record_snapshot.h"
#include "resolver.h"

namespace coc {
namespace {

// How long the snapshot remembers a deletion: far longer than a tab takes to write what it
// learned (about a second), short enough to keep the list small.
constexpr double kTombstoneMs = 10 * 60 * 1000;

// Whether a key may be written into the snapshot at all: a storage key without credentials.
bool persistable_key(const std::string& key) {
  // Credentials need userinfo ('@') or a query ('?'): only such keys are worth parsing.
  if (key.find_first_of("@?") == std::string::npos) return true;
  try {
    return !parse_artifact_url(key).has_credentials;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

// Key -> when it was last deleted. A date ahead of now is from a clock that was wrong: it
// counts as now, so the tombstone expires like the others instead of living on for as long.
std::unordered_map<std::string, double> latest_deletions(const std::vector<Tombstone>& tombstones, double now_ms) {
  std::unordered_map<std::string, double> deleted;
  for (const Tombstone& tombstone : tombstones) {
    double& at = deleted[tombstone.first];
    at = std::max(at, std::min(tombstone.second, now_ms));
  }
  return deleted;
}

}  // namespace

bool Resolver::snapshot_worthy(const std::string& key, const HashRecord& record) const {
  if (record.source == "hint" || forgotten_.count(key) != 0) return false;
  return persistable_key(key);
}

std::vector<KeyedRecord> Resolver::snapshot_records() const {
  std::vector<KeyedRecord> records;
  if (!options_.persist) return records;
  index_.for_each([&](const std::string& key, const HashRecord& record) {
    if (snapshot_worthy(key, record)) records.emplace_back(key, record);
  });
  return records;
}

SnapshotLoad Resolver::load_snapshot(const std::string& body, double now_ms) {
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
  merge.generation = generation_;
  if (!options_.persist) {
    merge.body = encode_snapshot({});
    return merge;
  }
  SnapshotDecode decoded;
  if (stored_found) {
    decoded = decode_snapshot(stored, options_.capacity);
    if (!decoded.ok) {
      merge.load.error_kind = error_kind::persisted_snapshot_invalid;
      merge.load.error_message = "persisted snapshot ignored: " + decoded.reason;
    }
  }
  // Deletions, this tab's (as of now) and the other tabs' that are recent enough to matter.
  std::unordered_map<std::string, double> deleted = latest_deletions(decoded.deleted, now_ms);
  for (const auto& forgotten : forgotten_) deleted[forgotten.first] = now_ms;
  for (auto it = deleted.begin(); it != deleted.end();) {
    // Keys with credentials were never written, and must not be now (nor another writer's).
    const bool keep = now_ms - it->second <= kTombstoneMs && persistable_key(it->first);
    it = keep ? std::next(it) : deleted.erase(it);
  }
  const auto deleted_since = [&deleted](const std::string& key, const HashRecord& record) {
    auto found = deleted.find(key);
    return found != deleted.end() && found->second >= record.stored_at;
  };

  std::vector<KeyedRecord> records;
  if (!decoded.ok) {
    records = snapshot_records();  // nothing usable stored: write all this tab knows (a repair)
  } else {
    // What the other tabs stored, by key (their valid entries only; the import below checks them).
    std::unordered_map<std::string, HashRecord> others;
    others.reserve(decoded.records.size());
    for (const KeyedRecord& entry : decoded.records) others.emplace(entry.first, entry.second);
    import_snapshot(decoded, now_ms, merge.load);
    index_.for_each([&](const std::string& key, const HashRecord& record) {
      if (forgotten_.count(key) != 0) return;
      if (record.source != "hint" && unsaved_.count(key) != 0) {
        // Learned here, unless another tab deleted it since.
        if (deleted_since(key, record)) return;
        records.emplace_back(key, record);
        deleted.erase(key);
        return;
      }
      // Unchanged here (or only a caller's hint): what is stored stands, and what is not stored
      // was deleted by another tab.
      auto found = others.find(key);
      if (found != others.end() && snapshot_worthy(key, found->second) && !deleted_since(key, found->second)) {
        records.emplace_back(key, found->second);
      }
    });
  }
  // The most recent deletions, at most as many as memory holds records.
  std::vector<Tombstone> tombstones(deleted.begin(), deleted.end());
  std::sort(tombstones.begin(), tombstones.end(),
            [](const Tombstone& a, const Tombstone& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (tombstones.size() > options_.capacity) tombstones.resize(options_.capacity);
  merge.body = encode_snapshot(records, tombstones);
  return merge;
}

void Resolver::snapshot_written(std::uint64_t generation) {
  for (auto* changes : {&forgotten_, &unsaved_}) {
    for (auto it = changes->begin(); it != changes->end();) {
      it = it->second <= generation ? changes->erase(it) : std::next(it);
    }
  }
}

void Resolver::import_snapshot(SnapshotDecode& decoded, double now_ms, SnapshotLoad& load) {
  std::string first_reason = decoded.first_skip_reason;
  load.skipped = decoded.skipped;
  const std::unordered_map<std::string, double> deleted = latest_deletions(decoded.deleted, now_ms);
  // Only as many as memory holds, the most recent ones.
  const std::size_t count = std::min(decoded.records.size(), options_.capacity);
  std::vector<std::size_t> usable;
  for (std::size_t i = 0; i < count; ++i) {
    const KeyedRecord& entry = decoded.records[i];
    const std::string& key = entry.first;
    if (forgotten_.count(key) != 0 || index_.contains(key)) continue;
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
    from_snapshot_.insert(entry.first);
    from_stores_.insert(entry.first);
    index_.put(entry.first, std::move(entry.second));
    ++load.loaded;
  }
  if (from_snapshot_.size() > options_.capacity) {
    // Keys the index has since dropped: their label no longer matters.
    for (auto it = from_snapshot_.begin(); it != from_snapshot_.end();) {
      it = index_.contains(*it) ? std::next(it) : from_snapshot_.erase(it);
    }
  }
  if (load.skipped > 0) {
    load.error_kind = error_kind::persisted_snapshot_invalid;
    load.error_message = std::to_string(load.skipped) + " persisted snapshot entr" +
                         (load.skipped == 1 ? "y" : "ies") + " ignored; first: " + first_reason;
  }
}

}  // namespace coc
