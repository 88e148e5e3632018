// parse_lfs_pointer on arbitrary text. Properties: a parsed pointer has a 64-lowercase-hex oid that
// the text really names, its size is the one the text states, and serialize_lfs_pointer writes a
// canonical pointer that parses back to the same oid and size (and is a fixed point).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "lfs_pointer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const coc::LfsPointerParse parse = coc::parse_lfs_pointer(text);
  if (!parse.ok) {
    FUZZ_CHECK(!parse.reason.empty(), "rejected without a reason");
    return 0;
  }
  const coc::LfsPointer& pointer = parse.pointer;
  FUZZ_CHECK(fuzz::is_lower_hex(pointer.oid, 64), "oid " + fuzz::show(pointer.oid));
  FUZZ_CHECK(text.size() <= coc::kMaxLfsPointerBytes, "accepted " + std::to_string(text.size()) + " bytes");
  FUZZ_CHECK(text.back() == '\n' && text.find('\r') == std::string_view::npos, "line endings of " + fuzz::show(text));
  // The oid and size are the text's own, not something else: a line "oid sha256:<hex>" with the
  // same digits in any case, and a line "size <decimal>" (leading zeros allowed).
  const std::string lowered = fuzz::lowercase(text);
  FUZZ_CHECK(lowered.find("\noid sha256:" + pointer.oid + "\n") != std::string::npos,
             "oid " + pointer.oid + " not on an oid line of " + fuzz::show(text));
  const std::size_t size_line = text.find("\nsize ");
  FUZZ_CHECK(size_line != std::string_view::npos, "no size line in " + fuzz::show(text));
  std::string digits(text.substr(size_line + 6, text.find('\n', size_line + 1) - size_line - 6));
  while (digits.size() > 1 && digits[0] == '0') digits.erase(0, 1);
  FUZZ_CHECK(digits == std::to_string(pointer.size),
             "size " + std::to_string(pointer.size) + " but the text says " + fuzz::show(digits));

  const std::string canonical = coc::serialize_lfs_pointer(pointer);
  const coc::LfsPointerParse again = coc::parse_lfs_pointer(canonical);
  FUZZ_CHECK(again.ok, "serialized pointer does not parse: " + again.reason + " " + fuzz::show(canonical));
  FUZZ_CHECK(again.pointer.oid == pointer.oid, "oid changed: " + again.pointer.oid + " vs " + pointer.oid);
  FUZZ_CHECK(again.pointer.size == pointer.size, "size changed on round trip");
  FUZZ_CHECK(coc::serialize_lfs_pointer(again.pointer) == canonical, "canonical form is not a fixed point");
  return 0;
}
