// SnapshotLedger on its own: which changes a snapshot write carries and settles, which keys it
// leaves out, the deletions it writes, and the first hit of a record loaded from a snapshot.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hash_index.h"
#include "hash_record.h"
#include "record_snapshot.h"
#include "snapshot_ledger.h"

using coc::HashIndex;
using coc::HashRecord;
using coc::SnapshotLedger;
using coc::Tombstone;

namespace {

const std::string kA = "https://hub.example/org/model/resolve/main/a.bin";
const std::string kB = "https://hub.example/org/model/resolve/main/b.bin";
const std::string kC = "https://hub.example/org/model/resolve/main/c.bin";
const std::string kWithUser = "https://user:secret@hub.example/org/model/resolve/main/a.bin";
constexpr double kNow = 1.0e12;
constexpr double kMinute = 60 * 1000;

HashRecord record(const std::string& source) {
  HashRecord result;
  result.value = std::string(64, 'a');
  result.source = source;
  result.stored_at = kNow;
  return result;
}

}  // namespace

TEST_CASE("learned persistable records are unsaved until a write of their generation", "[snapshot_ledger]") {
  HashIndex index;
  SnapshotLedger ledger(10);
  CHECK(ledger.generation() == 0);
  ledger.learned(kA, true, index);
  const auto first = ledger.generation();
  ledger.learned(kB, true, index);
  ledger.learned(kC, false, index);  // e.g. a URL with credentials: never written
  CHECK(ledger.generation() == first + 1);
  CHECK(ledger.unsaved(kA));
  CHECK(ledger.unsaved(kB));
  CHECK_FALSE(ledger.unsaved(kC));
  ledger.written(first);
  CHECK_FALSE(ledger.unsaved(kA));
  CHECK(ledger.unsaved(kB));
}

TEST_CASE("a key forgotten while a write is under way stays forgotten", "[snapshot_ledger]") {
  HashIndex index;
  SnapshotLedger ledger(10);
  ledger.learned(kA, true, index);
  ledger.forgot(kA);
  CHECK(ledger.forgotten(kA));
  CHECK_FALSE(ledger.unsaved(kA));
  const auto carried = ledger.generation();
  ledger.forgot(kB);
  ledger.written(carried);
  CHECK_FALSE(ledger.forgotten(kA));
  CHECK(ledger.forgotten(kB));
  // Learned again, it is written again.
  ledger.learned(kB, true, index);
  CHECK_FALSE(ledger.forgotten(kB));
  CHECK(ledger.unsaved(kB));
}

TEST_CASE("forgotten keys are bounded by capacity", "[snapshot_ledger]") {
  SnapshotLedger ledger(2);
  ledger.forgot(kA);
  ledger.forgot(kB);
  ledger.forgot(kC);  // past capacity: the older tombstones go
  CHECK_FALSE(ledger.forgotten(kA));
  CHECK_FALSE(ledger.forgotten(kB));
  CHECK(ledger.forgotten(kC));
}

TEST_CASE("unsaved keys memory no longer holds are dropped past twice the capacity", "[snapshot_ledger]") {
  HashIndex index;
  index.put(kA, record("batch"));
  SnapshotLedger ledger(1);
  ledger.learned(kA, true, index);
  ledger.learned(kB, true, index);
  CHECK(ledger.unsaved(kB));  // two keys: within bounds
  ledger.learned(kC, true, index);
  CHECK(ledger.unsaved(kA));
  CHECK_FALSE(ledger.unsaved(kB));
}

TEST_CASE("only persistable, unforgotten, non-hint records are worth a snapshot", "[snapshot_ledger]") {
  SnapshotLedger ledger(10);
  CHECK(ledger.worthy(kA, record("batch")));
  CHECK_FALSE(ledger.worthy(kA, record("hint")));
  CHECK_FALSE(ledger.worthy(kWithUser, record("batch")));
  CHECK_FALSE(ledger.worthy("not a url@", record("batch")));
  ledger.forgot(kA);
  CHECK_FALSE(ledger.worthy(kA, record("batch")));
}

TEST_CASE("a record loaded from a snapshot is hit once: learning it clears the mark", "[snapshot_ledger]") {
  HashIndex index;
  SnapshotLedger ledger(10);
  ledger.loaded(kA);
  ledger.loaded(kB);
  CHECK(ledger.unhit(kA));
  CHECK(ledger.hit(kA));
  CHECK_FALSE(ledger.hit(kA));
  CHECK_FALSE(ledger.unhit(kA));
  ledger.learned(kB, false, index);
  CHECK_FALSE(ledger.unhit(kB));
  ledger.loaded(kC);
  ledger.forgot(kC);
  CHECK_FALSE(ledger.unhit(kC));
}

TEST_CASE("past capacity, loaded marks of keys memory dropped are trimmed", "[snapshot_ledger]") {
  HashIndex index;
  index.put(kB, record("batch"));
  SnapshotLedger ledger(1);
  ledger.loaded(kA);
  ledger.trim_loaded(index);
  CHECK(ledger.unhit(kA));  // within capacity: kept
  ledger.loaded(kB);
  ledger.trim_loaded(index);
  CHECK_FALSE(ledger.unhit(kA));
  CHECK(ledger.unhit(kB));
}

TEST_CASE("deletions: the stored ones that are recent, each key's latest, and this tab's as of now", "[snapshot_ledger]") {
  SnapshotLedger ledger(10);
  ledger.forgot(kC);
  const std::vector<Tombstone> stored = {
      {kA, kNow - 20 * kMinute},  // too old to matter
      {kA, kNow - kMinute},       // the latest of kA
      {kB, kNow + 5 * kMinute},   // from a clock ahead: counts as now
      {kWithUser, kNow},          // credentials are never written
  };
  const auto deleted = ledger.deletions(stored, kNow);
  REQUIRE(deleted.size() == 3);
  CHECK(deleted.at(kA) == kNow - kMinute);
  CHECK(deleted.at(kB) == kNow);
  CHECK(deleted.at(kC) == kNow);
  CHECK(deleted.count(kWithUser) == 0);
}

TEST_CASE("tombstones are written most recent first, as many as memory holds", "[snapshot_ledger]") {
  SnapshotLedger ledger(2);
  const auto tombstones = ledger.tombstones({{kA, kNow - 2}, {kB, kNow}, {kC, kNow - 1}});
  REQUIRE(tombstones.size() == 2);
  CHECK(tombstones[0] == Tombstone(kB, kNow));
  CHECK(tombstones[1] == Tombstone(kC, kNow - 1));
}

TEST_CASE("latest_deletions keeps each key's latest date, none past now", "[snapshot_ledger]") {
  const auto deleted = coc::latest_deletions({{kA, 5}, {kA, 7}, {kB, 50}}, 10);
  CHECK(deleted.at(kA) == 7);
  CHECK(deleted.at(kB) == 10);
}
