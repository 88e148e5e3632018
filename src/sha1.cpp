// Streaming SHA-1 (FIPS 180-4). A plain loop, kept small: it hashes only files not in Git LFS,
// which hubs keep small (the Hugging Face Hub refuses plain files over 10 MB), and in a browser
// WebCrypto does it instead.
#include "sha1.h"

#include <algorithm>
#include <cstring>

#include "sha256.h"

namespace coc {
namespace {

inline std::uint32_t rotl(std::uint32_t x, unsigned n) {
  return (x << n) | (x >> (32u - n));
}

}  // namespace

void Sha1::reset() {
  state_ = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u};
  buffered_ = 0;
  total_bytes_ = 0;
}

void Sha1::compress(const std::uint8_t* block) {
  std::uint32_t w[80];
  for (int i = 0; i < 16; ++i) {
    w[i] = (static_cast<std::uint32_t>(block[4 * i]) << 24) | (static_cast<std::uint32_t>(block[4 * i + 1]) << 16) |
           (static_cast<std::uint32_t>(block[4 * i + 2]) << 8) | static_cast<std::uint32_t>(block[4 * i + 3]);
  }
  for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
  for (int i = 0; i < 80; ++i) {
    std::uint32_t f;
    std::uint32_t k;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999u;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1u;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdcu;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6u;
    }
    const std::uint32_t next = rotl(a, 5) + f + e + k + w[i];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = next;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
}

void Sha1::update(const std::uint8_t* data, std::size_t length) {
  if (length == 0) return;  // data may be null then (memcpy's arguments never may)
  total_bytes_ += length;
  if (buffered_ > 0) {
    const std::size_t take = std::min(length, buffer_.size() - buffered_);
    std::memcpy(buffer_.data() + buffered_, data, take);
    buffered_ += take;
    data += take;
    length -= take;
    if (buffered_ < buffer_.size()) return;
    compress(buffer_.data());
    buffered_ = 0;
  }
  for (; length >= 64; data += 64, length -= 64) compress(data);
  if (length > 0) std::memcpy(buffer_.data(), data, length);
  buffered_ = length;
}

Sha1Digest Sha1::finish() {
  const std::uint64_t bits = total_bytes_ * 8;
  const std::uint8_t pad = 0x80;
  update(&pad, 1);
  const std::uint8_t zero = 0;
  while (buffered_ != 56) update(&zero, 1);
  std::uint8_t length_be[8];
  for (int i = 0; i < 8; ++i) length_be[i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  update(length_be, 8);
  Sha1Digest digest{};
  for (std::size_t i = 0; i < state_.size(); ++i) {
    for (std::size_t j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<std::uint8_t>(state_[i] >> (24 - 8 * j));
  }
  reset();
  return digest;
}

std::string Sha1::finish_hex() {
  const Sha1Digest digest = finish();
  return to_hex(digest.data(), digest.size());
}

}  // namespace coc
