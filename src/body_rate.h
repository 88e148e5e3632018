// How fast recent bodies arrived, from the sizes and durations the shim measured (the core reads
// no clock). The fallback store reads a shard-sized body whole only while bodies arrive faster
// than the page hashes them as they stream (Transfer::whole_body): on a slower link streaming
// keeps up with it and costs nothing after the last byte, while a whole read still has to be
// copied, digested and put once it is in.
#pragma once
#include <array>
#include <cstdint>

namespace coc {

// Smaller bodies measure the round trip more than the link.
inline constexpr std::int64_t kBodyRateMinBytes = std::int64_t{1} << 20;
// The rate is that of the last few bodies together, so one slow or fast body does not flip it.
inline constexpr int kBodyRateSamples = 4;

class BodyRateMeter {
 public:
  // A body of `bytes` was read in `milliseconds` (from its response's headers to its last byte).
  // Bodies below kBodyRateMinBytes, and durations that are not a positive number, are ignored.
  void body_read(std::int64_t bytes, double milliseconds);
  // Bytes per second over the last kBodyRateSamples bodies; -1 while none was measured.
  double bytes_per_second() const;

 private:
  struct Sample {
    std::int64_t bytes = 0;
    double milliseconds = 0;
  };
  std::array<Sample, kBodyRateSamples> samples_{};
  int count_ = 0;
  int next_ = 0;
};

}  // namespace coc
