#include "paths_info.h"

#include <catch2/catch.hpp>

#include <cctype>
#include <string>
#include <vector>

namespace {

const std::string kHf = "https://huggingface.co";
const std::string kShaA = "a3c6f5d1e2b4978812345678901234567890abcdefabcdefabcdefabcdef0011";
const std::string kShaB = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const std::string kGitOid = "d7a1b2c3e4f5061728394a5b6c7d8e9f00112233";

// A batch group as batch_group() writes it: each field length-prefixed.
std::string group_of(const std::string& endpoint, const std::string& type, const std::string& repo,
                     const std::string& revision) {
  std::string out;
  for (const std::string* field : {&endpoint, &type, &repo, &revision}) {
    out += (out.empty() ? "" : "|") + std::to_string(field->size()) + ":" + *field;
  }
  return out;
}

// Filled by hand: the URL parser is not a dependency of these tests.
coc::ArtifactUrl hub(const std::string& endpoint, const std::string& repo_type, const std::string& repo_id,
                     const std::string& revision, const std::string& revision_raw, const std::string& path,
                     const std::string& suffix = "") {
  coc::ArtifactUrl url;
  url.is_hub = true;
  url.endpoint = endpoint;
  url.repo_type = repo_type;
  url.repo_id = repo_id;
  url.revision = revision;
  url.revision_raw = revision_raw;
  url.path = path;
  url.path_raw = path;
  const std::string prefix = repo_type == "dataset" ? "datasets/" : repo_type == "space" ? "spaces/" : "";
  url.storage_key = endpoint + "/" + prefix + repo_id + "/resolve/" + revision_raw + "/" + path + suffix;
  url.href = url.storage_key;
  url.redacted = url.storage_key;
  return url;
}

coc::ArtifactUrl model(const std::string& repo_id, const std::string& path, const std::string& suffix = "") {
  return hub(kHf, "model", repo_id, "main", "main", path, suffix);
}

coc::ArtifactUrl plain(const std::string& href) {
  coc::ArtifactUrl url;
  url.href = href;
  url.storage_key = href;
  url.redacted = href;
  return url;
}

std::string lfs_entry(const std::string& path, const std::string& sha, long long size) {
  return R"({"type":"file","oid":")" + kGitOid + R"(","size":)" + std::to_string(size) +
         R"(,"lfs":{"oid":")" + sha + R"(","size":)" + std::to_string(size) +
         R"(,"pointerSize":135},"path":")" + path + R"("})";
}

void require_failed(const coc::PathsInfoParse& parse, const std::string& mentions) {
  CHECK_FALSE(parse.ok);
  CHECK(parse.entries.empty());
  CHECK_THAT(parse.reason, Catch::Matchers::Contains(mentions));
}

}  // namespace

TEST_CASE("batch requests group by endpoint, repo type, repo and revision", "[paths_info]") {
  const std::string mirror = "https://hf-mirror.example/prefix";
  const std::vector<coc::ArtifactUrl> urls = {
      model("org/a", "config.json"),
      plain("https://cdn.example/model.bin"),
      hub(kHf, "dataset", "org/a", "main", "main", "data/train.parquet"),
      model("org/a", "model.safetensors"),
      hub(kHf, "model", "org/a", "refs/pr/1", "refs%2Fpr%2F1", "model.safetensors"),
      hub(mirror, "model", "org/a", "main", "main", "config.json"),
      model("org/a", "config.json", "?download=true"),  // same path again, another key
      hub(kHf, "space", "someone/demo", "main", "main", "app.py"),
      model("single", "tokenizer.json"),
      hub(kHf, "model", "org/a", "refs/pr/1", "refs/pr/1", "config.json"),  // same revision, spelled raw
  };
  const std::vector<coc::BatchRequest> requests = coc::group_batch_requests(urls);
  REQUIRE(requests.size() == 6);

  const coc::BatchRequest& main = requests[0];
  CHECK(main.group == group_of(kHf, "model", "org/a", "main"));
  CHECK(main.url == kHf + "/api/models/org/a/paths-info/main");
  CHECK(main.body == R"({"paths":["config.json","model.safetensors"],"expand":false})");
  CHECK(main.keys == std::vector<std::string>{urls[0].storage_key, urls[3].storage_key, urls[6].storage_key});
  CHECK(main.paths == std::vector<std::string>{"config.json", "model.safetensors", "config.json"});

  CHECK(requests[1].group == group_of(kHf, "dataset", "org/a", "main"));
  CHECK(requests[1].url == kHf + "/api/datasets/org/a/paths-info/main");
  CHECK(requests[1].body == R"({"paths":["data/train.parquet"],"expand":false})");
  CHECK(requests[1].keys == std::vector<std::string>{urls[2].storage_key});

  CHECK(requests[2].group == group_of(kHf, "model", "org/a", "refs/pr/1"));
  CHECK(requests[2].url == kHf + "/api/models/org/a/paths-info/refs%2Fpr%2F1");
  CHECK(requests[2].body == R"({"paths":["model.safetensors","config.json"],"expand":false})");
  CHECK(requests[2].keys == std::vector<std::string>{urls[4].storage_key, urls[9].storage_key});

  CHECK(requests[3].group == group_of(mirror, "model", "org/a", "main"));
  CHECK(requests[3].url == mirror + "/api/models/org/a/paths-info/main");

  CHECK(requests[4].group == group_of(kHf, "space", "someone/demo", "main"));
  CHECK(requests[4].url == kHf + "/api/spaces/someone/demo/paths-info/main");
  CHECK(requests[4].body == R"({"paths":["app.py"],"expand":false})");

  CHECK(requests[5].group == group_of(kHf, "model", "single", "main"));
  CHECK(requests[5].url == kHf + "/api/models/single/paths-info/main");
}

TEST_CASE("a raw '/' in the revision is escaped in the API URL", "[paths_info]") {
  const auto requests =
      coc::group_batch_requests({hub(kHf, "model", "org/a", "refs/pr/2", "refs/pr/2", "x.bin")});
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].url == kHf + "/api/models/org/a/paths-info/refs%2Fpr%2F2");
  CHECK(requests[0].group == group_of(kHf, "model", "org/a", "refs/pr/2"));
}

TEST_CASE("a tree request lists the whole revision with GET", "[paths_info]") {
  const coc::ArtifactUrl url = hub(kHf, "model", "org/a", "refs/pr/2", "refs/pr/2", "x.bin");
  const auto requests = coc::group_batch_requests({url});
  REQUIRE(requests.size() == 1);
  const coc::BatchRequest tree = coc::as_tree_request(requests[0], url);
  CHECK(tree.kind == coc::BatchKind::tree);
  CHECK(tree.method == "GET");
  CHECK(tree.body.empty());
  CHECK(tree.url == kHf + "/api/models/org/a/tree/refs%2Fpr%2F2?recursive=true");
  CHECK(tree.group == requests[0].group);
  CHECK(tree.keys == requests[0].keys);
  CHECK(requests[0].kind == coc::BatchKind::paths_info);
  CHECK(requests[0].method == "POST");
}

TEST_CASE("Link headers: a next page is found however it is spelled", "[paths_info]") {
  CHECK(coc::link_has_next(R"(<https://hf.co/api/models/a/b/tree/main?cursor=x>; rel="next")"));
  CHECK(coc::link_has_next(R"(<https://x/?p=1>; rel="prev", <https://x/?p=3>; REL=next)"));
  CHECK(coc::link_has_next(R"(<https://x/?p=3>; rel = "last next")"));
  CHECK_FALSE(coc::link_has_next(""));
  CHECK_FALSE(coc::link_has_next(R"(<https://x/?p=1>; rel="prev")"));
  CHECK_FALSE(coc::link_has_next(R"(<https://x/next>; rel="nextish")"));
  CHECK_FALSE(coc::link_has_next(R"(<https://x/?rel=next>; title="rel")"));
  CHECK_FALSE(coc::link_has_next(R"(<https://x/?a=1; rel=next>; rel="prev")"));
  CHECK_FALSE(coc::link_has_next(R"(<https://x/; rel=next)"));  // unterminated URL
}

TEST_CASE("non-hub and unusable URLs are skipped", "[paths_info]") {
  CHECK(coc::group_batch_requests({}).empty());
  CHECK(coc::group_batch_requests({plain("https://example.com/a.bin"), plain("http://x/y")}).empty());
  coc::ArtifactUrl unknown_type = hub(kHf, "collection", "org/a", "main", "main", "x.bin");
  coc::ArtifactUrl no_path = model("org/a", "");
  coc::ArtifactUrl bad_utf8 = model("org/a", "weights-\xff.bin");
  CHECK(coc::group_batch_requests({unknown_type, no_path, bad_utf8}).empty());
}

TEST_CASE("paths are JSON-escaped in the body, not percent-encoded", "[paths_info]") {
  const auto requests = coc::group_batch_requests(
      {model("org/a", "dir/na\xc3\xafve \"q\".json"), model("org/a", "back\\slash.txt")});
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].body ==
        "{\"paths\":[\"dir/na\xc3\xafve \\\"q\\\".json\",\"back\\\\slash.txt\"],\"expand\":false}");
}

TEST_CASE("a realistic paths-info response", "[paths_info]") {
  const std::string body = "[\n  " + lfs_entry("model-00001-of-00002.safetensors", kShaA, 4976698672) +
                           ",\n  " + lfs_entry("model-00002-of-00002.safetensors", kShaB, 1168138808) +
                           ",\n  {\"type\":\"file\",\"oid\":\"" + kGitOid +
                           "\",\"size\":654,\"path\":\"config.json\"},\n"
                           "  {\"type\":\"directory\",\"oid\":\"" + kGitOid + "\",\"path\":\"onnx\"}\n]";
  const coc::PathsInfoParse parse = coc::parse_paths_info(body);
  REQUIRE(parse.ok);
  REQUIRE(parse.entries.size() == 4);

  const coc::PathInfo& first = parse.entries[0];
  CHECK(first.path == "model-00001-of-00002.safetensors");
  CHECK(first.type == "file");
  CHECK(first.git_oid == kGitOid);
  CHECK(first.is_lfs);
  CHECK(first.sha256 == kShaA);
  CHECK(first.size == 4976698672);

  CHECK(parse.entries[1].sha256 == kShaB);
  CHECK(parse.entries[1].size == 1168138808);

  const coc::PathInfo& config = parse.entries[2];
  CHECK(config.path == "config.json");
  CHECK_FALSE(config.is_lfs);
  CHECK(config.sha256.empty());
  CHECK(config.size == 654);

  const coc::PathInfo& dir = parse.entries[3];
  CHECK(dir.type == "directory");
  CHECK_FALSE(dir.is_lfs);
  CHECK(dir.size == -1);
}

TEST_CASE("accepted variations", "[paths_info]") {
  SECTION("empty array") {
    const auto parse = coc::parse_paths_info(" [ ] ");
    CHECK(parse.ok);
    CHECK(parse.entries.empty());
  }
  SECTION("uppercase hashes are lowercased") {
    std::string upper = kShaA;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const auto parse = coc::parse_paths_info("[" + lfs_entry("a.bin", upper, 1) + "]");
    REQUIRE(parse.ok);
    CHECK(parse.entries[0].sha256 == kShaA);
  }
  SECTION("unknown fields, lfs null, no size or oid") {
    const auto parse = coc::parse_paths_info(
        R"([{"type":"file","path":"a.txt","lfs":null,"lastCommit":{"id":"x"},"securityFileStatus":{}},)"
        R"({"path":"b.bin","type":"file","lfs":{"oid":")" + kShaA + R"(","size":0,"extra":1}}])");
    REQUIRE(parse.ok);
    CHECK_FALSE(parse.entries[0].is_lfs);
    CHECK(parse.entries[0].size == -1);
    CHECK(parse.entries[0].git_oid.empty());
    CHECK(parse.entries[1].is_lfs);
    CHECK(parse.entries[1].size == 0);
  }
}

TEST_CASE("malformed responses fail as a whole, naming the entry", "[paths_info]") {
  const std::string good = lfs_entry("good.bin", kShaA, 10);
  auto with_bad = [&](const std::string& bad) { return "[" + good + "," + bad + "]"; };
  const std::string lfs_prefix = R"({"type":"file","path":"x","lfs":)";

  SECTION("not an array") {
    require_failed(coc::parse_paths_info(good), "JSON object, not an array");
    require_failed(coc::parse_paths_info("null"), "JSON null");
    require_failed(coc::parse_paths_info("\"[]\""), "JSON string");
  }
  SECTION("not JSON") {
    require_failed(coc::parse_paths_info(""), "not valid JSON");
    require_failed(coc::parse_paths_info("[" + good), "not valid JSON");
    require_failed(coc::parse_paths_info("<html>502 Bad Gateway</html>"), "not valid JSON");
    require_failed(coc::parse_paths_info("[\"\xff\"]"), "not valid JSON");
    require_failed(coc::parse_paths_info(std::string("[\0]", 3)), "not valid JSON");
  }
  SECTION("entry shapes") {
    require_failed(coc::parse_paths_info(with_bad("\"x\"")), "entry 1: is a JSON string, not an object");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file"})")), "entry 1: has no path");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":7})")), "entry 1: path is not a string");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":""})")), "entry 1: has an empty path");
    require_failed(coc::parse_paths_info(with_bad(R"({"path":"x"})")), "entry 1: has no type");
    require_failed(coc::parse_paths_info(with_bad(R"({"path":"x","type":null})")), "entry 1: type is not a string");
    require_failed(coc::parse_paths_info(with_bad(R"({"path":"x","type":"symlink"})")), "entry 1: type \"symlink\"");
  }
  SECTION("sizes") {
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":"x","size":-1})")),
                   "entry 1: size is negative");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":"x","size":1.5})")),
                   "entry 1: size is not an integer");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":"x","size":"10"})")),
                   "entry 1: size is not an integer");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":"x","size":9223372036854775808})")),
                   "entry 1: size is too large");
  }
  SECTION("git oid") {
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":"x","oid":12})")),
                   "entry 1: oid is not a string");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":"x","oid":"abc"})")),
                   "entry 1: oid is not 40 or 64 hex digits");
  }
  SECTION("lfs") {
    require_failed(coc::parse_paths_info(with_bad(lfs_prefix + "true}")), "entry 1: lfs is not an object");
    require_failed(coc::parse_paths_info(with_bad(lfs_prefix + R"({"size":1}})")), "entry 1: lfs has no oid");
    require_failed(coc::parse_paths_info(with_bad(lfs_prefix + R"({"oid":1,"size":1}})")),
                   "entry 1: lfs.oid is not a string");
    require_failed(coc::parse_paths_info(with_bad(lfs_prefix + R"({"oid":")" + kShaA.substr(1) + R"(","size":1}})")),
                   "expected 64 hex digits, got 63");
    require_failed(coc::parse_paths_info(with_bad(lfs_prefix + R"({"oid":"sha256:)" + kShaA.substr(7) + R"(","size":1}})")),
                   "non-hex character");
    require_failed(coc::parse_paths_info(with_bad(lfs_prefix + R"({"oid":")" + kShaA + R"("}})")),
                   "entry 1: lfs has no size");
    require_failed(coc::parse_paths_info(with_bad(lfs_prefix + R"({"oid":")" + kShaA + R"(","size":-5}})")),
                   "entry 1: lfs.size is negative");
    require_failed(coc::parse_paths_info(with_bad(lfs_prefix + R"({"oid":")" + kShaA + R"(","size":"5"}})")),
                   "entry 1: lfs.size is not an integer");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":"x","size":6,"lfs":{"oid":")" + kShaA +
                                                  R"(","size":5}})")),
                   "entry 1: size 6 differs from lfs.size 5");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"directory","path":"x","lfs":{"oid":")" + kShaA +
                                                  R"(","size":5}})")),
                   "entry 1: a directory cannot be in LFS");
  }
  SECTION("duplicates") {
    require_failed(coc::parse_paths_info(with_bad(lfs_entry("good.bin", kShaB, 10))),
                   "entry 1: duplicate path \"good.bin\"");
    require_failed(coc::parse_paths_info(with_bad(R"({"type":"file","path":"x","path":"good.bin"})")),
                   "repeats the key \"path\"");
  }
}

TEST_CASE("a hundred thousand entries parse", "[paths_info]") {
  std::string body = "[";
  for (int i = 0; i < 100000; ++i) {
    if (i > 0) body += ',';
    body += lfs_entry("shards/model-" + std::to_string(i) + ".safetensors", i % 2 ? kShaA : kShaB, i);
  }
  body += ']';
  const coc::PathsInfoParse parse = coc::parse_paths_info(body);
  REQUIRE(parse.ok);
  REQUIRE(parse.entries.size() == 100000);
  CHECK(parse.entries[99999].path == "shards/model-99999.safetensors");
  CHECK(parse.entries[99999].size == 99999);
  CHECK(parse.entries[99999].sha256 == kShaA);
}

TEST_CASE("a deeply nested response is refused when the limit is reached", "[paths_info]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  require_failed(coc::parse_paths_info(deep), "nests deeper than 64 levels");
  // Inside a field that is not read the nesting counts too.
  std::string objects = "[";
  for (int i = 0; i < 64; ++i) objects += "{\"a\":";
  objects += "1" + std::string(64, '}') + "]";
  require_failed(coc::parse_paths_info(objects), "nests deeper than 64 levels");
  // 64 levels is allowed through to the parser (and is then not an array of entries).
  const std::string at_limit = std::string(64, '[') + std::string(64, ']');
  require_failed(coc::parse_paths_info(at_limit), "entry 0: is a JSON array");
  // Brackets inside strings do not count.
  const auto in_path = coc::parse_paths_info(R"([{"type":"file","path":")" + std::string(100, '[') + R"(\"{"}])");
  REQUIRE(in_path.ok);
  CHECK(in_path.entries[0].path == std::string(100, '[') + "\"{");
}

TEST_CASE("a body of the wrong shape is refused at the first thing wrong, the rest unread", "[paths_info]") {
  // What follows the first entry is not even JSON: it is never reached.
  require_failed(coc::parse_paths_info("[0,0,0,0 this is never read"), "entry 0: is a JSON number, not an object");
  require_failed(coc::parse_paths_info("{\"error\": never read"), "is a JSON object, not an array");
  require_failed(coc::parse_paths_info("[" + lfs_entry("a.bin", kShaA, 1) + ",[1,2,3] never read"),
                 "entry 1: is a JSON array, not an object");
}

TEST_CASE("scan_paths_info hands over entries one at a time and keeps none itself", "[paths_info]") {
  std::string body = "[";
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) body += ',';
    body += lfs_entry("f" + std::to_string(i), kShaA, i);
  }
  body += "]";
  std::vector<std::string> kept;
  std::size_t seen = 0;
  const coc::PathsInfoScan scan = coc::scan_paths_info(body, [&](coc::PathInfo& entry) {
    ++seen;
    if (entry.size % 100 == 0) kept.push_back(entry.path);
    return std::string();
  });
  REQUIRE(scan.ok);
  CHECK(scan.entries == 1000);
  CHECK(seen == 1000);
  CHECK(kept.size() == 10);
  CHECK(kept.back() == "f900");
  // The keeper may refuse an entry: the answer fails there, naming it.
  const coc::PathsInfoScan refused = coc::scan_paths_info(body, [](coc::PathInfo& entry) {
    return entry.path == "f7" ? std::string("not wanted") : std::string();
  });
  CHECK_FALSE(refused.ok);
  CHECK(refused.entries == 8);
  CHECK(refused.reason == "paths-info entry 7: not wanted");
}

TEST_CASE("fields that are not read are skipped unbuilt, whatever they hold", "[paths_info]") {
  // A huge unknown field, and keys repeated inside it: neither matters to the entry.
  std::string junk = "[";
  for (int i = 0; i < 100000; ++i) junk += i > 0 ? ",0" : "0";
  junk += "]";
  const std::string body = R"([{"type":"file","path":"a.bin","junk":)" + junk +
                           R"(,"lastCommit":{"id":"x","id":"y"},"lfs":{"oid":")" + kShaA +
                           R"(","size":3,"extra":{"deep":[[[]]]}}}])";
  const coc::PathsInfoParse parse = coc::parse_paths_info(body);
  REQUIRE(parse.ok);
  CHECK(parse.entries[0].sha256 == kShaA);
  CHECK(parse.entries[0].size == 3);
}

TEST_CASE("a body over the limit is refused by its size alone", "[paths_info]") {
  const std::string huge(coc::kMaxBatchBodyBytes + 1, ' ');
  require_failed(coc::parse_paths_info(huge), "over the " + std::to_string(coc::kMaxBatchBodyBytes) + "-byte limit");
}
