// A hub file not in Git LFS has no SHA-256 before its bytes arrive, but the hub names its git blob
// id (listing, paths-info, /raw/, the download's ETag). Bytes whose hash is learned from their
// content are refused unless they are that blob: a tampered body, or a put() of other bytes, never
// becomes the URL's record. A listing or /raw/ answer may be older than the bytes: it is forgotten
// and asked for again once before bytes that contradict it are refused.
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

// Bytes as the shim describes them: their computed blob id, and the response's ETag and commit.
Content bytes(const std::string& git_blob, const std::string& etag = "", const std::string& commit = kCommit) {
  Content content;
  content.sha256 = kSha;
  content.size = 6;
  content.etag = etag;
  content.repo_commit = commit;
  content.git_blob = git_blob;
  return content;
}

// The hub's listing again, as the load that runs once more asks for it.
void relist_config(Resolver& resolver, const std::string& blob) {
  CHECK(resolver.git_blob_format(kConfig, bytes(""), 0).empty());  // the old answer is forgotten
  list_config(resolver, blob);
}

bool asked_again(const Step& step) { return step.recheck && !step.refused && step.error_kind.empty(); }

}  // namespace

TEST_CASE("bytes of a listed plain file must be the blob the listing names, asked for again once", "[resolver][git-blob]") {
  Resolver resolver;
  list_config(resolver, kBlob);
  CHECK(resolver.git_blob_format(kConfig, bytes(""), 0) == "sha1");

  // The listing may be older than the bytes: it is forgotten and the load runs again.
  Step first = resolver.record_content(kConfig, bytes(kOtherBlob), 0);
  CHECK(asked_again(first));
  CHECK(first.error_message == "content of " + kConfig + " is not the blob " + kBlob +
                                   " the listing named; the listing is forgotten and asked for again");
  CHECK(resolver.git_blob_format(kConfig, bytes(""), 0).empty());  // forgotten

  // The hub names the same blob again: the bytes are refused, and nothing is learned from them.
  relist_config(resolver, kBlob);
  Step wrong = resolver.record_content(kConfig, bytes(kOtherBlob), 2);
  CHECK(wrong.refused);
  CHECK_FALSE(wrong.found);
  CHECK(wrong.error_kind == "cos-hash-mismatch");
  CHECK(wrong.error_message == "content of " + kConfig + " has git blob id " + kOtherBlob + ", expected " + kBlob + " (the listing)");
  CHECK(wrong.persist_key.empty());
  CHECK_FALSE(resolver.begin(kConfig, 3).found);

  Step right = resolver.record_content(kConfig, bytes(kBlob), 4);
  CHECK_FALSE(right.refused);
  CHECK(right.hit == "content");
  CHECK(right.record.value == kSha);
  CHECK(right.record.blob == kBlob);  // computed from the bytes: it revalidates them later
  CHECK(right.persist_key == kConfig);
}

TEST_CASE("a listing the file changed since is asked for again, and the file's new bytes are taken", "[resolver][git-blob]") {
  Resolver resolver;
  list_config(resolver, kBlob);  // of a commit the response does not say (no X-Repo-Commit)
  Content changed = bytes(kOtherBlob, "", "");
  CHECK(asked_again(resolver.record_content(kConfig, changed, 0)));
  relist_config(resolver, kOtherBlob);
  CHECK(resolver.record_content(kConfig, changed, 1).hit == "content");
  // Taken: a later contradiction is asked for again too, not refused at once.
  resolver.forget(kConfig);
  list_config(resolver, kBlob);
  CHECK(asked_again(resolver.record_content(kConfig, changed, 2)));
}

TEST_CASE("a blob id the ETag names is needed: one a listing names but the shim did not compute asks again", "[resolver][git-blob]") {
  Resolver resolver;
  list_config(resolver, kBlob);
  // A listing that came in after the shim asked which id to compute: the load runs once more.
  CHECK(asked_again(resolver.record_content(kConfig, bytes(""), 0)));
  relist_config(resolver, kBlob);
  CHECK_THROWS_WITH(resolver.record_content(kConfig, bytes(""), 1),
                    Catch::Contains("its git blob id is needed (the listing names " + kBlob + ")"));
  Resolver etag_only;
  CHECK_THROWS_WITH(etag_only.record_content(kConfig, bytes("", "\"" + kBlob + "\""), 0),
                    Catch::Contains("its git blob id is needed (the ETag names " + kBlob + ")"));
  CHECK_FALSE(etag_only.begin(kConfig, 1).found);
}

TEST_CASE("the ETag of a hub download names its blob, with no listing and before anything said it is plain", "[resolver][git-blob]") {
  Resolver resolver;
  CHECK(resolver.git_blob_format(kConfig, bytes("", "W/\"" + kBlob + "\""), 0) == "sha1");
  // The response contradicts itself: refused at once, never asked for again.
  Step tampered = resolver.record_content(kConfig, bytes(kOtherBlob, "\"" + kBlob + "\""), 0);
  CHECK(tampered.refused);
  CHECK(tampered.error_message == "content of " + kConfig + " has git blob id " + kOtherBlob + ", expected " + kBlob + " (the ETag)");
  Step right = resolver.record_content(kConfig, bytes(kBlob, "\"" + kBlob + "\""), 0);
  CHECK(right.hit == "content");
  CHECK(right.record.blob == kBlob);
}

TEST_CASE("a /raw/ answer that is the file names its blob by its ETag", "[resolver][git-blob]") {
  Resolver resolver;
  resolver.after_pointer(kConfig, 200, "hello\n", kCommit, 0, false, "\"" + kBlob + "\"");
  CHECK(resolver.git_blob_format(kConfig, bytes(""), 0) == "sha1");  // a put() of a Response with no ETag
  Step first = resolver.record_content(kConfig, bytes(kOtherBlob), 0);
  CHECK(asked_again(first));
  CHECK(first.error_message.find("the /raw/ answer named") != std::string::npos);
  resolver.after_pointer(kConfig, 200, "hello\n", kCommit, 1, false, "\"" + kBlob + "\"");
  CHECK(resolver.record_content(kConfig, bytes(kOtherBlob), 1).error_message ==
        "content of " + kConfig + " has git blob id " + kOtherBlob + ", expected " + kBlob + " (the /raw/ answer)");
  CHECK(resolver.record_content(kConfig, bytes(kBlob), 2).hit == "content");
}

TEST_CASE("a listing and the ETag must both be met: an id in the sha256 format asks for that", "[resolver][git-blob]") {
  Resolver resolver;
  list_config(resolver, kBlob);
  CHECK(resolver.record_content(kConfig, bytes(kBlob, "\"" + kOtherBlob + "\""), 0).refused);

  Resolver sha256_repo;
  const std::string blob256 = "2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4";
  list_config(sha256_repo, blob256);
  CHECK(sha256_repo.git_blob_format(kConfig, bytes(""), 0) == "sha256");
  CHECK(sha256_repo.record_content(kConfig, bytes(blob256), 0).hit == "content");
}

TEST_CASE("a caller's own X-Repo-Commit does not set the listing aside", "[resolver][git-blob]") {
  Resolver resolver;
  list_config(resolver, kBlob);
  Content forged = bytes("", "", kOtherCommit);
  CHECK(resolver.git_blob_format(kConfig, forged, 0).empty());  // a hub response of another commit
  forged.from_caller = true;
  CHECK(resolver.git_blob_format(kConfig, forged, 0) == "sha1");
  forged.git_blob = kOtherBlob;
  CHECK(asked_again(resolver.record_content(kConfig, forged, 0)));
}

TEST_CASE("no blob is checked where the hub named none for these bytes", "[resolver][git-blob]") {
  SECTION("a listing of another commit than the response's, and no ETag: the file may have changed since") {
    Resolver resolver;
    list_config(resolver, kBlob, kOtherCommit);
    CHECK(resolver.git_blob_format(kConfig, bytes(""), 0).empty());
    CHECK(resolver.record_content(kConfig, bytes(""), 0).hit == "content");
  }
  SECTION("...but the response's own ETag still names its blob") {
    Resolver resolver;
    list_config(resolver, kBlob, kOtherCommit);
    CHECK(resolver.git_blob_format(kConfig, bytes("", "\"" + kOtherBlob + "\""), 0) == "sha1");
    CHECK(resolver.record_content(kConfig, bytes(kBlob, "\"" + kOtherBlob + "\""), 0).refused);
  }
  SECTION("a response a redirect brought from another origin (an LFS file's CDN): its ETag is the CDN's") {
    Resolver resolver;
    Content cdn = bytes("", "\"" + kBlob + "\"");
    cdn.response_url = "https://cdn.example/org/model/config.json?X-Amz-Signature=s";
    CHECK(resolver.git_blob_format(kConfig, cdn, 0).empty());
    Step learned = resolver.record_content(kConfig, cdn, 0);
    CHECK(learned.hit == "content");
    CHECK(learned.record.blob.empty());  // never an id not computed from the bytes
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
  SECTION("an ETag that is the bytes' SHA-256 (an LFS file's) or no blob id at all (an MD5)") {
    Resolver resolver;
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
