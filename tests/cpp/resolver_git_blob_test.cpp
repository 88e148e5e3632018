// A hub file not in Git LFS has no SHA-256 before its bytes arrive, but the hub names its git blob
// id (listing, paths-info, the download's ETag). Bytes whose hash is learned from their content are
// refused unless they are that blob: a tampered body, or a put() of other bytes, never becomes
// the URL's record.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "git_blob.h"
#include "resolver.h"

using coc::Content;
using coc::Resolver;
using coc::Step;
using coc::StepAction;

namespace {

const std::string kHub = "https://hub.example";
const std::string kConfig = kHub + "/org/model/resolve/main/config.json";
const std::string kCommit = "89abcdef0123456789abcdef0123456789abcdef";
const std::string kOtherCommit = "0123456789abcdef0123456789abcdef01234567";
const std::string kSha(64, 'b');  // the SHA-256 the shim computed (its value does not matter here)
const std::string kBlob = "ce013625030ba8dba906f756967f9e9ca394464a";       // "hello\n"
const std::string kOtherBlob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";  // ""

// Lists the revision with config.json plain, at blob.
void list_config(Resolver& resolver, const std::string& blob, const std::string& commit = kCommit) {
  auto requests = resolver.plan_batch({kConfig}, 0);
  REQUIRE(requests.size() == 1);
  const std::string listing = R"([{"type":"file","path":"config.json","size":6,"oid":")" + blob + R"("}])";
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing, commit, "", 0).ok);
  REQUIRE_FALSE(resolver.after_batch(kConfig, 0).found);  // plain: the content tells
}

Content bytes(const std::string& git_blob, const std::string& etag = "", const std::string& commit = kCommit) {
  Content content;
  content.sha256 = kSha;
  content.size = 6;
  content.etag = etag;
  content.repo_commit = commit;
  content.git_blob = git_blob;
  return content;
}

}  // namespace

TEST_CASE("bytes of a listed plain file must be the blob the listing names", "[resolver][git-blob]") {
  Resolver resolver;
  list_config(resolver, kBlob);
  CHECK(resolver.git_blob_format(kConfig, bytes(""), 0) == "sha1");

  Step wrong = resolver.record_content(kConfig, bytes(kOtherBlob), 0);
  CHECK(wrong.refused);
  CHECK_FALSE(wrong.found);
  CHECK(wrong.error_kind == "cos-hash-mismatch");
  CHECK(wrong.error_message == "content of " + kConfig + " has git blob id " + kOtherBlob + ", expected " + kBlob + " (the listing)");
  CHECK(wrong.persist_key.empty());
  CHECK_FALSE(resolver.begin(kConfig, 1).found);  // nothing learned from them

  Step right = resolver.record_content(kConfig, bytes(kBlob), 2);
  CHECK_FALSE(right.refused);
  CHECK(right.hit == "content");
  CHECK(right.record.value == kSha);
  CHECK(right.record.blob == kBlob);  // the verified id revalidates it later
  CHECK(right.persist_key == kConfig);
}

TEST_CASE("bytes a hub names by blob id are never judged without that id", "[resolver][git-blob]") {
  Resolver resolver;
  list_config(resolver, kBlob);
  CHECK_THROWS_WITH(resolver.record_content(kConfig, bytes(""), 0),
                    Catch::Contains("its git blob id is needed (the listing names " + kBlob + ")"));
  CHECK_FALSE(resolver.begin(kConfig, 1).found);
}

TEST_CASE("the ETag of a plain file's download names its blob, even with no listing", "[resolver][git-blob]") {
  Resolver resolver;
  // /raw/ gave the file itself: plain, and no listing was read.
  resolver.after_pointer(kConfig, 200, "hello\n", kCommit, 0);
  CHECK(resolver.git_blob_format(kConfig, bytes("", "W/\"" + kBlob + "\""), 0) == "sha1");
  Step tampered = resolver.record_content(kConfig, bytes(kOtherBlob, "\"" + kBlob + "\""), 0);
  CHECK(tampered.refused);
  CHECK(tampered.error_message == "content of " + kConfig + " has git blob id " + kOtherBlob + ", expected " + kBlob + " (the ETag)");
  CHECK(resolver.record_content(kConfig, bytes(kBlob, "\"" + kBlob + "\""), 0).hit == "content");
}

TEST_CASE("a listing and the ETag must both be met; an ETag in the sha256 format asks for that", "[resolver][git-blob]") {
  Resolver resolver;
  list_config(resolver, kBlob);
  const Step contradicted = resolver.record_content(kConfig, bytes(kBlob, "\"" + kOtherBlob + "\""), 0);
  CHECK(contradicted.refused);
  CHECK_THROWS_AS(resolver.record_content(kConfig, bytes("", "\"" + kBlob + "\""), 0), std::invalid_argument);

  Resolver sha256_repo;
  const std::string blob256 = "2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4";
  list_config(sha256_repo, blob256);
  CHECK(sha256_repo.git_blob_format(kConfig, bytes(""), 0) == "sha256");
  CHECK(sha256_repo.record_content(kConfig, bytes(blob256), 0).hit == "content");
}

TEST_CASE("no blob is checked where the hub named none for these bytes", "[resolver][git-blob]") {
  SECTION("a listing of another commit than the response's: the file may have changed since") {
    Resolver resolver;
    list_config(resolver, kBlob, kOtherCommit);
    CHECK(resolver.git_blob_format(kConfig, bytes("", "\"" + kBlob + "\""), 0).empty());
    CHECK(resolver.record_content(kConfig, bytes(""), 0).hit == "content");
  }
  SECTION("a file not known to be plain: an LFS file's CDN may send any ETag") {
    Resolver resolver;
    CHECK(resolver.git_blob_format(kConfig, bytes("", "\"" + kBlob + "\""), 0).empty());
    CHECK(resolver.record_content(kConfig, bytes("", "\"" + kBlob + "\""), 0).hit == "content");
  }
  SECTION("a URL off the hub") {
    Resolver resolver;
    const std::string other = "https://cdn.example/files/config.json";
    CHECK(resolver.git_blob_format(other, bytes("", "\"" + kBlob + "\""), 0).empty());
    CHECK(resolver.record_content(other, bytes("", "\"" + kBlob + "\""), 0).hit == "content");
  }
  SECTION("bytes a SHA-256 judges: the download's expected hash") {
    Resolver resolver;
    list_config(resolver, kBlob);
    Content judged = bytes("");
    judged.expected = kSha;
    CHECK(resolver.git_blob_format(kConfig, judged, 0).empty());
    CHECK_FALSE(resolver.record_content(kConfig, judged, 0).refused);
  }
  SECTION("an ETag that is the bytes' SHA-256 (an LFS file's) or not a blob id") {
    Resolver resolver;
    resolver.after_pointer(kConfig, 200, "hello\n", kCommit, 0);
    CHECK(resolver.git_blob_format(kConfig, bytes("", "\"" + kSha + "\""), 0).empty());
    CHECK(resolver.git_blob_format(kConfig, bytes("", "\"d41d8cd98f00b204e9800998ecf8427e\""), 0).empty());
  }
}

TEST_CASE("forgetting a URL forgets the blob its listing named", "[resolver][git-blob]") {
  Resolver resolver;
  list_config(resolver, kBlob);
  CHECK(resolver.forget(kConfig));
  CHECK(resolver.git_blob_format(kConfig, bytes(""), 0).empty());
}
