#include "sri.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ascii.h"
#include "message_text.h"

namespace coc {
namespace {

struct SriAlgorithm {
  std::string_view name;
  std::size_t digest_bytes;
};

// The SRI spec's grammar spells these in lowercase and is case-sensitive.
constexpr SriAlgorithm kAlgorithms[] = {{"sha256", 32}, {"sha384", 48}, {"sha512", 64}};

const SriAlgorithm* find_algorithm(std::string_view name) {
  for (const SriAlgorithm& algorithm : kAlgorithms) {
    if (algorithm.name == name) return &algorithm;
  }
  return nullptr;
}

// Value of a base64 digit in the standard alphabet or the URL-safe one (some tools emit the
// latter), or -1.
int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Decodes base64 with optional padding. Leftover bits in the last digit are ignored, as the
// forgiving-base64 decoder browsers use for SRI does.
bool decode_base64(std::string_view text, std::vector<std::uint8_t>& out, std::string& reason) {
  std::size_t digits = text.size();
  while (digits > 0 && text[digits - 1] == '=') --digits;
  const std::size_t padding = text.size() - digits;
  for (std::size_t i = 0; i < digits; ++i) {
    if (base64_digit(text[i]) < 0) {
      reason = "invalid base64 character '" + message_text(text.substr(i, 1)) + "' at position " + std::to_string(i);
      return false;
    }
  }
  if (digits % 4 == 1) {
    reason = "truncated base64 (" + std::to_string(digits) + " digits)";
    return false;
  }
  if (padding > 0 && (padding > 2 || (digits + padding) % 4 != 0)) {
    reason = "incorrect base64 padding";
    return false;
  }

  out.clear();
  out.reserve(digits * 3 / 4);
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    bits = (bits << 6) | static_cast<std::uint32_t>(base64_digit(text[i]));
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<std::uint8_t>((bits >> bit_count) & 0xff));
    }
  }
  return true;
}

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0f];
  }
  return out;
}

// Why the algorithm name is not one we take: wrong case gets its own message because it is an
// easy mistake to fix.
std::string algorithm_reason(std::string_view name) {
  const std::string lowered = to_lower_ascii(name);
  if (find_algorithm(lowered) != nullptr) {
    return "algorithm '" + message_text(name) + "' must be lowercase ('" + lowered + "')";
  }
  return "unsupported algorithm '" + message_text(name) + "'; expected sha256, sha384 or sha512";
}

// Parses one token; on failure returns false with the reason.
bool parse_token(std::string_view token, SriHash& hash, std::string& reason) {
  // "?options" are reserved for future use and ignored, per the SRI spec.
  const std::string_view expression = token.substr(0, token.find('?'));
  const std::size_t dash = expression.find('-');
  if (dash == std::string_view::npos) {
    reason = "not of the form algorithm-base64";
    return false;
  }
  const std::string_view name = expression.substr(0, dash);
  const SriAlgorithm* algorithm = find_algorithm(name);
  if (algorithm == nullptr) {
    reason = algorithm_reason(name);
    return false;
  }
  std::vector<std::uint8_t> digest;
  if (!decode_base64(expression.substr(dash + 1), digest, reason)) {
    reason = std::string(algorithm->name) + ": " + reason;
    return false;
  }
  if (digest.size() != algorithm->digest_bytes) {
    reason = std::string(algorithm->name) + " digest must be " + std::to_string(algorithm->digest_bytes) +
             " bytes, got " + std::to_string(digest.size());
    return false;
  }
  hash.algorithm = std::string(algorithm->name);
  hash.hex = to_hex(digest);
  return true;
}

}  // namespace

SriParse parse_sri(std::string_view integrity) {
  SriParse result;
  std::size_t pos = 0;
  while (pos < integrity.size()) {
    while (pos < integrity.size() && is_ascii_whitespace(integrity[pos])) ++pos;
    const std::size_t start = pos;
    while (pos < integrity.size() && !is_ascii_whitespace(integrity[pos])) ++pos;
    if (start == pos) break;
    const std::string_view token = integrity.substr(start, pos - start);

    SriHash hash;
    std::string reason;
    if (parse_token(token, hash, reason)) {
      result.hashes.push_back(std::move(hash));
    } else {
      result.errors.push_back(reason + " (token '" + message_text(token) + "')");
    }
  }
  return result;
}

std::string sri_sha256_hex(const SriParse& parse) {
  for (const SriHash& hash : parse.hashes) {
    if (hash.algorithm == "sha256") return hash.hex;
  }
  return "";
}

}  // namespace coc
