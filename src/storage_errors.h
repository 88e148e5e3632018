// How a failed Cross-Origin Storage write is reported. Only close() compares the bytes with the
// hash, so a DataError anywhere else is an ordinary failure, not a mismatch.
#pragma once
#include <string>
#include <string_view>

namespace coc {

// error_name: the DOMException name ("QuotaExceededError", …); step: where the write failed
// ("request", "createWritable", "write", "close"). Returns an onError kind: cos-quota,
// cos-hash-mismatch, cos-not-allowed or cos-failed.
std::string storage_write_error_kind(std::string_view error_name, std::string_view step);

}  // namespace coc
