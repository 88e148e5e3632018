#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tensor_cache.h"

using coc::is_tensor_cache_url;
using coc::chat_config_tokenizer_urls;
using coc::tensor_cache_shard_urls;

TEST_CASE("tensor cache URLs are recognised by file name", "[tensor_cache]") {
  CHECK(is_tensor_cache_url("https://hf.co/org/m/resolve/main/tensor-cache.json"));
  CHECK(is_tensor_cache_url("https://hf.co/org/m/resolve/main/ndarray-cache.json?download=true"));
  CHECK_FALSE(is_tensor_cache_url("https://hf.co/org/m/resolve/main/tokenizer.json"));
  CHECK_FALSE(is_tensor_cache_url("https://hf.co/org/m/resolve/main/tensor-cache.json.bak"));
  CHECK_FALSE(is_tensor_cache_url("not a url"));
}

TEST_CASE("shard URLs resolve against the cache URL, once each, in order", "[tensor_cache]") {
  const std::string json = R"({"metadata":{},"records":[
    {"dataPath":"params_shard_0.bin","format":"raw-shard","nbytes":10,"records":[]},
    {"dataPath":"params_shard_1.bin","format":"raw-shard","nbytes":10,"records":[]},
    {"dataPath":"params_shard_0.bin"},
    {"dataPath":"sub/dir/shard_2.bin"}]})";
  const auto urls = tensor_cache_shard_urls("https://hf.co/org/m/resolve/main/tensor-cache.json?download=true#x", json);
  CHECK(urls == std::vector<std::string>{
                    "https://hf.co/org/m/resolve/main/params_shard_0.bin",
                    "https://hf.co/org/m/resolve/main/params_shard_1.bin",
                    "https://hf.co/org/m/resolve/main/sub/dir/shard_2.bin"});
}

TEST_CASE("unusable caches and data paths yield nothing for them", "[tensor_cache]") {
  const std::string base = "https://hf.co/org/m/resolve/main/tensor-cache.json";
  CHECK(tensor_cache_shard_urls(base, "not json").empty());
  CHECK(tensor_cache_shard_urls(base, "[1,2]").empty());
  CHECK(tensor_cache_shard_urls(base, R"({"records":{}})").empty());
  const std::string hostile = R"({"records":[{"dataPath":"../../other/x.bin"},{"dataPath":"/abs.bin"},
    {"dataPath":"https://evil.example/x.bin"},{"dataPath":7},{"dataPath":""},{"dataPath":"a/./b"},
    {"dataPath":"ok.bin"}]})";
  CHECK(tensor_cache_shard_urls(base, hostile) == std::vector<std::string>{"https://hf.co/org/m/resolve/main/ok.bin"});
  CHECK_THROWS_AS(tensor_cache_shard_urls("ftp://x/tensor-cache.json", "{}"), std::invalid_argument);
}

TEST_CASE("shards never leave the cache's folder, whatever the dataPath says", "[tensor_cache]") {
  const std::string base = "https://hf.co/org/m/resolve/main/tensor-cache.json";
  const std::string hostile = R"({"records":[{"dataPath":"%2e%2e/%2E%2e/other/x.bin"},{"dataPath":"http:evil.example/x.bin"},
    {"dataPath":"\t../\t../x.bin"},{"dataPath":"a b.bin"},{"dataPath":"a%2fb/../c"},{"dataPath":"ok:fine/x.bin"},
    {"dataPath":"dir/ok:fine.bin"}]})";
  CHECK(tensor_cache_shard_urls(base, hostile) == std::vector<std::string>{"https://hf.co/org/m/resolve/main/dir/ok:fine.bin"});
  // A cache URL without a path: the folder is the origin's root.
  CHECK(tensor_cache_shard_urls("https://cdn.example.com?file=tensor-cache.json",
                                R"({"records":[{"dataPath":"evil.example/x.bin"}]})") ==
        std::vector<std::string>{"https://cdn.example.com/evil.example/x.bin"});
}

TEST_CASE("a chat config's tokenizer files resolve below the model folder, once each, in order", "[tensor_cache]") {
  const std::string folder = "https://huggingface.co/mlc-ai/M-MLC/resolve/main/";
  CHECK(chat_config_tokenizer_urls(folder, R"({"tokenizer_files":["tokenizer.json","tokenizer_config.json","tokenizer.json"]})") ==
        std::vector<std::string>{folder + "tokenizer.json", folder + "tokenizer_config.json"});
  CHECK(chat_config_tokenizer_urls(folder, R"({"tokenizer_files":["sub/vocab.txt"]})") ==
        std::vector<std::string>{folder + "sub/vocab.txt"});
  // Nothing usable: not JSON, no list, not a list, entries that are not strings.
  CHECK(chat_config_tokenizer_urls(folder, "not json").empty());
  CHECK(chat_config_tokenizer_urls(folder, R"({"model_type":"llama"})").empty());
  CHECK(chat_config_tokenizer_urls(folder, R"({"tokenizer_files":"tokenizer.json"})").empty());
  CHECK(chat_config_tokenizer_urls(folder, R"({"tokenizer_files":[1,null,{"a":"b"}]})").empty());
}

TEST_CASE("a chat config cannot send the loader to another folder or host", "[tensor_cache]") {
  const std::string folder = "https://huggingface.co/mlc-ai/M-MLC/resolve/main/";
  CHECK(chat_config_tokenizer_urls(folder,
          R"({"tokenizer_files":["https://evil.example/t.json","/abs.json","../up.json","%2e%2e/up.json","a\\b.json","ok.json"]})") ==
        std::vector<std::string>{folder + "ok.json"});
}
