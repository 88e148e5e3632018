#include "storage_space.h"

#include <cmath>

namespace coc {

bool fits_storage_estimate(double size, double quota, double usage) {
  const bool known = std::isfinite(quota) && std::isfinite(usage) && quota >= 0 && usage >= 0;
  if (!known || !std::isfinite(size) || size < 0) return true;
  return size <= quota - usage;
}

}  // namespace coc
