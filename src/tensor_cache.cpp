#include "tensor_cache.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "artifact_url.h"
#include "json_guard.h"

namespace coc {
namespace {

std::string file_name_of(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The URL up to and including the last '/' of its path ("https://host/" when it has no path).
std::string base_of(const ArtifactUrl& url) {
  const std::string& key = url.storage_key;
  const std::size_t authority = key.find("://") + 3;
  const std::size_t path = key.find_first_of("/?", authority);
  if (path == std::string::npos || key[path] != '/') return key.substr(0, path) + "/";
  const std::size_t query = key.find('?', path);
  return key.substr(0, key.rfind('/', query == std::string::npos ? std::string::npos : query) + 1);
}

// A dataPath tvmjs would resolve to a file below the cache's folder, and that a URL parser would
// not rewrite: relative, no scheme, no dot segments (also percent-encoded), no control characters,
// spaces or backslashes.
bool usable_data_path(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '\\' || c == '?' || c == '#') return false;
  }
  const std::size_t colon = path.find(':');
  if (colon != std::string::npos && colon < path.find('/')) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string segment = percent_decode(std::string_view(path).substr(start, end - start));
    if (segment == ".." || segment == "." || segment.find('/') != std::string::npos) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

bool is_tensor_cache_url(std::string_view url) {
  try {
    const ArtifactUrl parsed = parse_artifact_url(url);
    std::string path = parsed.storage_key.substr(0, parsed.storage_key.find('?'));
    const std::string name = file_name_of(path);
    return name == "tensor-cache.json" || name == "ndarray-cache.json";
  } catch (const std::invalid_argument&) {
    return false;
  }
}

namespace {

// Each string of `names` that is a usable relative path, joined to `base`, once, in order.
std::vector<std::string> urls_below(const std::string& base, const nlohmann::json::array_t& names, const char* field) {
  std::vector<std::string> urls;
  std::set<std::string> seen;
  for (const nlohmann::json& entry : names) {
    const nlohmann::json* name = &entry;
    if (field != nullptr) name = json_member(entry, field);
    const std::string* text = json_string(name);
    if (text == nullptr) continue;
    const std::string& path = *text;
    if (!usable_data_path(path)) continue;
    std::string url = base + path;
    try {
      parse_artifact_url(url);
    } catch (const std::invalid_argument&) {
      continue;
    }
    if (seen.insert(url).second) urls.push_back(std::move(url));
  }
  return urls;
}

// The array `key` of a JSON object document, or null.
const nlohmann::json::array_t* array_field(const nlohmann::json& document, const char* key) {
  const nlohmann::json* found = json_member(document, key);
  return found != nullptr ? found->get_ptr<const nlohmann::json::array_t*>() : nullptr;
}

}  // namespace

std::vector<std::string> tensor_cache_shard_urls(std::string_view cache_url, std::string_view json) {
  if (json.size() > kMaxTensorCacheBytes) return {};
  const ArtifactUrl base_url = parse_artifact_url(cache_url);
  const nlohmann::json document = parse_json_or_discarded(json);
  const nlohmann::json::array_t* records = array_field(document, "records");
  return records ? urls_below(base_of(base_url), *records, "dataPath") : std::vector<std::string>{};
}

std::vector<std::string> chat_config_tokenizer_urls(std::string_view model_url, std::string_view json) {
  if (json.size() > kMaxTensorCacheBytes) return {};
  const ArtifactUrl base_url = parse_artifact_url(model_url);
  const nlohmann::json document = parse_json_or_discarded(json);
  const nlohmann::json::array_t* names = array_field(document, "tokenizer_files");
  return names ? urls_below(base_of(base_url), *names, nullptr) : std::vector<std::string>{};
}

}  // namespace coc
