// The Resolver's account of the persisted snapshot (record_snapshot.h): which of its changes the
// stored snapshot may not have yet, and which records in memory came from a snapshot. Other tabs
// write the same snapshot, so a write carries only this tab's changes on top of what is stored.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hash_index.h"
#include "hash_record.h"
#include "record_snapshot.h"

namespace coc {

class SnapshotLedger {
 public:
  // capacity: memory's; the ledger keeps at most about that many keys of each kind.
  explicit SnapshotLedger(std::size_t capacity);

  // A record was learned or changed in memory (not read from a snapshot); a persistable one is for
  // the next write. Called before index holds it: keys index no longer holds need no writing.
  void learned(const std::string& key, bool persistable, const HashIndex& index);
  // A key's record was forgotten: writes leave it out, and say so, until it is learned again.
  void forgot(const std::string& key);
  bool forgotten(const std::string& key) const { return forgotten_.count(key) != 0; }
  bool unsaved(const std::string& key) const { return unsaved_.count(key) != 0; }
  // Whether a record belongs in a snapshot: not a hint, not forgotten, a key without credentials.
  bool worthy(const std::string& key, const HashRecord& record) const;

  // A record was read from a snapshot: until its first hit, it reports "persisted".
  void loaded(const std::string& key) { from_snapshot_.insert(key); }
  bool unhit(const std::string& key) const { return from_snapshot_.count(key) != 0; }
  // True the first time a key loaded from a snapshot is hit.
  bool hit(const std::string& key) { return from_snapshot_.erase(key) != 0; }
  // Past capacity, drops the marks of keys index no longer holds.
  void trim_loaded(const HashIndex& index);

  // Changes are numbered: a write settles only the changes made up to the generation it carried
  // (a key forgotten while a write is under way stays forgotten).
  std::uint64_t generation() const { return generation_; }
  void written(std::uint64_t generation);

  // The deletions a write carries, key -> when: the stored snapshot's and this resolver's (as of
  // now), those recent enough to matter and for keys without credentials.
  std::map<std::string, double> deletions(const std::vector<Tombstone>& stored, double now_ms) const;
  // The most recent deletions, at most capacity, in the order they are written.
  std::vector<Tombstone> tombstones(const std::map<std::string, double>& deletions) const;

 private:
  std::size_t capacity_;
  std::map<std::string, std::uint64_t> forgotten_;  // key -> generation forgotten at
  std::map<std::string, std::uint64_t> unsaved_;    // key -> generation learned at
  std::uint64_t generation_ = 0;
  std::set<std::string> from_snapshot_;  // keys loaded from a snapshot, not yet hit
};

// Key -> when it was last deleted. A date ahead of now is from a clock that was wrong: it counts
// as now, so the tombstone expires like the others instead of living on for as long.
std::map<std::string, double> latest_deletions(const std::vector<Tombstone>& tombstones, double now_ms);

}  // namespace coc
