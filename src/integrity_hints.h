// Integrity metadata callers give for URLs: SRI tokens ("sha256-<base64> sha512-<base64>") or bare
// hex SHA-256. A sha256 keys COS, so the Resolver keeps it as a hint record; sha384 and sha512 can
// only verify a download, so they are kept here, by storage key, until the bytes come.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "artifact_url.h"
#include "sri.h"

namespace coc {

class IntegrityHints {
 public:
  // Reads integrity for url: the sha256 hex it names ("" when none) is returned for the caller to
  // key; its sha384/sha512 digests are kept. Throws std::invalid_argument, with the reasons, when
  // no token is usable (then nothing is kept).
  std::string add(const ArtifactUrl& url, const std::string& integrity);
  // The sha384/sha512 digests a download of the key's URL must have.
  std::vector<SriHash> verify_only(const std::string& key) const;
  // Why a digest of url's bytes is refused ("" when it matches or none is expected).
  std::string mismatch(const ArtifactUrl& url, const std::string& algorithm, const std::string& hex) const;

 private:
  std::map<std::string, std::vector<SriHash>> verify_only_;  // key -> sha384/512 expected
};

}  // namespace coc
