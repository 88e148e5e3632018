#include "fallback_seal.h"

#include <nlohmann/json.hpp>

#include "ascii.h"
#include "json_guard.h"

namespace coc {

namespace {

constexpr std::size_t kMinWriteIdChars = 16;
constexpr std::size_t kMaxWriteIdChars = 64;

bool is_write_id(std::string_view id) {
  return id.size() >= kMinWriteIdChars && id.size() <= kMaxWriteIdChars && is_lower_hex(id);
}

}  // namespace

std::string encode_fallback_seal(std::string_view write_id, std::int64_t size) {
  // Written by hand: a write id is hex, so nothing needs escaping (and no JSON writer is linked).
  if (!is_write_id(write_id) || size < 0) return "";
  return "{\"write\":\"" + std::string(write_id) + "\",\"size\":" + std::to_string(size) + "}";
}

bool fallback_seal_vouches(std::string_view seal, std::string_view write_id, std::int64_t size) {
  if (!is_write_id(write_id) || seal.size() > kMaxSealBytes) return false;
  const nlohmann::json parsed = parse_json_or_discarded(seal);
  const std::string* write = json_string(json_member(parsed, "write"));
  const nlohmann::json* stored_size = json_member(parsed, "size");
  if (write == nullptr || *write != write_id) return false;
  if (stored_size == nullptr || !stored_size->is_number_unsigned()) return false;
  return size < 0 || json_int64(*stored_size) == size;
}

}  // namespace coc
