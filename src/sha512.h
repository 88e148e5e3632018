// Streaming SHA-512 and SHA-384 (FIPS 180-4), to verify downloads against SRI hints that name them.
// COS keys files by SHA-256 only, so these never key storage.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace coc {

class Sha512 {
 public:
  enum class Variant { sha384, sha512 };
  explicit Sha512(Variant variant = Variant::sha512) : variant_(variant) { reset(); }
  void reset();
  void update(const std::uint8_t* data, std::size_t length);
  // Lowercase hex of the digest (96 digits for SHA-384, 128 for SHA-512); resets the object.
  std::string finish_hex();

 private:
  Variant variant_;
  std::array<std::uint64_t, 8> state_{};
  std::array<std::uint8_t, 128> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace coc
