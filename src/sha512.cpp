// Streaming SHA-512 and SHA-384 (FIPS 180-4).
//
// Not a hot path (it only verifies the occasional SRI hint that names sha384/sha512), so the
// compression function is a plain loop over the 80 rounds with an 80-word message schedule.
// Loads and stores are big-endian via byte shifts: portable, no intrinsics, no platform headers.
// Full 128-byte blocks are compressed straight from the caller's buffer; only a partial
// head/tail goes through buffer_.
#include "sha512.h"

#include <cstring>

namespace coc {
namespace {

// First 64 bits of the fractional parts of the cube roots of the first 80 primes (FIPS 180-4
// section 4.2.3).
constexpr std::uint64_t kRoundConstants[80] = {
    0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full,
    0xe9b5dba58189dbbcull, 0x3956c25bf348b538ull, 0x59f111f1b605d019ull,
    0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull, 0xd807aa98a3030242ull,
    0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
    0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull,
    0xc19bf174cf692694ull, 0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull,
    0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull, 0x2de92c6f592b0275ull,
    0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
    0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full,
    0xbf597fc7beef0ee4ull, 0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull,
    0x06ca6351e003826full, 0x142929670a0e6e70ull, 0x27b70a8546d22ffcull,
    0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
    0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull,
    0x92722c851482353bull, 0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull,
    0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull, 0xd192e819d6ef5218ull,
    0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
    0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull,
    0x34b0bcb5e19b48a8ull, 0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull,
    0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull, 0x748f82ee5defb2fcull,
    0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
    0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull,
    0xc67178f2e372532bull, 0xca273eceea26619cull, 0xd186b8c721c0c207ull,
    0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull, 0x06f067aa72176fbaull,
    0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
    0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull,
    0x431d67c49c100d4cull, 0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull,
    0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

// Section 5.3.5: square roots of the first eight primes.
constexpr std::uint64_t kInitialState512[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

// Section 5.3.4: square roots of the ninth through sixteenth primes.
constexpr std::uint64_t kInitialState384[8] = {
    0xcbbb9d5dc1059ed8ull, 0x629a292a367cd507ull, 0x9159015a3070dd17ull, 0x152fecd8f70e5939ull,
    0x67332667ffc00b31ull, 0x8eb44a8768581511ull, 0xdb0c2e0d64f98fa7ull, 0x47b5481dbefa4fa4ull,
};

constexpr std::size_t kBlockSize = 128;
// Padding leaves 16 bytes at the end of the final block for the 128-bit message length.
constexpr std::size_t kLengthOffset = kBlockSize - 16;

inline std::uint64_t rotr(std::uint64_t x, unsigned n) {
  return (x >> n) | (x << (64u - n));
}

inline std::uint64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint64_t>(p[i]);
  return v;
}

inline void store_be64(std::uint8_t* p, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i) {
    p[i] = static_cast<std::uint8_t>(v >> (56u - 8u * static_cast<unsigned>(i)));
  }
}

// Compresses `blocks` consecutive 128-byte blocks starting at `data` into `state`.
void compress_blocks(std::uint64_t* state, const std::uint8_t* data, std::size_t blocks) {
  std::uint64_t w[80];
  for (; blocks != 0; --blocks, data += kBlockSize) {
    for (std::size_t t = 0; t < 16; ++t) w[t] = load_be64(data + 8 * t);
    for (std::size_t t = 16; t < 80; ++t) {
      const std::uint64_t s0 = rotr(w[t - 15], 1) ^ rotr(w[t - 15], 8) ^ (w[t - 15] >> 7);
      const std::uint64_t s1 = rotr(w[t - 2], 19) ^ rotr(w[t - 2], 61) ^ (w[t - 2] >> 6);
      w[t] = s1 + w[t - 7] + s0 + w[t - 16];
    }

    std::uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (std::size_t t = 0; t < 80; ++t) {
      const std::uint64_t big_sigma1 = rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41);
      const std::uint64_t choose = g ^ (e & (f ^ g));
      const std::uint64_t t1 = h + big_sigma1 + choose + kRoundConstants[t] + w[t];
      const std::uint64_t big_sigma0 = rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39);
      const std::uint64_t majority = (a & b) | (c & (a | b));
      const std::uint64_t t2 = big_sigma0 + majority;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }

    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

}  // namespace

void Sha512::reset() {
  const std::uint64_t* initial =
      variant_ == Variant::sha384 ? kInitialState384 : kInitialState512;
  for (std::size_t i = 0; i < 8; ++i) state_[i] = initial[i];
  buffer_.fill(0);
  buffered_ = 0;
  total_bytes_ = 0;
}

void Sha512::update(const std::uint8_t* data, std::size_t length) {
  if (length == 0) return;
  total_bytes_ += length;

  // Top up a partially filled buffer first.
  if (buffered_ != 0) {
    const std::size_t room = kBlockSize - buffered_;
    const std::size_t take = length < room ? length : room;
    std::memcpy(buffer_.data() + buffered_, data, take);
    buffered_ += take;
    data += take;
    length -= take;
    if (buffered_ < kBlockSize) return;
    compress_blocks(state_.data(), buffer_.data(), 1);
    buffered_ = 0;
  }

  // Whole blocks straight from the input.
  const std::size_t blocks = length / kBlockSize;
  if (blocks != 0) {
    compress_blocks(state_.data(), data, blocks);
    data += blocks * kBlockSize;
    length -= blocks * kBlockSize;
  }

  // Keep the tail.
  if (length != 0) {
    std::memcpy(buffer_.data(), data, length);
    buffered_ = length;
  }
}

std::string Sha512::finish_hex() {
  // The message length in bits is 128 bits wide; total_bytes_ is a 64-bit byte count, so its
  // top three bits form the high word.
  const std::uint64_t bits_high = total_bytes_ >> 61;
  const std::uint64_t bits_low = total_bytes_ << 3;

  // buffered_ < 128 always holds here. Append 0x80, zero-pad to 112 mod 128, then the length.
  std::size_t used = buffered_;
  buffer_[used++] = 0x80;
  if (used > kLengthOffset) {
    std::memset(buffer_.data() + used, 0, kBlockSize - used);
    compress_blocks(state_.data(), buffer_.data(), 1);
    used = 0;
  }
  std::memset(buffer_.data() + used, 0, kLengthOffset - used);
  store_be64(buffer_.data() + kLengthOffset, bits_high);
  store_be64(buffer_.data() + kLengthOffset + 8, bits_low);
  compress_blocks(state_.data(), buffer_.data(), 1);

  // SHA-384 is SHA-512 with other initial values, truncated to the first six words.
  const std::size_t words = variant_ == Variant::sha384 ? 6 : 8;
  std::uint8_t digest[64];
  for (std::size_t i = 0; i < words; ++i) store_be64(digest + 8 * i, state_[i]);

  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(words * 16, '\0');
  for (std::size_t i = 0; i < words * 8; ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0x0f];
  }
  reset();
  return out;
}

}  // namespace coc
