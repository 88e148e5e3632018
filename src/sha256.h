// Streaming SHA-256 (FIPS 180-4). Feed any number of chunks of any size, then finish.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace coc {

using Sha256Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256() { reset(); }
  void reset();
  void update(const std::uint8_t* data, std::size_t length);
  // Returns the digest and resets the object, so it can hash the next message.
  Sha256Digest finish();
  std::string finish_hex();
  std::uint64_t bytes_hashed() const { return total_bytes_; }

 private:
  std::array<std::uint32_t, 8> state_{};
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

std::string to_hex(const std::uint8_t* data, std::size_t length);
std::string sha256_hex(const std::uint8_t* data, std::size_t length);

}  // namespace coc
