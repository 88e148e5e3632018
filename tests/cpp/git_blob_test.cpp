// SHA-1 (FIPS 180-4 vectors) and git blob ids (what `git hash-object` prints, in both of git's
// object formats), fed whole and in pieces that split the header's 64-byte blocks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "git_blob.h"
#include "sha1.h"

namespace {

const std::uint8_t* bytes(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

std::string sha1_hex(const std::string& s) {
  coc::Sha1 sha1;
  sha1.update(bytes(s), s.size());
  return sha1.finish_hex();
}

}  // namespace

TEST_CASE("SHA-1 matches the FIPS 180-4 vectors, whole and in pieces", "[sha1]") {
  CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CHECK(sha1_hex(two_blocks) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  const std::string million(1000000, 'a');
  CHECK(sha1_hex(million) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  for (std::size_t piece : {1, 3, 63, 64, 65, 1000}) {
    coc::Sha1 sha1;
    for (std::size_t at = 0; at < two_blocks.size(); at += piece) {
      sha1.update(bytes(two_blocks) + at, std::min(piece, two_blocks.size() - at));
    }
    CHECK(sha1.finish_hex() == "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(sha1.finish_hex() == "da39a3ee5e6b4b0d3255bfef95601890afd80709");  // finish resets it
  }
}

TEST_CASE("git blob ids are git's, in the sha1 and sha256 object formats", "[git-blob]") {
  const std::string hello = "hello\n";
  CHECK(coc::git_blob_id(bytes(hello), hello.size(), coc::GitObjectFormat::sha1) == "ce013625030ba8dba906f756967f9e9ca394464a");
  CHECK(coc::git_blob_id(nullptr, 0, coc::GitObjectFormat::sha1) == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  CHECK(coc::git_blob_id(bytes(hello), hello.size(), coc::GitObjectFormat::sha256) ==
        "2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4");
  const std::string header = coc::git_blob_header(6);
  CHECK(header.size() == 7);
  CHECK(header == std::string("blob 6\0", 7));

  coc::GitBlobHasher in_pieces(6, coc::GitObjectFormat::sha1);
  in_pieces.update(bytes(hello), 2);
  in_pieces.update(bytes(hello) + 2, 4);
  CHECK(in_pieces.finish_hex() == "ce013625030ba8dba906f756967f9e9ca394464a");
}

TEST_CASE("a git blob hasher refuses bytes that are not the size its header named", "[git-blob]") {
  const std::string hello = "hello\n";
  coc::GitBlobHasher short_of(7, coc::GitObjectFormat::sha1);
  short_of.update(bytes(hello), hello.size());
  CHECK_THROWS_AS(short_of.finish_hex(), std::logic_error);
  coc::GitBlobHasher past(5, coc::GitObjectFormat::sha256);
  past.update(bytes(hello), hello.size());
  CHECK_THROWS_AS(past.finish_hex(), std::logic_error);
  CHECK_THROWS_AS(coc::GitBlobHasher(-1, coc::GitObjectFormat::sha1), std::invalid_argument);
}

TEST_CASE("blob ids name their format by length: format names parse both ways", "[git-blob]") {
  CHECK(coc::git_object_format_of(std::string(40, 'a')) == coc::GitObjectFormat::sha1);
  CHECK(coc::git_object_format_of(std::string(64, '0')) == coc::GitObjectFormat::sha256);
  CHECK_FALSE(coc::git_object_format_of(std::string(40, 'A')));  // hub ids are lowercase
  CHECK_FALSE(coc::git_object_format_of(std::string(39, 'a')));
  CHECK_FALSE(coc::git_object_format_of(std::string(32, 'a')));  // an MD5 ETag
  CHECK_FALSE(coc::git_object_format_of(""));
  for (auto format : {coc::GitObjectFormat::sha1, coc::GitObjectFormat::sha256}) {
    CHECK(coc::parse_git_object_format(coc::git_object_format_name(format)) == format);
  }
  CHECK_THROWS_AS(coc::parse_git_object_format("md5"), std::invalid_argument);
}
