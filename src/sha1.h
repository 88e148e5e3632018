// Streaming SHA-1 (FIPS 180-4), for git blob ids only: SHA-1 is broken for collisions and never
// keys storage here; it checks that a hub file's bytes are the blob its hub names.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace coc {

using Sha1Digest = std::array<std::uint8_t, 20>;

class Sha1 {
 public:
  Sha1() { reset(); }
  void reset();
  void update(const std::uint8_t* data, std::size_t length);
  // Returns the digest and resets the object, so it can hash the next message.
  Sha1Digest finish();
  std::string finish_hex();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 5> state_{};
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace coc
