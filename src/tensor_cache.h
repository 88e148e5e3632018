// The shard list of a tvmjs tensor cache (tensor-cache.json, formerly ndarray-cache.json), so the
// shards' hashes can be resolved in one batch before tvmjs asks for them one at a time.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace coc {

inline constexpr std::size_t kMaxTensorCacheBytes = 64u * 1024u * 1024u;

// True when the URL's file name is tensor-cache.json or ndarray-cache.json.
bool is_tensor_cache_url(std::string_view url);

// Absolute URLs of the shards the cache lists (records[].dataPath, resolved against the cache's
// URL as tvmjs does: query and fragment dropped), each once, in order. Anything unusable — not
// JSON, no records, a dataPath that is absolute or climbs with ".." — yields no URL for it.
std::vector<std::string> tensor_cache_shard_urls(std::string_view cache_url, std::string_view json);

// Absolute URLs of the tokenizer files an MLC chat config (mlc-chat-config.json) lists in
// `tokenizer_files`, resolved against the model folder `model_url` (ending in '/') as web-llm does,
// each once, in order. The same rules as shards: a name that is not a string, is absolute, or climbs
// with ".." yields no URL, so a config can never point the loader at another folder or host.
std::vector<std::string> chat_config_tokenizer_urls(std::string_view model_url, std::string_view json);

}  // namespace coc
