#include "git_blob.h"

#include <stdexcept>

#include "ascii.h"

namespace coc {

const char* git_object_format_name(GitObjectFormat format) {
  return format == GitObjectFormat::sha1 ? "sha1" : "sha256";
}

GitObjectFormat parse_git_object_format(std::string_view name) {
  if (name == "sha1") return GitObjectFormat::sha1;
  if (name == "sha256") return GitObjectFormat::sha256;
  throw std::invalid_argument("git object format must be \"sha1\" or \"sha256\"");
}

std::optional<GitObjectFormat> git_object_format_of(std::string_view blob_id) {
  if (!is_lower_hex(blob_id)) return std::nullopt;
  if (blob_id.size() == 40) return GitObjectFormat::sha1;
  if (blob_id.size() == 64) return GitObjectFormat::sha256;
  return std::nullopt;
}

std::string git_blob_header(std::int64_t size) {
  std::string header = "blob " + std::to_string(size);
  header.push_back('\0');
  return header;
}

GitBlobHasher::GitBlobHasher(std::int64_t size, GitObjectFormat format) : format_(format), size_(size) {
  if (size < 0) throw std::invalid_argument("git blob: a negative size");
  const std::string header = git_blob_header(size);
  update(reinterpret_cast<const std::uint8_t*>(header.data()), header.size());
  fed_ = 0;
}

void GitBlobHasher::update(const std::uint8_t* data, std::size_t length) {
  fed_ += static_cast<std::int64_t>(length);
  if (format_ == GitObjectFormat::sha1) {
    sha1_.update(data, length);
  } else {
    sha256_.update(data, length);
  }
}

std::string GitBlobHasher::finish_hex() {
  if (fed_ != size_) {
    throw std::logic_error("git blob: " + std::to_string(fed_) + " bytes given for a blob of " + std::to_string(size_));
  }
  return format_ == GitObjectFormat::sha1 ? sha1_.finish_hex() : sha256_.finish_hex();
}

std::string git_blob_id(const std::uint8_t* data, std::size_t length, GitObjectFormat format) {
  GitBlobHasher hasher(static_cast<std::int64_t>(length), format);
  hasher.update(data, length);
  return hasher.finish_hex();
}

}  // namespace coc
