#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sha512.h"

namespace {

using Variant = coc::Sha512::Variant;

std::string digest_of(Variant variant, const std::uint8_t* data, std::size_t length) {
  coc::Sha512 hasher(variant);
  hasher.update(data, length);
  return hasher.finish_hex();
}

std::string digest_of(Variant variant, const std::string& s) {
  return digest_of(variant, reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

std::string digest_of(Variant variant, const std::vector<std::uint8_t>& v) {
  return digest_of(variant, v.data(), v.size());
}

// Byte i of the boundary-test messages is (7*i + 3) mod 256; the expected digests below were
// produced from the same bytes with sha512sum / sha384sum.
std::vector<std::uint8_t> pattern(std::size_t length) {
  std::vector<std::uint8_t> out(length);
  for (std::size_t i = 0; i < length; ++i) out[i] = static_cast<std::uint8_t>((i * 7 + 3) % 256);
  return out;
}

const char* const kTwoBlock =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmno"
    "pqrsmnopqrstnopqrstu";

}  // namespace

TEST_CASE("SHA-512 FIPS 180-4 examples", "[sha512]") {
  CHECK(digest_of(Variant::sha512, std::string()) ==
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
        "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
  CHECK(digest_of(Variant::sha512, std::string("abc")) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(digest_of(Variant::sha512, std::string(kTwoBlock)) ==
        "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
        "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
  CHECK(digest_of(Variant::sha512, std::string(1000000, 'a')) ==
        "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
        "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

TEST_CASE("SHA-384 FIPS 180-4 examples", "[sha512]") {
  CHECK(digest_of(Variant::sha384, std::string()) ==
        "38b060a751ac96384cd9327eb1b1e36a21fdb71114be0743"
        "4c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b");
  CHECK(digest_of(Variant::sha384, std::string("abc")) ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
        "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  CHECK(digest_of(Variant::sha384, std::string(kTwoBlock)) ==
        "09330c33f71147e83d192fc782cd1b4753111b173b3b05d2"
        "2fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039");
  CHECK(digest_of(Variant::sha384, std::string(1000000, 'a')) ==
        "9d0e1809716474cb086e834e310a4a1ced149e9c00f24852"
        "7972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985");
}

TEST_CASE("SHA-512 default variant and digest lengths", "[sha512]") {
  coc::Sha512 hasher;
  const std::string sha512_hex = hasher.finish_hex();
  CHECK(sha512_hex.size() == 128);
  CHECK(sha512_hex == digest_of(Variant::sha512, std::string()));
  CHECK(digest_of(Variant::sha384, std::string()).size() == 96);
}

TEST_CASE("SHA-512/384 around the 128-byte block boundaries", "[sha512]") {
  struct Row {
    std::size_t length;
    const char* sha512;
    const char* sha384;
  };
  const Row rows[] = {
      {111,
       "68cffa6d0d76f309c9ce0d35280939f8e25990c43b7b086ccdf709be35b07d4d"
       "dba599541ff2b1c19d34ea49aeafb9659adb7ac3c0b078bb30a22d57fc6687ef",
       "341388a9dc2275074e90cf394323761919761c805fd9e370"
       "977c9966a0e8c81a52135f02577670b0071638a4a26dbc31"},
      {112,
       "d0865c524d1dddf7c23b799c413f5adcd7caefd3f66a9b49750ec81066012c25"
       "a8bcf94ddea6dc525691673097ca40e0101e897fc97218cfdb0704084e2bef4b",
       "619cc5d06138526d70659eccf602d197e63e1050e22039a7"
       "feb40a30a5b2b08fb03729e291df12f8c576e6f1cd8af22a"},
      {127,
       "e0b6a20f1c0c88970a9340152cd5a1c1ecf3d3b8de55102741879438079473540"
       "133b812706e5dbec322c8c9523b6fc8c6d16ee626e87ad5fe3d2916afedc369",
       "f8234ab81f5f9641c656680825a9bbb3c2616bcc80b65d5e"
       "479a4d96742e1b8742330c9e8256ef5f03caa932487044ca"},
      {128,
       "99b16f17aa0b969a5b8f08f367719d516e330ccd2660b6f0688ec031dbc783de"
       "50a1cd185a2568dba75070a2403d17d4741d163578515dfd2ff756ddfe4d47b1",
       "e8480e9c4dd90f88104a79cbaccec48edbd798a142b4f241"
       "d726dc252f1502350e824c7d18dadd59d7d716919fb8f9bf"},
      {129,
       "a1556e29185778aa5991e34b8884c840d589f0fbb4b8ed590e51e9ac4eb03a00"
       "8125000db2671f8fe7f485b59a77b518670078ecb41a54b4cd02a7f1d2ca4c6d",
       "430173387764874661acba1e914e50f6d0fbac534809e859"
       "b1da4396fad3d5f24c25c6a2d02486d8fbda3994713d981a"},
      {239,
       "18ee83f30261c3c645d52aee6a209105b25bba39d33845ef48984cc238e4f216"
       "61fb7bd7dd4336f71c40fe87d95e5115d6c7be52e0d3e7e7877d24500b5b58df",
       "fc75ded15c6080ff96ac03391fc1302ca180128e4b6a4a2f"
       "17782f2ec016fc3f79b48b5fed3305fb7fdff9fd29434525"},
      {240,
       "9d60ee60d29ec4fa0b9690c04c1c29413bbe3ed345639182d9d53dcc05926b77"
       "b04f4fec1562fb85182954c96b7cbb5d5e4410251ff4f352d09a2da90419fb13",
       "4c4bc5dae174dd68cb5a62e066e01e339e4980e4a35531b7"
       "32dcf88e9c579e66f7c0d044779e2eda8a597684ca7cffd6"},
  };
  for (const Row& row : rows) {
    INFO("length " << row.length);
    const std::vector<std::uint8_t> message = pattern(row.length);
    CHECK(digest_of(Variant::sha512, message) == row.sha512);
    CHECK(digest_of(Variant::sha384, message) == row.sha384);
  }
}

TEST_CASE("SHA-512/384 streaming agrees with one-shot for lengths 0..300", "[sha512]") {
  std::mt19937 rng(20240517u);
  std::vector<std::uint8_t> message;
  for (std::size_t length = 0; length <= 300; ++length) {
    message.resize(length);
    for (std::size_t i = 0; i < length; ++i) message[i] = static_cast<std::uint8_t>(rng());
    for (const Variant variant : {Variant::sha512, Variant::sha384}) {
      INFO("length " << length << (variant == Variant::sha384 ? " sha384" : " sha512"));
      const std::string one_shot = digest_of(variant, message);

      coc::Sha512 bytewise(variant);
      for (std::size_t i = 0; i < length; ++i) bytewise.update(message.data() + i, 1);
      CHECK(bytewise.finish_hex() == one_shot);

      for (int trial = 0; trial < 4; ++trial) {
        coc::Sha512 chunked(variant);
        std::size_t offset = 0;
        while (offset < length) {
          // Mix empty, small and larger-than-a-block chunks.
          std::size_t chunk = static_cast<std::size_t>(rng() % 300u);
          if (chunk > length - offset) chunk = length - offset;
          chunked.update(message.data() + offset, chunk);
          offset += chunk;
        }
        CHECK(chunked.finish_hex() == one_shot);
      }
    }
  }
}

TEST_CASE("SHA-512/384 finish_hex resets the object", "[sha512]") {
  for (const Variant variant : {Variant::sha512, Variant::sha384}) {
    const std::string empty = digest_of(variant, std::string());
    const std::string abc = digest_of(variant, std::string("abc"));
    const std::string two_block = digest_of(variant, std::string(kTwoBlock));

    coc::Sha512 hasher(variant);
    const std::string long_message(kTwoBlock);
    hasher.update(reinterpret_cast<const std::uint8_t*>(long_message.data()), long_message.size());
    CHECK(hasher.finish_hex() == two_block);
    // Nothing fed since the last finish: the empty message, of the same variant.
    CHECK(hasher.finish_hex() == empty);
    const std::uint8_t abc_bytes[] = {'a', 'b', 'c'};
    hasher.update(abc_bytes, 3);
    CHECK(hasher.finish_hex() == abc);

    // reset() discards buffered input.
    hasher.update(abc_bytes, 3);
    hasher.reset();
    CHECK(hasher.finish_hex() == empty);
  }
}
