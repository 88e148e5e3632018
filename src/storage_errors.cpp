#include "storage_errors.h"

namespace coc {

std::string storage_write_error_kind(std::string_view error_name, std::string_view step) {
  if (error_name == "QuotaExceededError") return "cos-quota";
  if (error_name == "NotAllowedError") return "cos-not-allowed";
  if (error_name == "DataError" && step == "close") return "cos-hash-mismatch";
  return "cos-failed";
}

}  // namespace coc
