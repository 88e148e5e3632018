// Git blob ids. Git names a file's content by the hash of "blob <size>\0" followed by its bytes:
// SHA-1, or SHA-256 in a repository of git's sha256 object format. A hub names a file not in Git
// LFS by its blob id (in listings, paths-info and the ETag of its download), so bytes whose hash
// is learned from their content can still be checked against what the hub says they are.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sha1.h"
#include "sha256.h"

namespace coc {

enum class GitObjectFormat { sha1, sha256 };

const char* git_object_format_name(GitObjectFormat format);  // "sha1", "sha256"
// "sha1" or "sha256"; throws std::invalid_argument for anything else.
GitObjectFormat parse_git_object_format(std::string_view name);
// The format a blob id is in: 40 lowercase hex digits are SHA-1, 64 are SHA-256; none otherwise.
std::optional<GitObjectFormat> git_object_format_of(std::string_view blob_id);

// "blob <size>\0", what git hashes before the bytes.
std::string git_blob_header(std::int64_t size);

// A blob id computed as the bytes come. The header names the size first, so it is given up front;
// bytes fed that are not exactly that many make finish_hex() throw std::logic_error.
class GitBlobHasher {
 public:
  // Throws std::invalid_argument for a negative size.
  GitBlobHasher(std::int64_t size, GitObjectFormat format);
  void update(const std::uint8_t* data, std::size_t length);
  std::string finish_hex();

 private:
  GitObjectFormat format_;
  std::int64_t size_;
  std::int64_t fed_ = 0;
  Sha1 sha1_;
  Sha256 sha256_;
};

std::string git_blob_id(const std::uint8_t* data, std::size_t length, GitObjectFormat format);

}  // namespace coc
