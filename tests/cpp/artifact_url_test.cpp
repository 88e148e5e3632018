#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "artifact_url.h"

using coc::ArtifactUrl;
using coc::is_secret_query_name;
using coc::parse_artifact_url;
using coc::percent_decode;

namespace {

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

// The message parse_artifact_url throws for url; fails the test if it does not throw.
std::string url_error(const std::string& url) {
  try {
    parse_artifact_url(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("no exception for '" << url << "'");
  return "";
}

void check_not_hub(const ArtifactUrl& u) {
  CHECK_FALSE(u.is_hub);
  CHECK(u.endpoint.empty());
  CHECK(u.repo_type.empty());
  CHECK(u.repo_id.empty());
  CHECK(u.revision.empty());
  CHECK(u.revision_raw.empty());
  CHECK(u.path.empty());
  CHECK(u.path_raw.empty());
  CHECK(u.pointer_url.empty());
  CHECK_FALSE(u.immutable);
}

}  // namespace

TEST_CASE("model repo resolve URL", "[artifact_url]") {
  const std::string url = "https://huggingface.co/meta-llama/Llama-3.2-1B/resolve/main/model.safetensors";
  const auto u = parse_artifact_url(url);
  CHECK(u.href == url);
  CHECK(u.storage_key == url);
  CHECK(u.redacted == url);
  CHECK_FALSE(u.has_credentials);
  REQUIRE(u.is_hub);
  CHECK(u.endpoint == "https://huggingface.co");
  CHECK(u.repo_type == "model");
  CHECK(u.repo_id == "meta-llama/Llama-3.2-1B");
  CHECK(u.revision == "main");
  CHECK(u.revision_raw == "main");
  CHECK(u.path == "model.safetensors");
  CHECK(u.path_raw == "model.safetensors");
  CHECK(u.pointer_url == "https://huggingface.co/meta-llama/Llama-3.2-1B/raw/main/model.safetensors");
  CHECK_FALSE(u.immutable);
}

TEST_CASE("nested file paths are kept whole", "[artifact_url]") {
  const auto u = parse_artifact_url("https://huggingface.co/Xenova/gpt2/resolve/main/onnx/decoder_model_merged_quantized.onnx");
  REQUIRE(u.is_hub);
  CHECK(u.repo_id == "Xenova/gpt2");
  CHECK(u.path == "onnx/decoder_model_merged_quantized.onnx");
  CHECK(u.pointer_url == "https://huggingface.co/Xenova/gpt2/raw/main/onnx/decoder_model_merged_quantized.onnx");
}

TEST_CASE("dataset and space repos", "[artifact_url]") {
  const auto d = parse_artifact_url("https://huggingface.co/datasets/HuggingFaceFW/fineweb/resolve/main/data/train-0.parquet");
  REQUIRE(d.is_hub);
  CHECK(d.endpoint == "https://huggingface.co");
  CHECK(d.repo_type == "dataset");
  CHECK(d.repo_id == "HuggingFaceFW/fineweb");
  CHECK(d.path == "data/train-0.parquet");
  CHECK(d.pointer_url == "https://huggingface.co/datasets/HuggingFaceFW/fineweb/raw/main/data/train-0.parquet");

  const auto s = parse_artifact_url("https://huggingface.co/spaces/webml/demo/resolve/main/assets/model.onnx");
  REQUIRE(s.is_hub);
  CHECK(s.repo_type == "space");
  CHECK(s.repo_id == "webml/demo");
  CHECK(s.pointer_url == "https://huggingface.co/spaces/webml/demo/raw/main/assets/model.onnx");
}

TEST_CASE("legacy single-name repos", "[artifact_url]") {
  const auto m = parse_artifact_url("https://huggingface.co/gpt2/resolve/main/config.json");
  REQUIRE(m.is_hub);
  CHECK(m.endpoint == "https://huggingface.co");
  CHECK(m.repo_type == "model");
  CHECK(m.repo_id == "gpt2");
  CHECK(m.path == "config.json");
  CHECK(m.pointer_url == "https://huggingface.co/gpt2/raw/main/config.json");

  const auto d = parse_artifact_url("https://huggingface.co/datasets/squad/resolve/main/plain_text/train.parquet");
  REQUIRE(d.is_hub);
  CHECK(d.endpoint == "https://huggingface.co");
  CHECK(d.repo_type == "dataset");
  CHECK(d.repo_id == "squad");
  CHECK(d.path == "plain_text/train.parquet");
  CHECK(d.pointer_url == "https://huggingface.co/datasets/squad/raw/main/plain_text/train.parquet");

  const auto s = parse_artifact_url("https://huggingface.co/spaces/demo/resolve/main/app.py");
  REQUIRE(s.is_hub);
  CHECK(s.repo_type == "space");
  CHECK(s.repo_id == "demo");
}

TEST_CASE("mirror served under a path prefix", "[artifact_url]") {
  const auto m = parse_artifact_url("https://mirror.example.com/hf/Xenova/gpt2/resolve/main/onnx/model.onnx");
  REQUIRE(m.is_hub);
  CHECK(m.endpoint == "https://mirror.example.com/hf");
  CHECK(m.repo_type == "model");
  CHECK(m.repo_id == "Xenova/gpt2");
  CHECK(m.pointer_url == "https://mirror.example.com/hf/Xenova/gpt2/raw/main/onnx/model.onnx");

  const auto deep = parse_artifact_url("http://mirror.example.com:8080/a/b/datasets/org/ds/resolve/v2/f.bin");
  REQUIRE(deep.is_hub);
  CHECK(deep.endpoint == "http://mirror.example.com:8080/a/b");
  CHECK(deep.repo_type == "dataset");
  CHECK(deep.repo_id == "org/ds");
  CHECK(deep.pointer_url == "http://mirror.example.com:8080/a/b/datasets/org/ds/raw/v2/f.bin");

  const auto single = parse_artifact_url("https://mirror.example.com/hf/datasets/squad/resolve/main/f.json");
  REQUIRE(single.is_hub);
  CHECK(single.endpoint == "https://mirror.example.com/hf");
  CHECK(single.repo_type == "dataset");
  CHECK(single.repo_id == "squad");
  CHECK(single.pointer_url == "https://mirror.example.com/hf/datasets/squad/raw/main/f.json");
}

TEST_CASE("percent-encoded revision and path", "[artifact_url]") {
  const auto u = parse_artifact_url("https://huggingface.co/org/model/resolve/refs%2Fpr%2F1/sub%20dir/my%2Bfile.bin");
  REQUIRE(u.is_hub);
  CHECK(u.revision_raw == "refs%2Fpr%2F1");
  CHECK(u.revision == "refs/pr/1");
  CHECK(u.path_raw == "sub%20dir/my%2Bfile.bin");
  CHECK(u.path == "sub dir/my+file.bin");
  CHECK(u.pointer_url == "https://huggingface.co/org/model/raw/refs%2Fpr%2F1/sub%20dir/my%2Bfile.bin");
  CHECK_FALSE(u.immutable);
}

TEST_CASE("query is kept in keys and pointer URL, fragment only in href", "[artifact_url]") {
  const auto q = parse_artifact_url("https://huggingface.co/org/m/resolve/main/model.onnx?download=true");
  REQUIRE(q.is_hub);
  CHECK(q.path == "model.onnx");
  CHECK(q.storage_key == "https://huggingface.co/org/m/resolve/main/model.onnx?download=true");
  CHECK(q.redacted == q.storage_key);
  CHECK(q.pointer_url == "https://huggingface.co/org/m/raw/main/model.onnx?download=true");

  const auto f = parse_artifact_url("https://huggingface.co/org/m/resolve/main/model.onnx?download=true#part-2");
  CHECK(f.href == "https://huggingface.co/org/m/resolve/main/model.onnx?download=true#part-2");
  CHECK(f.storage_key == "https://huggingface.co/org/m/resolve/main/model.onnx?download=true");
  CHECK(f.redacted == f.storage_key);
  CHECK(f.path == "model.onnx");
  CHECK(f.pointer_url == "https://huggingface.co/org/m/raw/main/model.onnx?download=true");

  const auto empty_fragment = parse_artifact_url("https://example.com/x.bin#");
  CHECK(empty_fragment.href == "https://example.com/x.bin#");
  CHECK(empty_fragment.storage_key == "https://example.com/x.bin");

  const auto fragment_only = parse_artifact_url("https://huggingface.co/org/m/resolve/main/w.bin#frag");
  CHECK(fragment_only.pointer_url == "https://huggingface.co/org/m/raw/main/w.bin");
}

TEST_CASE("only lowercase 40-hex commits are immutable", "[artifact_url]") {
  const std::string base = "https://huggingface.co/org/m/resolve/";
  CHECK(parse_artifact_url(base + kCommit + "/w.bin").immutable);
  CHECK(parse_artifact_url(base + kCommit + "/w.bin").revision == kCommit);
  CHECK_FALSE(parse_artifact_url(base + "main/w.bin").immutable);
  CHECK_FALSE(parse_artifact_url(base + "v1.0/w.bin").immutable);
  CHECK_FALSE(parse_artifact_url(base + "refs%2Fpr%2F1/w.bin").immutable);
  std::string upper = kCommit;
  for (char& c : upper) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  CHECK_FALSE(parse_artifact_url(base + upper + "/w.bin").immutable);
  CHECK_FALSE(parse_artifact_url(base + kCommit.substr(1) + "/w.bin").immutable);
  CHECK_FALSE(parse_artifact_url(base + kCommit + "0/w.bin").immutable);
  CHECK_FALSE(parse_artifact_url(base + kCommit.substr(1) + "g/w.bin").immutable);
}

TEST_CASE("scheme and host are lowercased, the rest is kept", "[artifact_url]") {
  const auto u = parse_artifact_url("HTTPS://HuggingFace.CO/Org/Model/resolve/Main/File.BIN?Download=True#Frag");
  CHECK(u.href == "https://huggingface.co/Org/Model/resolve/Main/File.BIN?Download=True#Frag");
  CHECK(u.storage_key == "https://huggingface.co/Org/Model/resolve/Main/File.BIN?Download=True");
  REQUIRE(u.is_hub);
  CHECK(u.endpoint == "https://huggingface.co");
  CHECK(u.repo_id == "Org/Model");
  CHECK(u.revision == "Main");
}

TEST_CASE("userinfo is a credential and is redacted", "[artifact_url]") {
  const auto u = parse_artifact_url("https://user:p%40ss@huggingface.co/org/m/resolve/main/w.bin");
  CHECK(u.has_credentials);
  CHECK(u.href == "https://user:p%40ss@huggingface.co/org/m/resolve/main/w.bin");
  CHECK(u.storage_key == u.href);
  CHECK(u.redacted == "https://***@huggingface.co/org/m/resolve/main/w.bin");
  REQUIRE(u.is_hub);
  CHECK(u.endpoint == "https://huggingface.co");  // fetch() refuses URLs with credentials anyway
  CHECK(u.pointer_url == "https://huggingface.co/org/m/raw/main/w.bin");

  const auto at_in_password = parse_artifact_url("https://user:a@b@example.com:8443/x");
  CHECK(at_in_password.has_credentials);
  CHECK(at_in_password.redacted == "https://***@example.com:8443/x");

  const auto user_only = parse_artifact_url("http://token@example.com/x");
  CHECK(user_only.has_credentials);
  CHECK(user_only.redacted == "http://***@example.com/x");
}

TEST_CASE("every secret query parameter is redacted", "[artifact_url]") {
  const std::vector<std::string> names = {
      "token", "access_token", "auth", "authorization", "key", "api_key", "apikey", "sig", "signature",
      "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential",
      "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "X-Goog-Signature", "X-Goog-Credential",
      "TOKEN", "Sig", "password", "client_secret"};
  for (const auto& name : names) {
    INFO(name);
    const auto u = parse_artifact_url("https://cdn.example.com/m.bin?a=1&" + name + "=s3cr3t%2Fv&b=2#" + name + "=frag");
    CHECK(u.has_credentials);
    CHECK(u.redacted == "https://cdn.example.com/m.bin?a=1&" + name + "=***&b=2");
    CHECK(u.redacted.find("s3cr3t") == std::string::npos);
    CHECK(u.storage_key == "https://cdn.example.com/m.bin?a=1&" + name + "=s3cr3t%2Fv&b=2");
    CHECK(is_secret_query_name(name));
  }
}

TEST_CASE("a typical pre-signed S3 URL", "[artifact_url]") {
  const auto u = parse_artifact_url(
      "https://bucket.s3.amazonaws.com/models/w.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=AKIA%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z"
      "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=abcdef0123");
  CHECK(u.has_credentials);
  CHECK(u.redacted ==
        "https://bucket.s3.amazonaws.com/models/w.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=***&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=***");
  CHECK_FALSE(u.is_hub);
}

TEST_CASE("redaction leaves non-secret parameters alone", "[artifact_url]") {
  const std::string url = "https://blob.example.net/c/w.bin?download=true&revision=main&x-amz-date=1&x-amz-expires=60&=x&&q";
  const auto u = parse_artifact_url(url);
  CHECK_FALSE(u.has_credentials);
  CHECK(u.redacted == url);
}

TEST_CASE("secret names are matched after percent-decoding: bare names count", "[artifact_url]") {
  const auto encoded = parse_artifact_url("https://example.com/x?%74oken=abc");
  CHECK(encoded.has_credentials);
  CHECK(encoded.redacted == "https://example.com/x?%74oken=***");

  const auto bare = parse_artifact_url("https://example.com/x?token&a=1");
  CHECK(bare.has_credentials);
  CHECK(bare.redacted == "https://example.com/x?token&a=1");

  const auto empty_value = parse_artifact_url("https://example.com/x?token=");
  CHECK(empty_value.has_credentials);
  CHECK(empty_value.redacted == "https://example.com/x?token=***");

  const auto equals_in_value = parse_artifact_url("https://example.com/x?sig=a=b=c&z=1");
  CHECK(equals_in_value.redacted == "https://example.com/x?sig=***&z=1");
}

// Each family of signed or token-carrying URLs, with the values that must not show.
TEST_CASE("signed URLs of every family are redacted whole", "[artifact_url][secrets]") {
  struct Case {
    const char* family;
    std::string url;
    std::string redacted;
  };
  const std::vector<Case> cases = {
      {"Hugging Face token", "https://huggingface.co/o/m/resolve/main/w.bin?token=hf_AAAA&download=true",
       "https://huggingface.co/o/m/resolve/main/w.bin?token=***&download=true"},
      {"Hugging Face access_token", "https://huggingface.co/o/m/resolve/main/w.bin?access_token=hf_BBBB",
       "https://huggingface.co/o/m/resolve/main/w.bin?access_token=***"},
      {"S3 SigV4",
       "https://b.s3.amazonaws.com/w.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA1%2F2024&X-Amz-Date=20240101T000000Z"
       "&X-Amz-Expires=3600&X-Amz-Security-Token=FwoGZX1&X-Amz-SignedHeaders=host&X-Amz-Signature=abcd1",
       "https://b.s3.amazonaws.com/w.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Date=20240101T000000Z"
       "&X-Amz-Expires=3600&X-Amz-Security-Token=***&X-Amz-SignedHeaders=host&X-Amz-Signature=***"},
      {"CloudFront (the hub's CDN redirects)",
       "https://cdn-lfs.hf.co/r/abc?Expires=1700000000&Policy=eyJTdGF0Z&Signature=Q0lGUk9OVA__&Key-Pair-Id=K2ABCDEF",
       "https://cdn-lfs.hf.co/r/abc?Expires=1700000000&Policy=***&Signature=***&Key-Pair-Id=***"},
      {"GCS V4",
       "https://storage.googleapis.com/b/w.bin?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40p.iam&X-Goog-Date=20240101T000000Z"
       "&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=9f8e7d",
       "https://storage.googleapis.com/b/w.bin?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=***&X-Goog-Date=20240101T000000Z"
       "&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=***"},
      {"GCS V2", "https://storage.googleapis.com/b/w.bin?GoogleAccessId=sa%40p.iam&Expires=1&Signature=c2ln",
       "https://storage.googleapis.com/b/w.bin?GoogleAccessId=***&Expires=1&Signature=***"},
      {"Azure service SAS", "https://a.blob.core.windows.net/c/w.bin?sv=2022-11-02&st=2024-01-01&se=2030-01-01&sr=b&sp=r&spr=https&sig=AbC%3D",
       "https://a.blob.core.windows.net/c/w.bin?sv=***&st=***&se=***&sr=***&sp=***&spr=***&sig=***"},
      {"Azure account SAS", "https://a.blob.core.windows.net/c/w.bin?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030&sip=1.2.3.4&sig=XyZ",
       "https://a.blob.core.windows.net/c/w.bin?sv=***&ss=***&srt=***&sp=***&se=***&sip=***&sig=***"},
      {"Azure user delegation SAS",
       "https://a.blob.core.windows.net/c/w.bin?skoid=o1&sktid=t1&skt=2024&ske=2025&sks=b&skv=2022&sv=2022&sr=b&sp=r&sig=s1",
       "https://a.blob.core.windows.net/c/w.bin?skoid=***&sktid=***&skt=***&ske=***&sks=***&skv=***&sv=***&sr=***&sp=***&sig=***"},
      {"generic", "https://x.example/w.bin?apiKey=k1&client_secret=c1&Auth_Token=a1&user_password=p1&credentials=c2&mysignature=s1&authorization=z",
       "https://x.example/w.bin?apiKey=***&client_secret=***&Auth_Token=***&user_password=***&credentials=***&mysignature=***&authorization=***"},
  };
  for (const Case& c : cases) {
    INFO(c.family);
    const auto u = parse_artifact_url(c.url);
    CHECK(u.has_credentials);
    CHECK(u.redacted == c.redacted);
    CHECK(u.storage_key == c.url);
  }
}

TEST_CASE("':' separates parameters as '&' does", "[artifact_url][secrets]") {
  const auto u = parse_artifact_url("https://x.example/w.bin?a=1;token=hf_SEMI;b=2&sig=s1;c=3");
  CHECK(u.has_credentials);
  CHECK(u.redacted == "https://x.example/w.bin?a=1;token=***;b=2&sig=***;c=3");
  CHECK(u.redacted.find("hf_SEMI") == std::string::npos);
}

TEST_CASE("secret names match percent-encoded and in any case", "[artifact_url][secrets]") {
  for (const std::string name : {"%74oken", "%54OKEN", "X-Amz-%53ignature", "x%2Damz%2Dcredential", "SIG", "Sig",
                                 "%53%49%47", "ACCESS_TOKEN", "X-GOOG-SIGNATURE", "Key-Pair-ID", "pOlIcY", "SkOiD"}) {
    INFO(name);
    const auto u = parse_artifact_url("https://x.example/w.bin?a=1&" + name + "=s3cr3tv&b=2");
    CHECK(u.has_credentials);
    CHECK(u.redacted == "https://x.example/w.bin?a=1&" + name + "=***&b=2");
  }
}

TEST_CASE("is_secret_query_name", "[artifact_url][secrets]") {
  for (const char* name : {"token", "Token", "ACCESS_TOKEN", "hf_token", "tokens", "auth", "Authorization", "author",
                           "key", "API_KEY", "apikey", "keys", "Key-Pair-Id", "secret", "client_secret", "password",
                           "passwordHash", "credential", "X-Amz-Credential", "signature", "X-Goog-Signature", "sig",
                           "policy", "GoogleAccessId", "se", "sp", "sv", "st", "sr", "ss", "srt", "spr", "sip", "si",
                           "skoid", "sktid", "skt", "ske", "sks", "skv", "saoid", "suoid", "scid", "rscd", "x-amz-security-token"}) {
    INFO(name);
    CHECK(is_secret_query_name(name));
  }
  for (const char* name : {"", "download", "revision", "x-amz-expires", "x-amz-date", "x-amz-algorithm", "expires",
                           "signed", "x-ms-version", " sig", "sigs", "s", "format", "oauth", "x-amz-signedheaders"}) {
    INFO(name);
    CHECK_FALSE(is_secret_query_name(name));
  }
}

TEST_CASE("IPv6 literals and ports", "[artifact_url]") {
  const auto v6 = parse_artifact_url("http://[::1]:8080/org/m/resolve/main/w.bin");
  CHECK(v6.href == "http://[::1]:8080/org/m/resolve/main/w.bin");
  REQUIRE(v6.is_hub);
  CHECK(v6.endpoint == "http://[::1]:8080");
  CHECK(v6.pointer_url == "http://[::1]:8080/org/m/raw/main/w.bin");

  CHECK(parse_artifact_url("http://[FE80::A:1]/x").href == "http://[fe80::a:1]/x");
  CHECK(parse_artifact_url("http://[::ffff:192.0.2.1]/x").href == "http://[::ffff:192.0.2.1]/x");

  const auto port = parse_artifact_url("http://LocalHost:65535/gpt2/resolve/main/f");
  REQUIRE(port.is_hub);
  CHECK(port.endpoint == "http://localhost:65535");
  CHECK(parse_artifact_url("http://127.0.0.1:0/x").href == "http://127.0.0.1:0/x");
}

TEST_CASE("valid URLs that are not hub files", "[artifact_url]") {
  for (const char* url : {
           "https://raw.githubusercontent.com/org/repo/main/model.json",
           "https://example.com/models/x.onnx",
           "https://huggingface.co/org/m/blob/main/w.bin",
           "https://huggingface.co/org/m/raw/main/w.bin",
           "https://huggingface.co/org/m/resolve/main/",
           "https://huggingface.co/org/m/resolve/main",
           "https://huggingface.co/org/m/resolve",
           "https://huggingface.co/org/m/resolve//w.bin",
           "https://huggingface.co/org/m/resolve/main//w.bin",
           "https://huggingface.co/org/m/resolve/main/dir/",
           "https://huggingface.co/org/m/resolve/main/a/../w.bin",
           "https://huggingface.co/org/m/resolve/main/%2e%2E/w.bin",
           "https://huggingface.co/org/./resolve/main/w.bin",
           "https://huggingface.co//m/resolve/main/w.bin",
           "https://huggingface.co/resolve/main/w.bin",
           "https://huggingface.co/",
           "https://huggingface.co",
           "https://huggingface.co?x=/a/b/resolve/main/c",
           "https://huggingface.co/org/m/resolve?x=/main/w.bin",
           "https://huggingface.co/org/m/resolve#/main/w.bin",
       }) {
    INFO(url);
    const auto u = parse_artifact_url(url);
    check_not_hub(u);
    CHECK(u.href == url);
  }
}

TEST_CASE("the first resolve segment wins", "[artifact_url]") {
  const auto u = parse_artifact_url("https://huggingface.co/org/m/resolve/main/resolve/x/y");
  REQUIRE(u.is_hub);
  CHECK(u.repo_id == "org/m");
  CHECK(u.revision == "main");
  CHECK(u.path == "resolve/x/y");
}

TEST_CASE("a single-name repo followed by a repo named resolve is no hub's: two repos read it", "[artifact_url]") {
  for (const char* url : {"https://huggingface.co/alice/resolve/resolve/main/weights.bin",
                          "https://huggingface.co/datasets/alice/resolve/resolve/main/data.bin"}) {
    const auto u = parse_artifact_url(url);
    CHECK_FALSE(u.is_hub);
    CHECK(u.href == url);
  }
  // Nothing after the second marker's revision: only the single-name reading is a file.
  CHECK(parse_artifact_url("https://huggingface.co/alice/resolve/resolve/main").is_hub);
  // Two-part repos read one way, whatever their file paths hold.
  const auto two = parse_artifact_url("https://huggingface.co/org/model/resolve/main/resolve/resolve/x");
  REQUIRE(two.is_hub);
  CHECK(two.repo_id == "org/model");
}

TEST_CASE("invalid URLs throw with a message", "[artifact_url]") {
  struct Case {
    const char* url;
    const char* fragment_of_message;
  };
  const Case cases[] = {
      {"", "empty URL"},
      {"not a url", "no scheme"},
      {"relative/path/model.bin", "no scheme"},
      {"/relative/path", "no scheme"},
      {"//host/path", "scheme-relative"},
      {"?x=1", "no scheme"},
      {":foo", "no scheme"},
      {"1http://x/", "invalid scheme"},
      {"ftp://x/y", "unsupported scheme 'ftp'"},
      {"data:text/plain,hello", "unsupported scheme 'data'"},
      {"blob:https://example.com/0b5e-11", "unsupported scheme 'blob'"},
      {"file:///etc/passwd", "unsupported scheme 'file'"},
      {"ws://example.com/", "unsupported scheme 'ws'"},
      {"http://", "empty host"},
      {"https://", "empty host"},
      {"http:///path", "empty host"},
      {"http://?q", "empty host"},
      {"http://user@/x", "empty host"},
      {"http://:80/x", "empty host"},
      {"http:/host/x", "expected '//'"},
      {"http:host", "expected '//'"},
      {"http://host:99999/", "out of range"},
      {"http://host:65536/", "out of range"},
      {"http://host:123456789012345678901234567890/", "out of range"},
      {"http://host:/x", "empty port"},
      {"http://host:8a/", "not a number"},
      {"http://host:-1/", "not a number"},
      {"http://[::1/x", "unterminated IPv6"},
      {"http://[]/x", "empty IPv6"},
      {"http://[xyz::1]/x", "IPv6"},
      {"http://[1.2.3.4]/x", "IPv6"},
      {"http://[::1]x/", "after IPv6"},
      {"http://ho st/", "space at position 9"},
      {"http://host/a b", "space"},
      {"http://host/a\tb", "control character"},
      {"http://host/a\nb", "control character"},
      {"http://host\\path", "backslash"},
      {"http://exa<mple.com/", "in host"},
      {"http://exa%41mple.com/", "in host"},
      {"http://ex\xc3\xa4mple.com/", "in host"},
  };
  for (const auto& c : cases) {
    INFO(c.url);
    CHECK_THROWS_AS(parse_artifact_url(c.url), std::invalid_argument);
    const std::string message = url_error(c.url);
    CHECK_THAT(message, Catch::StartsWith("invalid artifact URL '") && Catch::Contains(c.fragment_of_message));
  }
}

TEST_CASE("error messages never show secrets", "[artifact_url]") {
  const std::string m1 = url_error("ftp://user:hunter2@host/x?token=abc123&a=1#access_token=frag99");
  CHECK_THAT(m1, Catch::Contains("ftp://***@host/x?token=***&a=1"));
  CHECK(m1.find("hunter2") == std::string::npos);
  CHECK(m1.find("abc123") == std::string::npos);
  CHECK(m1.find("frag99") == std::string::npos);

  const std::string m2 = url_error("http://user:hunter2@host:99999/?X-Amz-Signature=abc123");
  CHECK_THAT(m2, Catch::Contains("http://***@host:99999/?X-Amz-Signature=***"));
  CHECK(m2.find("hunter2") == std::string::npos);
  CHECK(m2.find("abc123") == std::string::npos);

  // A password with '/' ends the authority early; the message must still hide it.
  const std::string m3 = url_error("http://user:hun/ter2@host/x");
  CHECK(m3.find("hun") == std::string::npos);
  CHECK(m3.find("ter2") == std::string::npos);

  const std::string m4 = url_error("user:hunter2@host/x");
  CHECK(m4.find("hunter2") == std::string::npos);

  const std::string m5 = url_error("http://host/a b?sig=abc123");
  CHECK(m5.find("abc123") == std::string::npos);
}

TEST_CASE("error messages are short and printable", "[artifact_url]") {
  const std::string message = url_error("ftp://example.com/" + std::string(5000, 'a') + "\x01");
  CHECK(message.size() < 400);
  CHECK_THAT(message, Catch::Contains("..."));
  const std::string control = url_error("http://host/a\x01z");
  CHECK(control.find('\x01') == std::string::npos);
  CHECK_THAT(control, Catch::Contains("\\x01"));
}

TEST_CASE("percent_decode", "[artifact_url]") {
  CHECK(percent_decode("") == "");
  CHECK(percent_decode("plain") == "plain");
  CHECK(percent_decode("%41%62") == "Ab");
  CHECK(percent_decode("refs%2Fpr%2F1") == "refs/pr/1");
  CHECK(percent_decode("refs%2fpr%2f1") == "refs/pr/1");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK(percent_decode("%E2%9C%93") == "\xe2\x9c\x93");
  CHECK(percent_decode("%zz") == "%zz");
  CHECK(percent_decode("%4") == "%4");
  CHECK(percent_decode("%") == "%");
  CHECK(percent_decode("100%") == "100%");
  CHECK(percent_decode("%g1%41") == "%g1A");
  CHECK(percent_decode("%%41") == "%A");
  CHECK(percent_decode("%2541") == "%41");  // decoded once only
  CHECK(percent_decode(std::string("%00", 3)) == std::string(1, '\0'));
}

TEST_CASE("pointer URL names the same file under /raw/", "[artifact_url]") {
  for (const char* url : {
           "https://huggingface.co/meta-llama/Llama-3.2-1B/resolve/main/model.safetensors",
           "https://huggingface.co/org/m/resolve/refs%2Fpr%2F1/onnx/model.onnx?download=true#x",
           "https://huggingface.co/datasets/org/ds/resolve/v1.0/data/a%20b.parquet",
           "https://huggingface.co/spaces/org/app/resolve/0123456789abcdef0123456789abcdef01234567/w.bin",
           "https://huggingface.co/gpt2/resolve/main/config.json",
           "https://huggingface.co/datasets/squad/resolve/main/x.json",
           "http://[::1]:8080/hf/mirror/org/m/resolve/main/w.bin",
           "https://user:pw@Mirror.Example.com/hf/org/m/resolve/main/w.bin?token=abc",
       }) {
    INFO(url);
    const auto original = parse_artifact_url(url);
    REQUIRE(original.is_hub);

    // The pointer URL is a valid URL on the same endpoint, but /raw/ is not /resolve/.
    const auto pointer = parse_artifact_url(original.pointer_url);
    CHECK_FALSE(pointer.is_hub);
    CHECK(pointer.href == original.pointer_url);
    CHECK(pointer.storage_key == original.pointer_url);
    CHECK(pointer.href.rfind(original.endpoint + "/", 0) == 0);

    // Turning it back into a /resolve/ URL gives the same repo, revision and path.
    std::string back = original.pointer_url;
    const std::size_t raw = back.find("/raw/", original.endpoint.size());
    REQUIRE(raw != std::string::npos);
    back.replace(raw, 5, "/resolve/");
    const auto again = parse_artifact_url(back);
    REQUIRE(again.is_hub);
    CHECK(again.endpoint == original.endpoint);
    CHECK(again.repo_type == original.repo_type);
    CHECK(again.repo_id == original.repo_id);
    CHECK(again.revision == original.revision);
    CHECK(again.revision_raw == original.revision_raw);
    CHECK(again.path == original.path);
    CHECK(again.path_raw == original.path_raw);
    CHECK(again.immutable == original.immutable);
    CHECK(again.pointer_url == original.pointer_url);
  }
}

TEST_CASE("media type follows the file extension", "[artifact_url]") {
  using coc::media_type_for_path;
  CHECK(media_type_for_path("config.json") == "application/json");
  CHECK(media_type_for_path("onnx/tokenizer.json") == "application/json");
  CHECK(media_type_for_path("/dist/core.wasm") == "application/wasm");
  CHECK(media_type_for_path("notes.txt") == "text/plain; charset=utf-8");
  CHECK(media_type_for_path("README.md") == "text/plain; charset=utf-8");
  for (const char* binary : {"pytorch_model.bin", "model.safetensors", "onnx/model.onnx", "q4.gguf",
                             "data.parquet", "model.json.bin", "tokenizer.model"}) {
    INFO(binary);
    CHECK(media_type_for_path(binary) == "application/octet-stream");
  }
  // Case is not significant.
  CHECK(media_type_for_path("CONFIG.JSON") == "application/json");
  CHECK(media_type_for_path("Core.Wasm") == "application/wasm");
  // No extension: none at all, a trailing dot, a dot only in a folder name, a leading dot only.
  CHECK(media_type_for_path("") == "application/octet-stream");
  CHECK(media_type_for_path("LICENSE") == "application/octet-stream");
  CHECK(media_type_for_path("file.") == "application/octet-stream");
  CHECK(media_type_for_path("v1.json/weights") == "application/octet-stream");
  CHECK(media_type_for_path("dir.json/") == "application/octet-stream");
  CHECK(media_type_for_path(".json") == "application/octet-stream");
  CHECK(media_type_for_path("a/.md") == "application/octet-stream");
  CHECK(media_type_for_path("a/..json") == "application/json");
  CHECK(media_type_for_path("config.jsonl") == "application/octet-stream");
  CHECK(media_type_for_path("config.json ") == "application/octet-stream");
}

TEST_CASE("every parsed URL carries the media type of its file", "[artifact_url]") {
  // Hub URLs: the repo file's path decides; the query and fragment do not.
  CHECK(parse_artifact_url("https://huggingface.co/org/m/resolve/main/config.json").media_type ==
        "application/json");
  CHECK(parse_artifact_url("https://huggingface.co/org/m/resolve/main/onnx/model.onnx?download=true#x.json")
            .media_type == "application/octet-stream");
  CHECK(parse_artifact_url("https://huggingface.co/datasets/org/ds/resolve/v1/README.md").media_type ==
        "text/plain; charset=utf-8");
  CHECK(parse_artifact_url("https://huggingface.co/org/m/resolve/" + kCommit + "/model.safetensors")
            .media_type == "application/octet-stream");
  CHECK(parse_artifact_url("https://huggingface.co/gpt2/resolve/main/q4.gguf").media_type ==
        "application/octet-stream");
  // The path is decoded first: %2E is a dot, %2F a slash.
  CHECK(parse_artifact_url("https://huggingface.co/org/m/resolve/main/config%2Ejson").media_type ==
        "application/json");
  CHECK(parse_artifact_url("https://huggingface.co/org/m/resolve/main/a.json%2Fb").media_type ==
        "application/octet-stream");

  // Other URLs: the last segment of the URL path.
  CHECK(parse_artifact_url("https://cdn.example.com/lib/core.wasm").media_type == "application/wasm");
  CHECK(parse_artifact_url("https://cdn.example.com/lib/core.wasm?v=2#frag").media_type == "application/wasm");
  CHECK(parse_artifact_url("https://cdn.example.com/models/tokenizer.json").media_type == "application/json");
  CHECK(parse_artifact_url("https://cdn.example.com/notes.TXT").media_type == "text/plain; charset=utf-8");
  CHECK(parse_artifact_url("https://cdn.example.com/w%2Ewasm").media_type == "application/wasm");
  CHECK(parse_artifact_url("https://cdn.example.com/weights.bin").media_type == "application/octet-stream");
  CHECK(parse_artifact_url("https://cdn.example.com/a.json/").media_type == "application/octet-stream");
  CHECK(parse_artifact_url("https://cdn.example.com").media_type == "application/octet-stream");
  CHECK(parse_artifact_url("https://cdn.example.com/?file=x.json").media_type == "application/octet-stream");
  CHECK(parse_artifact_url("https://cdn.example.com/x.json.gz").media_type == "application/octet-stream");
  // A /raw/ pointer URL is not a hub URL, but its path names the same file.
  const ArtifactUrl hub = parse_artifact_url("https://huggingface.co/org/m/resolve/main/core.wasm");
  CHECK(parse_artifact_url(hub.pointer_url).media_type == "application/wasm");
}

TEST_CASE("stored bytes are served with their own type unless it is generic", "[artifact_url]") {
  CHECK(coc::served_media_type("", "application/wasm") == "application/wasm");
  CHECK(coc::served_media_type("application/octet-stream", "application/wasm") == "application/wasm");
  CHECK(coc::served_media_type("text/plain; charset=utf-8", "application/json") == "text/plain; charset=utf-8");
}
