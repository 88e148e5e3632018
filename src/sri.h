// Subresource Integrity metadata ("sha256-<base64> sha384-<base64> ..."), as web-llm model records
// and HTML integrity attributes carry it.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace coc {

struct SriHash {
  std::string algorithm;  // "sha256" | "sha384" | "sha512"
  std::string hex;        // lowercase hex digest of the algorithm's length
};

struct SriParse {
  std::vector<SriHash> hashes;       // every valid token, in order
  std::vector<std::string> errors;   // one reason per token that was rejected
};

// Tokens are separated by ASCII whitespace; "?options" after the base64 are ignored as the SRI
// spec says. Unknown algorithms are rejected with a reason (not silently dropped).
SriParse parse_sri(std::string_view integrity);

// The sha256 hex of the first valid sha256 token, or "" if there is none.
std::string sri_sha256_hex(const SriParse& parse);

}  // namespace coc
