#include "integrity_hints.h"

#include <stdexcept>
#include <utility>

#include "hash_descriptor.h"

namespace coc {

std::string IntegrityHints::add(const ArtifactUrl& url, const std::string& integrity) {
  HashCheck bare = check_sha256_hex(integrity);
  if (bare.ok) return bare.value;
  SriParse sri = parse_sri(integrity);
  std::vector<SriHash> others;
  std::string sha256;
  for (const SriHash& hash : sri.hashes) {
    if (hash.algorithm != "sha256") {
      others.push_back(hash);
    } else if (sha256.empty()) {
      sha256 = hash.hex;  // the first keys COS
    }
  }
  if (sha256.empty() && others.empty()) {
    std::string reasons;
    for (const std::string& error : sri.errors) reasons += (reasons.empty() ? "" : "; ") + error;
    throw std::invalid_argument("integrity for " + url.redacted + " has no usable sha256, sha384 or sha512 hash" +
                                (reasons.empty() ? std::string() : ": " + reasons));
  }
  // Integrity with only a sha256 leaves digests given earlier in place.
  if (!others.empty()) verify_only_[url.storage_key] = std::move(others);
  return sha256;
}

std::vector<SriHash> IntegrityHints::verify_only(const std::string& key) const {
  auto found = verify_only_.find(key);
  return found == verify_only_.end() ? std::vector<SriHash>() : found->second;
}

std::string IntegrityHints::mismatch(const ArtifactUrl& url, const std::string& algorithm,
                                     const std::string& hex) const {
  std::string reason;
  auto found = verify_only_.find(url.storage_key);
  if (found == verify_only_.end()) return reason;
  for (const SriHash& expected : found->second) {
    if (expected.algorithm == algorithm && expected.hex != hex) {
      reason = "content of " + url.redacted + " has " + algorithm + " " + hex + ", expected " + expected.hex +
               " (integrity hint)";
    }
  }
  return reason;
}

}  // namespace coc
