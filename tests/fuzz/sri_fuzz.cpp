// parse_sri on arbitrary integrity metadata. Properties: every token is either a hash or an
// error; a hash's algorithm is sha256/sha384/sha512 and its hex is lowercase of the matching length
// (64/96/128); writing that hash back in base64 parses to the same hex; sri_sha256_hex is the first
// sha256 hash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "sri.h"

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

std::size_t count_tokens(std::string_view text) {
  std::size_t count = 0;
  bool in_token = false;
  for (char c : text) {
    if (is_space(c)) {
      in_token = false;
    } else if (!in_token) {
      in_token = true;
      ++count;
    }
  }
  return count;
}

std::string hex_to_base64(const std::string& hex) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t chunk = (std::uint32_t{bytes[i]} << 16) |
                                (i + 1 < bytes.size() ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                                (i + 2 < bytes.size() ? std::uint32_t{bytes[i + 2]} : 0);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string where = " for " + fuzz::show(text);
  const coc::SriParse parse = coc::parse_sri(text);
  FUZZ_CHECK(parse.hashes.size() + parse.errors.size() == count_tokens(text),
             std::to_string(parse.hashes.size()) + " hashes + " + std::to_string(parse.errors.size()) + " errors" + where);
  for (const std::string& error : parse.errors) {
    FUZZ_CHECK(!error.empty() && fuzz::printable_ascii(error), "error " + fuzz::show(error) + where);
  }
  std::string first_sha256;
  for (const coc::SriHash& hash : parse.hashes) {
    std::size_t digits = 0;
    if (hash.algorithm == "sha256") digits = 64;
    if (hash.algorithm == "sha384") digits = 96;
    if (hash.algorithm == "sha512") digits = 128;
    FUZZ_CHECK(digits != 0, "algorithm " + fuzz::show(hash.algorithm) + where);
    FUZZ_CHECK(fuzz::is_lower_hex(hash.hex, digits), hash.algorithm + " hex " + fuzz::show(hash.hex) + where);
    FUZZ_CHECK(text.find(hash.algorithm + "-") != std::string_view::npos, "algorithm not in the text" + where);
    if (hash.algorithm == "sha256" && first_sha256.empty()) first_sha256 = hash.hex;

    const std::string canonical = hash.algorithm + "-" + hex_to_base64(hash.hex);
    const coc::SriParse again = coc::parse_sri(canonical);
    FUZZ_CHECK(again.errors.empty() && again.hashes.size() == 1 && again.hashes[0].hex == hash.hex &&
                   again.hashes[0].algorithm == hash.algorithm,
               "canonical form " + fuzz::show(canonical) + " does not parse back" + where);
  }
  FUZZ_CHECK(coc::sri_sha256_hex(parse) == first_sha256, "sri_sha256_hex" + where);
  return 0;
}
