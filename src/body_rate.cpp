#include "body_rate.h"

#include <cmath>

namespace coc {

void BodyRateMeter::body_read(std::int64_t bytes, double milliseconds) {
  if (bytes < kBodyRateMinBytes || !std::isfinite(milliseconds) || milliseconds <= 0) return;
  samples_[static_cast<std::size_t>(next_)] = {bytes, milliseconds};
  next_ = (next_ + 1) % kBodyRateSamples;
  if (count_ < kBodyRateSamples) ++count_;
}

double BodyRateMeter::bytes_per_second() const {
  if (count_ == 0) return -1;
  double bytes = 0;
  double milliseconds = 0;
  for (int i = 0; i < count_; ++i) {
    bytes += static_cast<double>(samples_[static_cast<std::size_t>(i)].bytes);
    milliseconds += samples_[static_cast<std::size_t>(i)].milliseconds;
  }
  return bytes * 1000 / milliseconds;
}

}  // namespace coc
