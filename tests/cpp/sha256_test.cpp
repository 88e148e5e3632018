#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sha256.h"

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) {
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

std::string hex_of(const std::string& s) {
  return coc::sha256_hex(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// A deliberately plain, loop-based SHA-256 (FIPS 180-4), written independently of the unrolled
// production code, used only as an oracle for the arbitrary-length tests below.
std::string reference_sha256_hex(const std::vector<std::uint8_t>& message) {
  static const std::uint32_t k[64] = {
      0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
      0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
      0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
      0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
      0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
      0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
      0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
      0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
      0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
      0xc67178f2u};
  auto rotr = [](std::uint32_t x, unsigned n) { return (x >> n) | (x << (32u - n)); };

  std::vector<std::uint8_t> padded = message;
  const std::uint64_t bits = static_cast<std::uint64_t>(message.size()) * 8u;
  padded.push_back(0x80);
  while (padded.size() % 64 != 56) padded.push_back(0);
  for (int shift = 56; shift >= 0; shift -= 8) {
    padded.push_back(static_cast<std::uint8_t>(bits >> shift));
  }

  std::uint32_t hs[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                         0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
  for (std::size_t off = 0; off < padded.size(); off += 64) {
    std::uint32_t w[64];
    for (std::size_t t = 0; t < 16; ++t) {
      const std::uint8_t* p = &padded[off + 4 * t];
      w[t] = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
             (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
    }
    for (std::size_t t = 16; t < 64; ++t) {
      const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t v[8];
    for (std::size_t i = 0; i < 8; ++i) v[i] = hs[i];
    for (std::size_t t = 0; t < 64; ++t) {
      const std::uint32_t big1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
      const std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
      const std::uint32_t t1 = v[7] + big1 + ch + k[t] + w[t];
      const std::uint32_t big0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
      const std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
      const std::uint32_t t2 = big0 + maj;
      for (std::size_t i = 7; i > 0; --i) v[i] = v[i - 1];
      v[4] += t1;
      v[0] = t1 + t2;
    }
    for (std::size_t i = 0; i < 8; ++i) hs[i] += v[i];
  }
  std::uint8_t out[32];
  for (std::size_t i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<std::uint8_t>(hs[i] >> 24);
    out[4 * i + 1] = static_cast<std::uint8_t>(hs[i] >> 16);
    out[4 * i + 2] = static_cast<std::uint8_t>(hs[i] >> 8);
    out[4 * i + 3] = static_cast<std::uint8_t>(hs[i]);
  }
  return coc::to_hex(out, 32);
}

}  // namespace

TEST_CASE("sha256: NIST FIPS 180-4 example messages", "[sha256]") {
  CHECK(hex_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex_of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnop"
               "qrlmnopqrsmnopqrstnopqrstu") ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("sha256: one million 'a' bytes", "[sha256]") {
  const std::string expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  const std::vector<std::uint8_t> million(1000000, static_cast<std::uint8_t>('a'));

  SECTION("in one update") {
    CHECK(coc::sha256_hex(million.data(), million.size()) == expected);
  }
  SECTION("in 1000-byte updates (not a multiple of the block size)") {
    coc::Sha256 hasher;
    for (std::size_t off = 0; off < million.size(); off += 1000) hasher.update(&million[off], 1000);
    CHECK(hasher.bytes_hashed() == 1000000u);
    CHECK(hasher.finish_hex() == expected);
  }
  SECTION("in 4096-byte updates with a ragged tail") {
    coc::Sha256 hasher;
    std::size_t off = 0;
    while (off < million.size()) {
      const std::size_t n = std::min<std::size_t>(4096, million.size() - off);
      hasher.update(&million[off], n);
      off += n;
    }
    CHECK(hasher.finish_hex() == expected);
  }
}

TEST_CASE("sha256: lengths around block boundaries match sha256sum", "[sha256]") {
  // Computed on the build machine with: printf 'a%.0s' $(seq N) | sha256sum
  struct Case {
    std::size_t length;
    const char* hex;
  };
  const Case cases[] = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
  };
  for (const Case& c : cases) {
    INFO("length " << c.length);
    const std::vector<std::uint8_t> msg(c.length, static_cast<std::uint8_t>('a'));
    CHECK(coc::sha256_hex(msg.data(), msg.size()) == c.hex);

    coc::Sha256 bytewise;
    for (std::uint8_t byte : msg) bytewise.update(&byte, 1);
    CHECK(bytewise.finish_hex() == c.hex);
  }
}

TEST_CASE("sha256: every length 0..200 agrees across chunkings and with a plain reference",
          "[sha256]") {
  std::mt19937 rng(20240611u);
  std::uniform_int_distribution<int> byte_dist(0, 255);

  for (std::size_t length = 0; length <= 200; ++length) {
    INFO("length " << length);
    std::vector<std::uint8_t> msg(length);
    for (auto& byte : msg) byte = static_cast<std::uint8_t>(byte_dist(rng));

    const std::string one_shot = coc::sha256_hex(msg.data(), msg.size());
    CHECK(one_shot.size() == 64u);
    CHECK(one_shot == reference_sha256_hex(msg));

    coc::Sha256 bytewise;
    for (std::size_t i = 0; i < length; ++i) bytewise.update(&msg[i], 1);
    CHECK(bytewise.bytes_hashed() == length);
    CHECK(bytewise.finish_hex() == one_shot);

    for (int trial = 0; trial < 8; ++trial) {
      INFO("trial " << trial);
      coc::Sha256 chunked;
      std::size_t off = 0;
      while (off < length) {
        // Chunk sizes 0..130 so that empty updates, sub-block, exact-block and multi-block
        // updates all occur, starting from every buffered offset.
        std::uniform_int_distribution<std::size_t> size_dist(0, 130);
        const std::size_t n = std::min(size_dist(rng), length - off);
        chunked.update(msg.data() + off, n);
        off += n;
      }
      chunked.update(msg.data() + length, 0);
      CHECK(chunked.bytes_hashed() == length);
      CHECK(chunked.finish_hex() == one_shot);
    }
  }
}

TEST_CASE("sha256: finish() resets the object", "[sha256]") {
  const std::vector<std::uint8_t> abc = bytes_of("abc");
  coc::Sha256 hasher;
  hasher.update(abc.data(), abc.size());
  const coc::Sha256Digest first = hasher.finish();
  CHECK(hasher.bytes_hashed() == 0u);
  hasher.update(abc.data(), abc.size());
  const coc::Sha256Digest second = hasher.finish();
  CHECK(first == second);
  CHECK(coc::to_hex(first.data(), first.size()) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  // Finishing with nothing fed gives the empty-message digest, and so does a finish straight
  // after another finish.
  CHECK(hasher.finish_hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hasher.finish_hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  // reset() discards a partially fed message.
  hasher.update(abc.data(), abc.size());
  hasher.reset();
  CHECK(hasher.bytes_hashed() == 0u);
  CHECK(hasher.finish_hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("sha256: bytes_hashed counts every byte fed", "[sha256]") {
  const std::vector<std::uint8_t> data(1000, 0x5a);
  coc::Sha256 hasher;
  CHECK(hasher.bytes_hashed() == 0u);
  hasher.update(data.data(), 0);
  CHECK(hasher.bytes_hashed() == 0u);
  hasher.update(nullptr, 0);
  CHECK(hasher.bytes_hashed() == 0u);
  hasher.update(data.data(), 1);
  CHECK(hasher.bytes_hashed() == 1u);
  hasher.update(data.data(), 63);
  CHECK(hasher.bytes_hashed() == 64u);
  hasher.update(data.data(), 200);
  CHECK(hasher.bytes_hashed() == 264u);
  hasher.update(data.data(), 736);
  CHECK(hasher.bytes_hashed() == 1000u);
  CHECK(hasher.finish_hex() == coc::sha256_hex(data.data(), data.size()));
  CHECK(hasher.bytes_hashed() == 0u);
}

TEST_CASE("sha256: to_hex is lowercase and two digits per byte", "[sha256]") {
  const std::uint8_t bytes[] = {0x00, 0x01, 0x0f, 0x10, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
  CHECK(coc::to_hex(bytes, sizeof bytes) == "00010f107f80abcdefff");
  CHECK(coc::to_hex(bytes, 0).empty());
  CHECK(coc::to_hex(nullptr, 0).empty());
  CHECK(coc::sha256_hex(nullptr, 0) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
