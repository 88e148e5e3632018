#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

#include "body_rate.h"

using coc::BodyRateMeter;
using coc::kBodyRateMinBytes;

TEST_CASE("nothing measured: the rate is unknown", "[body_rate]") {
  BodyRateMeter meter;
  CHECK(meter.bytes_per_second() == -1);
  // Too small to say anything about the link, or no usable duration: still unknown.
  meter.body_read(kBodyRateMinBytes - 1, 1);
  meter.body_read(kBodyRateMinBytes, 0);
  meter.body_read(kBodyRateMinBytes, -5);
  meter.body_read(kBodyRateMinBytes, std::nan(""));
  meter.body_read(kBodyRateMinBytes, INFINITY);
  CHECK(meter.bytes_per_second() == -1);
}

TEST_CASE("the rate is that of the last four bodies together", "[body_rate]") {
  BodyRateMeter meter;
  const std::int64_t mib = kBodyRateMinBytes;
  meter.body_read(4 * mib, 1000);
  CHECK(meter.bytes_per_second() == Approx(4.0 * mib));
  meter.body_read(2 * mib, 1000);
  CHECK(meter.bytes_per_second() == Approx(3.0 * mib));
  meter.body_read(mib, 500);
  meter.body_read(mib, 500);
  CHECK(meter.bytes_per_second() == Approx(8.0 * mib / 3));
  // A fifth body pushes the first out: (2 + 1 + 1 + 8) MiB in 3 s.
  meter.body_read(8 * mib, 1000);
  CHECK(meter.bytes_per_second() == Approx(12.0 * mib / 3));
  // Four fast bodies later, the slow ones are forgotten.
  for (int i = 0; i < 4; ++i) meter.body_read(32 * mib, 100);
  CHECK(meter.bytes_per_second() == Approx(320.0 * mib));
}
