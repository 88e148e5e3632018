// Integrity metadata callers give for URLs: SRI tokens ("sha256-<base64> sha512-<base64>") or bare
// hex SHA-256. A sha256 keys COS, so the Resolver keeps it as a hint record; sha384 and sha512 can
// only verify a download, so they are kept here, by storage key, until the bytes come. As in SRI,
// several values of one algorithm are alternatives: bytes need match only one of them. Two or more
// sha256 values cannot key COS (which one is the file?), so they too only verify, and an entry
// whose hash is none of them is not served.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "artifact_url.h"
#include "sri.h"

namespace coc {

class IntegrityHints {
 public:
  // Reads integrity for url: the sha256 hex that keys COS is returned ("" when it names none, or
  // several); the other digests are kept. Throws std::invalid_argument, with the reasons, when no
  // token is usable (then nothing changes). A sha256 replaces the sha256 values given earlier, a
  // sha384/sha512 the sha384/sha512 ones.
  std::string add(const ArtifactUrl& url, const std::string& integrity);
  // The digests a download of the key's URL is checked against (sha384, sha512, and the sha256
  // alternatives that key nothing).
  std::vector<SriHash> verify_only(const std::string& key) const;
  // The sha256 values the key's bytes may have when integrity named several (empty: no such list).
  const std::vector<std::string>& sha256_choices(const std::string& key) const;
  // Why a digest of url's bytes is refused ("" when it matches one of its algorithm's values, or
  // none is expected).
  std::string mismatch(const ArtifactUrl& url, const std::string& algorithm, const std::string& hex) const;

 private:
  std::map<std::string, std::vector<SriHash>> verify_only_;           // key -> sha384/512 expected
  std::map<std::string, std::vector<std::string>> sha256_choices_;  // key -> sha256 alternatives
};

}  // namespace coc
