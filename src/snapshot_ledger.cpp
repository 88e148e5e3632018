#include "snapshot_ledger.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <utility>

#include "artifact_url.h"

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

// Most recent first, then by key: a total order (the keys differ), so any sort gives this one
// result. A heap sort written out, as std::sort's instantiation took over 1 KB of the wasm core.
bool comes_before(const Tombstone& a, const Tombstone& b) {
  return a.second != b.second ? a.second > b.second : a.first < b.first;
}

void sift_down(std::vector<Tombstone>& heap, std::size_t at, std::size_t size) {
  for (std::size_t child = 2 * at + 1; child < size; at = child, child = 2 * at + 1) {
    if (child + 1 < size && comes_before(heap[child], heap[child + 1])) ++child;
    if (!comes_before(heap[at], heap[child])) return;
    std::swap(heap[at], heap[child]);
  }
}

void sort_tombstones(std::vector<Tombstone>& tombstones) {
  const std::size_t size = tombstones.size();
  for (std::size_t at = size / 2; at-- > 0;) sift_down(tombstones, at, size);
  for (std::size_t end = size; end-- > 1;) {
    std::swap(tombstones[0], tombstones[end]);
    sift_down(tombstones, 0, end);
  }
}

}  // namespace

std::map<std::string, double> latest_deletions(const std::vector<Tombstone>& tombstones, double now_ms) {
  std::map<std::string, double> deleted;
  for (const Tombstone& tombstone : tombstones) {
    double& at = deleted[tombstone.first];
    at = std::max(at, std::min(tombstone.second, now_ms));
  }
  return deleted;
}

SnapshotLedger::SnapshotLedger(std::size_t capacity) : capacity_(capacity) {}

void SnapshotLedger::learned(const std::string& key, bool persistable, const HashIndex& index) {
  from_snapshot_.erase(key);
  if (!persistable) return;
  forgotten_.erase(key);
  unsaved_[key] = ++generation_;
  // Bounded by memory: keys the index has dropped need no writing.
  if (unsaved_.size() > capacity_ * 2) {
    for (auto it = unsaved_.begin(); it != unsaved_.end();) {
      it = index.contains(it->first) ? std::next(it) : unsaved_.erase(it);
    }
  }
}

void SnapshotLedger::forgot(const std::string& key) {
  from_snapshot_.erase(key);
  unsaved_.erase(key);
  // Bounded: past capacity the oldest tombstones matter least (a merge may bring one back).
  if (forgotten_.size() >= capacity_) forgotten_.clear();
  forgotten_[key] = ++generation_;
}

bool SnapshotLedger::worthy(const std::string& key, const HashRecord& record) const {
  if (record.source == "hint" || forgotten(key)) return false;
  return persistable_key(key);
}

void SnapshotLedger::trim_loaded(const HashIndex& index) {
  if (from_snapshot_.size() <= capacity_) return;
  // Keys the index has since dropped: their label no longer matters.
  for (auto it = from_snapshot_.begin(); it != from_snapshot_.end();) {
    it = index.contains(*it) ? std::next(it) : from_snapshot_.erase(it);
  }
}

void SnapshotLedger::written(std::uint64_t generation) {
  for (auto* changes : {&forgotten_, &unsaved_}) {
    for (auto it = changes->begin(); it != changes->end();) {
      it = it->second <= generation ? changes->erase(it) : std::next(it);
    }
  }
}

std::map<std::string, double> SnapshotLedger::deletions(const std::vector<Tombstone>& stored, double now_ms) const {
  std::map<std::string, double> deleted = latest_deletions(stored, now_ms);
  for (const auto& forgotten : forgotten_) deleted[forgotten.first] = now_ms;
  for (auto it = deleted.begin(); it != deleted.end();) {
    // Keys with credentials were never written, and must not be now (nor another writer's).
    const bool keep = now_ms - it->second <= kTombstoneMs && persistable_key(it->first);
    it = keep ? std::next(it) : deleted.erase(it);
  }
  return deleted;
}

std::vector<Tombstone> SnapshotLedger::tombstones(const std::map<std::string, double>& deletions) const {
  std::vector<Tombstone> tombstones(deletions.begin(), deletions.end());
  sort_tombstones(tombstones);
  if (tombstones.size() > capacity_) tombstones.resize(capacity_);
  return tombstones;
}

}  // namespace coc
