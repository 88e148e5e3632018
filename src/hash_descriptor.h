// The COS hash descriptor {algorithm: "SHA-256", value}. The COS draft rejects any value that is not
// ^[0-9a-f]{64}$, so every value that leaves the core is lowercase.
#pragma once
#include <string>
#include <string_view>

namespace coc {

inline constexpr const char* kSha256Algorithm = "SHA-256";

struct HashDescriptor {
  std::string algorithm;  // always "SHA-256"
  std::string value;      // 64 lowercase hex digits
};

// Result of checking untrusted input: ok, or a reason a person can read.
struct HashCheck {
  bool ok = false;
  std::string value;   // normalised lowercase hex when ok
  std::string reason;  // why not, when !ok
};

// True for exactly 64 lowercase hex digits (what COS accepts as is).
bool is_canonical_sha256_hex(std::string_view value);

// Accepts 64 hex digits of either case, returns them lowercased; anything else has a reason.
HashCheck check_sha256_hex(std::string_view value);

// True for "SHA-256" and its common spellings ("sha256", "sha-256", any case).
bool is_sha256_algorithm(std::string_view algorithm);

// Validates and normalises; throws std::invalid_argument with the reason.
HashDescriptor make_hash_descriptor(std::string_view algorithm, std::string_view value);

}  // namespace coc
