// Git LFS pointer files (spec v1), as served by a hub's /raw/ endpoint for LFS files.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coc {

inline constexpr std::size_t kMaxLfsPointerBytes = 1024;

struct LfsPointer {
  std::string oid;  // sha256, 64 lowercase hex digits
  std::uint64_t size = 0;
};

struct LfsPointerParse {
  bool ok = false;
  LfsPointer pointer;
  std::string reason;  // why the text is not a pointer, when !ok
};

// Never throws: anything that is not a pointer comes back !ok with a reason. The oid is lowercased.
LfsPointerParse parse_lfs_pointer(std::string_view text);
// The canonical form (version, oid, size, each line LF-terminated). Throws std::invalid_argument if
// pointer.oid is not 64 hex digits.
std::string serialize_lfs_pointer(const LfsPointer& pointer);

}  // namespace coc
