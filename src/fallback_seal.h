// The seal of an entry of the same-origin fallback store. An entry's bytes are served only when a
// seal written after they were verified names the same write and size: a write that was cut off,
// or bytes other code of the origin put under the entry's key, are a miss, never served.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coc {

// A seal is a short JSON object; a longer one vouches for nothing (the shim reads one byte more).
inline constexpr std::size_t kMaxSealBytes = 256;

// The seal to store once the bytes written as write_id (random, from the shim) hashed right.
std::string encode_fallback_seal(std::string_view write_id, std::int64_t size);

// Whether a stored seal vouches for an entry written as write_id (the entry's header). size < 0:
// not known yet (a handle, before the file is read), so only the write is compared.
bool fallback_seal_vouches(std::string_view seal, std::string_view write_id, std::int64_t size);

}  // namespace coc
