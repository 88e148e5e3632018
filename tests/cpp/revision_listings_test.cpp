// RevisionListings on its own: which request a revision gets, what a listing says of a file and
// for how long, what is kept of listings, and which failures stop which requests.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "artifact_url.h"
#include "paths_info.h"
#include "revision_listings.h"

using coc::ArtifactUrl;
using coc::BatchKind;
using coc::Listed;
using coc::parse_artifact_url;
using coc::RevisionListings;

namespace {

const std::string kHub = "https://hub.example";
const std::string kCommit = "89abcdef0123456789abcdef0123456789abcdef";
const ArtifactUrl kShard = parse_artifact_url(kHub + "/org/model/resolve/main/shard_0.bin");
const ArtifactUrl kConfig = parse_artifact_url(kHub + "/org/model/resolve/main/config.json");
const ArtifactUrl kMissing = parse_artifact_url(kHub + "/org/model/resolve/main/missing.bin");
const ArtifactUrl kOtherRevision = parse_artifact_url(kHub + "/org/model/resolve/v2/shard_0.bin");
const ArtifactUrl kPinned = parse_artifact_url(kHub + "/org/model/resolve/" + kCommit + "/shard_0.bin");
const ArtifactUrl kDataset = parse_artifact_url(kHub + "/datasets/org/data/resolve/main/train.bin");
const std::string kHash(64, 'a');
const std::string kBlob(40, '2');
constexpr double kMaxAge = 1000;

// shard_0.bin in LFS, config.json plain.
const std::string kListing = R"([{"type":"file","path":"shard_0.bin","size":10,"oid":")" + std::string(40, '1') +
                             R"(","lfs":{"oid":")" + kHash + R"(","size":10,"pointerSize":130}},)" +
                             R"({"type":"file","path":"config.json","size":5,"oid":")" + kBlob + R"("}])";
const std::string kNextPage = R"(<https://hub.example/api/models/org/model/tree/main?cursor=x>; rel="next")";

}  // namespace

TEST_CASE("a model revision is listed whole, other repos and list_repos off ask paths-info", "[revision_listings]") {
  RevisionListings listings(kMaxAge, true);
  const auto requests = listings.plan({kShard, kConfig, kDataset});
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].kind == BatchKind::tree);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].keys.size() == 2);
  CHECK(requests[1].kind == BatchKind::paths_info);
  CHECK(requests[1].method == "POST");

  RevisionListings without(kMaxAge, false);
  CHECK(without.plan({kShard}).at(0).kind == BatchKind::paths_info);
}

TEST_CASE("a planned request is pending until it is taken, once", "[revision_listings]") {
  RevisionListings listings(kMaxAge, true);
  const auto requests = listings.plan({kShard});
  const std::string group = coc::batch_group(kShard);
  REQUIRE(requests.at(0).group == group);
  CHECK(listings.pending(group));
  CHECK_FALSE(listings.pending(coc::batch_group(kOtherRevision)));
  const auto taken = listings.take_pending(group);
  REQUIRE(taken.has_value());
  CHECK(taken->kind == BatchKind::tree);
  CHECK(taken->keys == requests[0].keys);
  CHECK_FALSE(listings.pending(group));
  CHECK_FALSE(listings.take_pending(group).has_value());
}

TEST_CASE("a complete listing says lfs, plain or absent for every file of its revision", "[revision_listings]") {
  RevisionListings listings(kMaxAge, true);
  const std::string group = coc::batch_group(kShard);
  REQUIRE(listings.read_listing(group, kListing, "", kCommit, 100).ok);
  CHECK(listings.size() == 1);

  const auto shard = listings.look_up(kShard, 200);
  REQUIRE(shard.listed == Listed::lfs);
  CHECK(shard.file->sha256 == kHash);
  CHECK(shard.file->size == 10);
  CHECK(shard.listing->commit == kCommit);
  CHECK(shard.listing->listed_at == 100);

  const auto config = listings.look_up(kConfig, 200);
  REQUIRE(config.listed == Listed::plain);
  CHECK(config.file->blob == kBlob);

  CHECK(listings.look_up(kMissing, 200).listed == Listed::absent);
  CHECK(listings.answers(kMissing, 200));
  CHECK(listings.look_up(kOtherRevision, 200).listed == Listed::unknown);
  CHECK_FALSE(listings.answers(kOtherRevision, 200));
}

TEST_CASE("a listing with a next page does not answer for files it lacks", "[revision_listings]") {
  RevisionListings listings(kMaxAge, true);
  REQUIRE(listings.read_listing(coc::batch_group(kShard), kListing, kNextPage, "", 100).ok);
  CHECK(listings.look_up(kShard, 200).listed == Listed::lfs);
  CHECK(listings.answers(kShard, 200));
  CHECK(listings.look_up(kMissing, 200).listed == Listed::unknown);
  CHECK_FALSE(listings.answers(kMissing, 200));
}

TEST_CASE("a branch's listing is dropped after max_age, a commit's is kept", "[revision_listings]") {
  RevisionListings listings(kMaxAge, true);
  REQUIRE(listings.read_listing(coc::batch_group(kShard), kListing, "", "", 100).ok);
  REQUIRE(listings.read_listing(coc::batch_group(kPinned), kListing, "", kCommit, 100).ok);
  CHECK(listings.answers(kShard, 100 + kMaxAge));
  CHECK_FALSE(listings.answers(kShard, 101 + kMaxAge));
  CHECK(listings.size() == 2);  // answers() only looks
  CHECK(listings.look_up(kShard, 101 + kMaxAge).listed == Listed::unknown);
  CHECK(listings.size() == 1);
  CHECK(listings.look_up(kPinned, 100 + 100 * kMaxAge).listed == Listed::lfs);
}

TEST_CASE("a listing that cannot be read keeps nothing", "[revision_listings]") {
  RevisionListings listings(kMaxAge, true);
  const std::string twice = R"([{"type":"file","path":"a","oid":")" + kBlob + R"(","size":1},)" +
                            R"({"type":"file","path":"a","oid":")" + kBlob + R"(","size":1}])";
  const auto scan = listings.read_listing(coc::batch_group(kShard), twice, "", "", 100);
  CHECK_FALSE(scan.ok);
  CHECK(scan.reason.find("duplicate path") != std::string::npos);
  CHECK(listings.size() == 0);
  CHECK_FALSE(listings.read_listing(coc::batch_group(kShard), "{}", "", "", 100).ok);
  CHECK(listings.size() == 0);
}

TEST_CASE("at most 16 listings are kept: the oldest make room", "[revision_listings]") {
  RevisionListings listings(-1, true);
  std::vector<ArtifactUrl> urls;
  for (int i = 0; i < 17; ++i) {
    urls.push_back(parse_artifact_url(kHub + "/org/model/resolve/r" + std::to_string(i) + "/shard_0.bin"));
    REQUIRE(listings.read_listing(coc::batch_group(urls.back()), kListing, "", "", 100.0 + i).ok);
  }
  CHECK(listings.size() == 16);
  CHECK_FALSE(listings.answers(urls[0], 200));
  CHECK(listings.answers(urls[1], 200));
  CHECK(listings.answers(urls[16], 200));
}

TEST_CASE("a forgotten listing answers no more", "[revision_listings]") {
  RevisionListings listings(kMaxAge, true);
  const std::string group = coc::batch_group(kShard);
  REQUIRE(listings.read_listing(group, kListing, "", "", 100).ok);
  CHECK(listings.forget(group));
  CHECK_FALSE(listings.forget(group));
  CHECK(listings.look_up(kShard, 100).listed == Listed::unknown);
}

TEST_CASE("a failed listing: its URLs retry with paths-info, its revision is not listed again", "[revision_listings]") {
  RevisionListings listings(kMaxAge, true);
  const auto request = listings.plan({kShard, kConfig}).at(0);
  listings.listing_failed(request, kShard.endpoint, 500);
  CHECK(listings.take_retry(kShard.storage_key));
  CHECK_FALSE(listings.take_retry(kShard.storage_key));
  CHECK(listings.take_retry(kConfig.storage_key));
  CHECK(listings.plan({kShard}).at(0).kind == BatchKind::paths_info);
  // A 500 says nothing of the endpoint: another revision is still listed.
  CHECK(listings.plan({kOtherRevision}).at(0).kind == BatchKind::tree);
}

TEST_CASE("an endpoint without a tree API (405, 501) is never listed again", "[revision_listings]") {
  for (int status : {405, 501}) {
    RevisionListings listings(kMaxAge, true);
    listings.listing_failed(listings.plan({kShard}).at(0), kShard.endpoint, status);
    CHECK(listings.plan({kOtherRevision}).at(0).kind == BatchKind::paths_info);
  }
}

TEST_CASE("failed paths-info stops its revision: an endpoint without it stops all", "[revision_listings]") {
  RevisionListings listings(kMaxAge, true);
  CHECK(listings.batch_allowed(kShard));
  listings.paths_info_failed(coc::batch_group(kShard));
  CHECK_FALSE(listings.batch_allowed(kShard));
  CHECK(listings.batch_allowed(kOtherRevision));
  listings.paths_info_unavailable(kShard.endpoint);
  CHECK_FALSE(listings.batch_allowed(kOtherRevision));
  CHECK(listings.batch_allowed(parse_artifact_url("https://mirror.example/org/model/resolve/main/shard_0.bin")));
}
