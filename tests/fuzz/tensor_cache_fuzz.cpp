// tensor_cache_shard_urls on arbitrary tensor-cache.json bodies. The input is the body; or, when
// it starts with "http" and has a newline, the cache URL (first line) and the body (the rest).
// std::invalid_argument (a cache URL that does not parse) is the only exception allowed.
// Properties: every shard URL is distinct, sits in the cache's folder (its key up to the last '/',
// query dropped) and parses as an artifact URL; the part after the folder is a relative path that
// neither climbs (no segment that is, percent-decoded, "." or "..") nor starts with a scheme; for a
// hub cache a shard that is a hub URL names the same repo revision.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "artifact_url.h"
#include "fuzz_common.h"
#include "tensor_cache.h"

namespace {

constexpr std::string_view kDefaultCacheUrl =
    "https://huggingface.co/mlc-ai/Llama-3.2-1B-Instruct-q4f16_1-MLC/resolve/main/tensor-cache.json";

bool starts_with_scheme(std::string_view path) {
  if (path.empty() || !((path[0] >= 'a' && path[0] <= 'z') || (path[0] >= 'A' && path[0] <= 'Z'))) return false;
  for (char c : path) {
    if (c == ':') return true;
    const bool scheme_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                             c == '+' || c == '-' || c == '.';
    if (!scheme_char) return false;
  }
  return false;
}

bool climbs(std::string_view relative) {
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    const std::string segment = fuzz::lowercase(fuzz::decode_percent(relative.substr(start, end - start)));
    if (segment == "." || segment == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view cache_url = kDefaultCacheUrl;
  std::string_view body = input;
  const std::size_t newline = input.find('\n');
  if (input.compare(0, 4, "http") == 0 && newline != std::string_view::npos) {
    cache_url = input.substr(0, newline);
    body = input.substr(newline + 1);
  }
  const std::string where = " for cache " + fuzz::show(cache_url) + " and body " + fuzz::show(body);

  std::vector<std::string> urls;
  try {
    urls = coc::tensor_cache_shard_urls(cache_url, body);
  } catch (const std::invalid_argument&) {
    bool parses = true;
    try {
      (void)coc::parse_artifact_url(cache_url);
    } catch (const std::invalid_argument&) {
      parses = false;
    }
    FUZZ_CHECK(!parses, "refused a cache URL that parses" + where);
    return 0;
  }
  if (urls.empty()) return 0;

  // The folder as URL resolution has it: the key without its query, up to the last '/' of the path
  // (an empty path is "/").
  const coc::ArtifactUrl cache = coc::parse_artifact_url(cache_url);
  std::string folder = cache.storage_key.substr(0, cache.storage_key.find('?'));
  const std::size_t path_start = folder.find('/', folder.find("://") + 3);
  folder = path_start == std::string::npos ? folder + "/" : folder.substr(0, folder.rfind('/') + 1);
  std::unordered_set<std::string> seen;
  for (const std::string& url : urls) {
    const std::string which = " (shard " + fuzz::show(url) + ")" + where;
    FUZZ_CHECK(seen.insert(url).second, "duplicate shard URL" + which);
    FUZZ_CHECK(url.size() > folder.size() && url.compare(0, folder.size(), folder) == 0,
               "not in the cache's folder " + fuzz::show(folder) + which);
    const std::string_view relative = std::string_view(url).substr(folder.size());
    FUZZ_CHECK(relative.find_first_of("?#\\") == std::string_view::npos, "query, fragment or backslash" + which);
    FUZZ_CHECK(!climbs(relative), "a segment climbs out of the folder" + which);
    FUZZ_CHECK(!starts_with_scheme(relative), "an absolute (scheme:) dataPath" + which);
    coc::ArtifactUrl shard;
    try {
      shard = coc::parse_artifact_url(url);
    } catch (const std::invalid_argument& error) {
      FUZZ_CHECK(false, std::string("shard URL does not parse: ") + error.what() + which);
    }
    if (cache.is_hub && shard.is_hub) {
      FUZZ_CHECK(shard.endpoint == cache.endpoint && shard.repo_type == cache.repo_type &&
                     shard.repo_id == cache.repo_id && shard.revision == cache.revision,
                 "another repo revision: " + shard.repo_id + "@" + shard.revision + which);
    }
  }
  return 0;
}
