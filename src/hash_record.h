// A URL's hash record and its persisted JSON form. What we write is a superset of tvmjs's
// {"algorithm":"SHA-256","value":"<hex>"}: either library reads the other's entries.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coc {

inline constexpr std::size_t kMaxRecordBytes = 4096;

struct HashRecord {
  std::string value;        // 64 lowercase hex digits (algorithm is always SHA-256)
  std::int64_t size = -1;   // bytes, -1 when unknown
  std::string source;       // "pointer" | "content" | "batch" | "imported" | "hint"
  std::string commit;       // 40-hex commit the hash belongs to, "" when unknown
  // The git blob id (40 or 64 lowercase hex) of a file not in Git LFS, from the response its
  // bytes came in: a listing of the revision confirms such a record without a download.
  std::string blob;
  double stored_at = 0;     // ms since the epoch when the hash was learned
};

bool is_known_source(std::string_view source);

struct RecordDecode {
  bool ok = false;
  HashRecord record;
  std::string reason;
};

std::string encode_record(const HashRecord& record);

// Reads our JSON and tvmjs's; records from tvmjs get source "imported" unless they name one.
RecordDecode decode_record(std::string_view body);

// transformers.js's store: the body is the plain hex string.
RecordDecode decode_plain_hex_record(std::string_view body);

}  // namespace coc
