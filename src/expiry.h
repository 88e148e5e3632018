// When something learned from the hub (a record, a listing) is to be asked for again.
#pragma once
#include <algorithm>

namespace coc {

// A date further ahead of the clock than this comes from a clock that was wrong: it is stale. A
// minute covers clock adjustments; a shorter max_age bounds it too.
inline constexpr double kClockSkewMs = 60 * 1000;

// Whether something learned at `at` is to be asked for again at now (max_age < 0: never).
inline bool expired(double at, double max_age, double now) {
  if (max_age < 0) return false;
  return at - now > std::min(kClockSkewMs, max_age) || now - at > max_age;
}

}  // namespace coc
