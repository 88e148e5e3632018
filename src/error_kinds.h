// Every kind of event the cache reports through onError, defined once: the core names the kinds it
// decides, and the shim takes the whole list from here (bindings export kErrorKindList), so no
// kind is spelled twice.
#pragma once
#include <cstddef>
#include <string_view>

// X(identifier, "kind"), in the order the README and index.d.ts list them.
#define COC_ERROR_KINDS(X)                                      \
  X(persist_failed, "persist-failed")                           \
  X(persisted_read_failed, "persisted-read-failed")             \
  X(persisted_record_invalid, "persisted-record-invalid")       \
  X(persisted_snapshot_invalid, "persisted-snapshot-invalid")   \
  X(pointer_invalid, "pointer-invalid")                         \
  X(pointer_fetch_failed, "pointer-fetch-failed")               \
  X(batch_unavailable, "batch-unavailable")                     \
  X(batch_failed, "batch-failed")                               \
  X(batch_invalid, "batch-invalid")                             \
  X(listing_failed, "listing-failed")                           \
  X(listing_invalid, "listing-invalid")                         \
  X(cos_not_allowed, "cos-not-allowed")                         \
  X(cos_quota, "cos-quota")                                     \
  X(cos_hash_mismatch, "cos-hash-mismatch")                     \
  X(cos_failed, "cos-failed")                                   \
  X(prefetch_failed, "prefetch-failed")                         \
  X(integrity_mismatch, "integrity-mismatch")                   \
  X(download_resumed, "download-resumed")                       \
  X(record_corrected, "record-corrected")

namespace coc {

// The kinds, each followed by a space: it crosses to JS as one string, not one binding per kind.
#define COC_ERROR_KIND_LISTED(name, text) text " "
inline constexpr char kErrorKindList[] = COC_ERROR_KINDS(COC_ERROR_KIND_LISTED);
#undef COC_ERROR_KIND_LISTED

namespace error_kind {
namespace detail {
#define COC_ERROR_KIND_INDEX(name, text) name,
enum Index : std::size_t { COC_ERROR_KINDS(COC_ERROR_KIND_INDEX) };
#undef COC_ERROR_KIND_INDEX

// The n-th kind of the list, as a view into it: the wasm carries each kind's text once.
// A loop of its own rather than string_view::find: GCC 12's UBSan instruments find()'s memchr
// so that it is no longer a constant expression (the sanitize build failed).
constexpr std::size_t space_in(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] != ' ') ++i;
  return i;
}
constexpr std::string_view nth(std::size_t n) {
  std::string_view list(kErrorKindList);
  for (; n > 0; --n) list.remove_prefix(space_in(list) + 1);
  return list.substr(0, space_in(list));
}
}  // namespace detail

#define COC_ERROR_KIND_CONSTANT(name, text)                                 \
  inline constexpr std::string_view name = detail::nth(detail::name);       \
  static_assert(name == std::string_view(text), "error kind list out of order");
COC_ERROR_KINDS(COC_ERROR_KIND_CONSTANT)
#undef COC_ERROR_KIND_CONSTANT
}  // namespace error_kind

}  // namespace coc
