#include "storage_errors.h"

#include "error_kinds.h"

namespace coc {

std::string storage_write_error_kind(std::string_view error_name, std::string_view step) {
  if (error_name == "QuotaExceededError") return std::string(error_kind::cos_quota);
  if (error_name == "NotAllowedError") return std::string(error_kind::cos_not_allowed);
  if (error_name == "DataError" && step == "close") return std::string(error_kind::cos_hash_mismatch);
  return std::string(error_kind::cos_failed);
}

}  // namespace coc
