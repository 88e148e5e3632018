#include "integrity_hints.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "hash_descriptor.h"

namespace coc {

std::string IntegrityHints::add(const ArtifactUrl& url, const std::string& integrity) {
  HashCheck bare = check_sha256_hex(integrity);
  if (bare.ok) {
    sha256_choices_.erase(url.storage_key);
    return bare.value;
  }
  SriParse sri = parse_sri(integrity);
  std::vector<SriHash> others;
  std::vector<std::string> sha256;  // distinct, in order
  for (const SriHash& hash : sri.hashes) {
    if (hash.algorithm != "sha256") {
      others.push_back(hash);
    } else if (std::find(sha256.begin(), sha256.end(), hash.hex) == sha256.end()) {
      sha256.push_back(hash.hex);
    }
  }
  if (sha256.empty() && others.empty()) {
    std::string reasons;
    for (const std::string& error : sri.errors) reasons += (reasons.empty() ? "" : "; ") + error;
    throw std::invalid_argument("integrity for " + url.redacted + " has no usable sha256, sha384 or sha512 hash" +
                                (reasons.empty() ? std::string() : ": " + reasons));
  }
  // Integrity with only a sha256 leaves sha384/sha512 given earlier in place, and the reverse.
  if (!others.empty()) verify_only_[url.storage_key] = std::move(others);
  if (sha256.size() == 1) {
    sha256_choices_.erase(url.storage_key);
    return sha256.front();
  }
  if (!sha256.empty()) sha256_choices_[url.storage_key] = std::move(sha256);
  return "";
}

std::vector<SriHash> IntegrityHints::verify_only(const std::string& key) const {
  auto found = verify_only_.find(key);
  std::vector<SriHash> digests = found == verify_only_.end() ? std::vector<SriHash>() : found->second;
  for (const std::string& hex : sha256_choices(key)) digests.push_back(SriHash{"sha256", hex});
  return digests;
}

const std::vector<std::string>& IntegrityHints::sha256_choices(const std::string& key) const {
  static const std::vector<std::string> kNone;
  auto found = sha256_choices_.find(key);
  return found == sha256_choices_.end() ? kNone : found->second;
}

std::string IntegrityHints::mismatch(const ArtifactUrl& url, const std::string& algorithm,
                                     const std::string& hex) const {
  std::string expected;  // this algorithm's values, when none is hex
  for (const SriHash& digest : verify_only(url.storage_key)) {
    if (digest.algorithm != algorithm) continue;
    if (digest.hex == hex) return "";
    expected += (expected.empty() ? "" : " or ") + digest.hex;
  }
  if (expected.empty()) return "";
  return "content of " + url.redacted + " has " + algorithm + " " + hex + ", expected " + expected +
         " (integrity hint)";
}

}  // namespace coc
