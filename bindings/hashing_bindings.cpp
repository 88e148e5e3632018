// embind bindings of hashing: the scratch buffer JS copies chunks into, and the SHA-256,
// SHA-512/384 and git blob hashers fed from it.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "git_blob.h"
#include "hash_descriptor.h"
#include "sha256.h"
#include "sha512.h"

#include "conversions.h"
#include "guarded.h"
#include "live_counted.h"

using emscripten::val;

namespace {

using coc_bindings::guarded;
using coc_bindings::LiveCounted;

// One buffer in the wasm heap that JS copies chunks into before hashing them.
std::vector<std::uint8_t> scratch;

val scratch_view(std::size_t length) {
  if (scratch.size() < length) scratch.resize(length);
  return val(emscripten::typed_memory_view(length, scratch.data()));
}

// A hasher fed from the scratch buffer; one template for SHA-256 and SHA-512/384.
template <typename Hasher>
class JsHasher : LiveCounted {
 public:
  template <typename... Args>
  explicit JsHasher(Args... args) : hasher_(args...) {}
  void update_from_scratch(std::size_t length) {
    guarded([&] {
      if (length > scratch.size()) throw std::out_of_range("update beyond the scratch buffer");
      hasher_.update(scratch.data(), length);
      return 0;
    });
  }
  std::string finish_hex() {
    return guarded([&] { return hasher_.finish_hex(); });
  }

 private:
  Hasher hasher_;
};

using JsSha256 = JsHasher<coc::Sha256>;
using JsSha512 = JsHasher<coc::Sha512>;

using JsGitBlob = JsHasher<coc::GitBlobHasher>;

JsGitBlob* make_git_blob(double size, const std::string& format) {
  return guarded([&] { return new JsGitBlob(coc_bindings::int64_from_js(size), coc::parse_git_object_format(format)); });
}

JsSha512* make_sha512(bool sha384) {
  return new JsSha512(sha384 ? coc::Sha512::Variant::sha384 : coc::Sha512::Variant::sha512);
}

std::string git_blob_header(double size) { return coc::git_blob_header(coc_bindings::int64_from_js(size)); }

// std::string_view parameters do not cross embind; this takes std::string.
bool is_canonical_sha256_hex(const std::string& value) { return coc::is_canonical_sha256_hex(value); }

}  // namespace

EMSCRIPTEN_BINDINGS(cross_origin_cache_hashing) {
  using namespace emscripten;

  function("scratchView", &scratch_view);
  class_<JsSha256>("Sha256")
      .constructor<>()
      .function("updateFromScratch", &JsSha256::update_from_scratch)
      .function("finishHex", &JsSha256::finish_hex);
  class_<JsSha512>("Sha512")
      .constructor(&make_sha512, allow_raw_pointers())
      .function("updateFromScratch", &JsSha512::update_from_scratch)
      .function("finishHex", &JsSha512::finish_hex);
  // A git blob id (size, "sha1" | "sha256"): the bytes of a hub file not in Git LFS.
  class_<JsGitBlob>("GitBlob")
      .constructor(&make_git_blob, allow_raw_pointers())
      .function("updateFromScratch", &JsGitBlob::update_from_scratch)
      .function("finishHex", &JsGitBlob::finish_hex);
  // "blob <size>\0": what WebCrypto hashes before the bytes, for the same id natively.
  function("gitBlobHeader", &git_blob_header);
  function("isCanonicalSha256Hex", &is_canonical_sha256_hex);
}
