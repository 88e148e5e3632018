// All of a scope's URL→hash records in one persisted entry, so that a reload reads one entry
// instead of one per URL. The per-URL entries stay the source of truth (tvmjs reads them); the
// snapshot only saves their reads, and a missing or bad snapshot costs nothing but those reads.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hash_record.h"

namespace coc {

// The key the snapshot is stored under in the persisted store (a URL no file can have).
inline constexpr const char* kSnapshotKey = "https://cross-origin-cache.invalid/records/v1";
// Far above 10^4 records (~2.5 MB) yet bounded, so a hostile entry cannot grow the heap at will.
inline constexpr std::size_t kMaxSnapshotBytes = std::size_t{32} << 20;
// New records reach the stored snapshot at most this often: a load learns them one by one.
inline constexpr double kSnapshotWriteIntervalMs = 1000;

using KeyedRecord = std::pair<std::string, HashRecord>;
// A key deleted from the store, and when (ms since the epoch): another tab that learned the key
// before then must not write it back.
using Tombstone = std::pair<std::string, double>;

// {"version":1,"records":[["<storage key>",<record as encode_record writes it>],...]}, in the
// order given (an array, so the order survives), then "deleted":[["<storage key>",<ms>],...]
// when there are tombstones.
std::string encode_snapshot(const std::vector<KeyedRecord>& records, const std::vector<Tombstone>& deleted = {});

struct SnapshotDecode {
  bool ok = false;
  std::vector<KeyedRecord> records;  // in the order written
  std::vector<Tombstone> deleted;    // valid tombstones (invalid ones are skipped and counted)
  std::size_t skipped = 0;           // entries that were not valid records
  std::string first_skip_reason;
  std::string reason;                // why the whole snapshot was refused
};

// A snapshot that is not one (not JSON, another version, too large) fails as a whole; single
// entries that are not valid records or tombstones are skipped and counted. Read entry by entry:
// memory is what is kept, the first max_records records (the most recently used), never the
// document; anything else in it is skipped unbuilt.
SnapshotDecode decode_snapshot(std::string_view body, std::size_t max_records = SIZE_MAX);

}  // namespace coc
