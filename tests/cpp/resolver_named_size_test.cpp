// A hub file not in Git LFS has its hash from its bytes, so no recorded size bounds them; but the
// hub names its size (listing, paths-info, /raw/). Its body is read no further than one byte past
// that size (Transfer: TransferStep::body_limit), and bytes that ran past it are not the file: the
// answer may be older than the file, so it is asked for again once, then the bytes are refused.
#include <catch2/catch.hpp>

#include <string>

#include "resolver.h"

using coc::Content;
using coc::Resolver;
using coc::ResolverOptions;
using coc::Step;

namespace {

const std::string kHub = "https://hub.example";
const std::string kConfig = kHub + "/org/model/resolve/main/config.json";
const std::string kShard = kHub + "/org/model/resolve/main/shard_0.bin";
const std::string kSha(64, 'b');
const std::string kLfsSha(64, 'c');
const std::string kBlob = "ce013625030ba8dba906f756967f9e9ca394464a";  // "hello\n"

// An answer with config.json plain (its blob, `size` bytes) and shard_0.bin in LFS.
std::string answer(int size) {
  return R"([{"type":"file","path":"config.json","size":)" + std::to_string(size) + R"(,"oid":")" + kBlob +
         R"("},{"type":"file","path":"shard_0.bin","size":10,"oid":")" + std::string(40, '1') +
         R"(","lfs":{"oid":")" + kLfsSha + R"(","size":10}}])";
}

void answered(Resolver& resolver, int size) {
  auto requests = resolver.plan_batch({kConfig, kShard}, 0);
  REQUIRE(requests.size() == 1);
  REQUIRE(resolver.apply_batch(requests[0].group, 200, answer(size), "", "", 0).ok);
}

ResolverOptions paths_info_only() {
  ResolverOptions options;
  options.list_repos = false;
  return options;
}

// Bytes of config.json as the shim read them, cut one byte past `limit` when they ran on.
Content bytes(std::int64_t size, std::int64_t limit) {
  Content content;
  content.sha256 = kSha;
  content.size = size;
  content.git_blob = kBlob;
  content.size_limit = limit;
  return content;
}

}  // namespace

TEST_CASE("the size a listing, paths-info or /raw/ answer names for a plain file bounds its bytes", "[resolver][named-size]") {
  Resolver listed;
  answered(listed, 6);
  CHECK(listed.hub_named_size(kConfig) == 6);
  CHECK(listed.hub_named_size(kShard) == -1);  // an LFS file's size is recorded with its hash

  Resolver asked(paths_info_only());
  answered(asked, 6);
  CHECK(asked.hub_named_size(kConfig) == 6);

  // /raw/ serves a plain file itself; its headers gave the file's size (answered_file_size()).
  Resolver raw;
  raw.after_pointer(kConfig, 206, "hello\n", "", 0, false, "\"" + kBlob + "\"", 6);
  CHECK(raw.hub_named_size(kConfig) == 6);
  Resolver unsized;
  unsized.after_pointer(kConfig, 200, "hello\n", "", 0, false, "\"" + kBlob + "\"", -1);
  CHECK(unsized.hub_named_size(kConfig) == -1);
  // Not the hub's word on the file: an answer naming no blob (an error page served as 200, text
  // that is not a pointer), or text that reads as a broken pointer (an LFS file's, most likely).
  Resolver no_blob;
  no_blob.after_pointer(kShard, 200, "<html>502 Bad Gateway</html>", "", 0, false, "", 28);
  CHECK(no_blob.hub_named_size(kShard) == -1);
  Resolver broken;
  const std::string pointer_like = "version https://git-lfs.github.com/spec/v1\noid sha256:zz\n";
  CHECK(broken.after_pointer(kShard, 200, pointer_like, "", 0, false, "\"" + kBlob + "\"", 57).error_kind ==
        "pointer-invalid");
  CHECK(broken.hub_named_size(kShard) == -1);

  CHECK(listed.forget(kConfig));
  CHECK(listed.hub_named_size(kConfig) == -1);
}

TEST_CASE("bytes past the size the hub named: the answer is asked for again once, then they are refused",
          "[resolver][named-size][overrun]") {
  for (const bool listing : {true, false}) {
    INFO((listing ? "listing" : "paths-info"));
    Resolver resolver(listing ? ResolverOptions() : paths_info_only());
    const std::string source = listing ? "listing" : "paths-info answer";
    answered(resolver, 6);
    // A part cut off past the limit needs no blob id: its size refuses it.
    CHECK(resolver.git_blob_format(kConfig, bytes(7, 6), 0).empty());
    Step first = resolver.record_content(kConfig, bytes(7, 6), 0);
    CHECK(first.recheck);
    CHECK_FALSE(first.refused);
    CHECK_FALSE(first.found);
    CHECK(first.error_kind.empty());
    CHECK(first.error_message == "content of " + kConfig + " runs past the 6 bytes the " + source +
                                     " named for it; the " + source + " is forgotten and asked for again");
    CHECK(resolver.hub_named_size(kConfig) == -1);  // forgotten

    answered(resolver, 6);
    Step refused = resolver.record_content(kConfig, bytes(7, 6), 1);
    CHECK(refused.refused);
    CHECK_FALSE(refused.found);
    CHECK(refused.error_kind == "cos-hash-mismatch");
    CHECK(refused.error_message == "content of " + kConfig + " runs past the 6 bytes the " + source +
                                       " named for it: cut off at 7 bytes");
    CHECK(refused.persist_key.empty());
    CHECK(resolver.references(kSha) == 0);
  }
}

TEST_CASE("bytes within the size the hub named are the file, and a file that grew is taken once the hub says so",
          "[resolver][named-size]") {
  Resolver resolver;
  answered(resolver, 6);
  CHECK(resolver.record_content(kConfig, bytes(6, 6), 0).hit == "content");

  // The branch moved: the file is 9 bytes now, the listing read before says 6.
  Resolver moved;
  answered(moved, 6);
  CHECK(moved.record_content(kConfig, bytes(7, 6), 0).recheck);
  answered(moved, 9);
  CHECK(moved.hub_named_size(kConfig) == 9);
  Content grown = bytes(9, 9);
  grown.git_blob = kBlob;  // as the fresh listing names it
  CHECK(moved.record_content(kConfig, grown, 1).hit == "content");
  // Taken: a later overrun is asked for again too, not refused at once.
  moved.forget(kConfig);
  answered(moved, 9);
  CHECK(moved.record_content(kConfig, bytes(10, 9), 2).recheck);
}

TEST_CASE("a limit whose answer is gone meanwhile still refuses what ran past it, naming the hub's answer",
          "[resolver][named-size][overrun]") {
  Resolver resolver;
  answered(resolver, 6);
  resolver.forget(kConfig);  // another load's recheck forgot it while these bytes came in
  Step first = resolver.record_content(kConfig, bytes(7, 6), 0);
  CHECK(first.recheck);
  CHECK(first.error_message.find("runs past the 6 bytes the hub answer named for it") != std::string::npos);
  CHECK(resolver.record_content(kConfig, bytes(7, 6), 1).refused);
}
