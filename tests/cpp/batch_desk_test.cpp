// Which resolutions share a batch request: decided by the core (the Resolver's desk), with the
// shim only sending what take_batches() names.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "resolution.h"
#include "resolver.h"

using coc::BatchPlan;
using coc::Resolution;
using coc::Resolver;
using coc::ResolverOptions;
using coc::StepAction;

namespace {

const std::string kHub = "https://hub.example";
const std::string kShard = kHub + "/org/model/resolve/main/shard_0.bin";
const std::string kConfig = kHub + "/org/model/resolve/main/config.json";
const std::string kNested = kHub + "/org/model/resolve/main/onnx/model.onnx";
const std::string kElsewhere = kHub + "/org/other/resolve/main/shard_0.bin";
const std::string kHash(64, 'a');
const std::string kHash2(64, 'b');

// shard_0.bin and onnx/model.onnx in LFS, config.json plain.
std::string tree_listing() {
  return R"([{"type":"file","path":"shard_0.bin","size":10,"oid":")" + std::string(40, '1') +
         R"(","lfs":{"oid":")" + kHash + R"(","size":10,"pointerSize":130}},)" +
         R"({"type":"file","path":"config.json","size":5,"oid":")" + std::string(40, '2') + R"("},)" +
         R"({"type":"file","path":"onnx/model.onnx","size":20,"oid":")" + std::string(40, '4') +
         R"(","lfs":{"oid":")" + kHash2 + R"(","size":20,"pointerSize":130}}])";
}

std::string paths_info_for_shard() {
  return R"([{"type":"file","path":"shard_0.bin","size":10,"oid":")" + std::string(40, '1') +
         R"(","lfs":{"oid":")" + kHash + R"(","size":10,"pointerSize":130}}])";
}

ResolverOptions options(bool persist, bool list_repos = true) {
  ResolverOptions result;
  result.persist = persist;
  result.list_repos = list_repos;
  return result;
}

std::unique_ptr<Resolution> resolve(Resolver& resolver, const std::string& url, std::uint32_t cohort = 0,
                                    const std::string& partition = "") {
  return std::make_unique<Resolution>(resolver, url, Resolver::Lookup::resolve, 0, cohort, partition);
}

}  // namespace

TEST_CASE("resolutions started together share one request, sent once each has arrived or ended", "[batch-desk]") {
  Resolver resolver(options(true));
  const std::uint32_t cohort = resolver.open_cohort();
  auto shard = resolve(resolver, kShard, cohort);
  auto config = resolve(resolver, kConfig, cohort);
  auto other = resolve(resolver, kElsewhere, cohort);
  resolver.close_cohort(cohort);
  REQUIRE(shard->next().action == StepAction::read_persisted);

  REQUIRE(shard->persisted_read(false, "", 0).action == StepAction::fetch_batch);
  CHECK(resolver.take_batches(0).requests.empty());  // two members are still reading their stores
  REQUIRE(config->persisted_read(false, "", 0).action == StepAction::fetch_batch);
  CHECK(resolver.take_batches(0).requests.empty());
  other.reset();  // ended without a batch (aborted, say): it holds nobody back

  BatchPlan plan = resolver.take_batches(0);
  REQUIRE(plan.requests.size() == 1);
  CHECK(plan.requests[0].request.kind == coc::BatchKind::tree);
  CHECK(plan.requests[0].tickets == std::vector<std::uint64_t>{shard->ticket(), config->ticket()});
  CHECK(plan.released.empty());
  CHECK(resolver.take_batches(0).requests.empty());  // named once

  CHECK(resolver.apply_batch(plan.requests[0].request.group, 200, tree_listing(), "", "", 0).ok);
  const coc::Step& shard_done = shard->batch_answered(0);
  CHECK(shard_done.action == StepAction::done);
  CHECK(shard_done.record.value == kHash);
  CHECK(config->batch_answered(0).action == StepAction::done);
}

TEST_CASE("without a cohort a resolution goes at the next take: a withdrawn one leaves no ticket", "[batch-desk]") {
  Resolver resolver(options(false));
  auto shard = resolve(resolver, kShard);
  REQUIRE(shard->next().action == StepAction::fetch_batch);
  shard.reset();
  BatchPlan plan = resolver.take_batches(0);
  CHECK(plan.requests.empty());
  CHECK(plan.released.empty());

  auto again = resolve(resolver, kShard);
  plan = resolver.take_batches(0);
  REQUIRE(plan.requests.size() == 1);
  CHECK(plan.requests[0].tickets == std::vector<std::uint64_t>{again->ticket()});
}

TEST_CASE("a request on its way holds later arrivals of its revision: its listing then answers them", "[batch-desk]") {
  Resolver resolver(options(false));
  auto shard = resolve(resolver, kShard);
  BatchPlan first = resolver.take_batches(0);
  REQUIRE(first.requests.size() == 1);

  auto nested = resolve(resolver, kNested);
  auto elsewhere = resolve(resolver, kElsewhere);
  BatchPlan meanwhile = resolver.take_batches(0);
  REQUIRE(meanwhile.requests.size() == 1);  // another revision goes; this one waits
  CHECK(meanwhile.requests[0].tickets == std::vector<std::uint64_t>{elsewhere->ticket()});
  CHECK_THROWS_AS(nested->batch_answered(0), std::logic_error);  // not let go yet

  resolver.apply_batch(first.requests[0].request.group, 200, tree_listing(), "", "", 0);
  BatchPlan after = resolver.take_batches(0);
  CHECK(after.requests.empty());  // the listing answers for the whole revision
  CHECK(after.released == std::vector<std::uint64_t>{nested->ticket()});
  const coc::Step& done = nested->batch_answered(0);
  CHECK(done.action == StepAction::done);
  CHECK(done.record.value == kHash2);
}

TEST_CASE("paths-info: a later request asks only for what the one before did not", "[batch-desk]") {
  Resolver resolver(options(false, false));
  auto shard = resolve(resolver, kShard);
  BatchPlan first = resolver.take_batches(0);
  REQUIRE(first.requests.size() == 1);
  CHECK(first.requests[0].request.paths == std::vector<std::string>{"shard_0.bin"});
  auto nested = resolve(resolver, kNested);
  auto again = resolve(resolver, kShard);
  CHECK(resolver.take_batches(0).requests.empty());

  resolver.apply_batch(first.requests[0].request.group, 200, paths_info_for_shard(), "", "", 0);
  BatchPlan second = resolver.take_batches(0);
  REQUIRE(second.requests.size() == 1);
  CHECK(second.requests[0].request.paths == std::vector<std::string>{"onnx/model.onnx"});
  CHECK(second.requests[0].tickets == std::vector<std::uint64_t>{nested->ticket()});
  CHECK(second.released == std::vector<std::uint64_t>{again->ticket()});  // answered by the first
}

TEST_CASE("requests carry one partition's credentials: others wait for their own", "[batch-desk]") {
  Resolver resolver(options(false, false));
  auto open = resolve(resolver, kShard, 0, "");
  auto with_token = resolve(resolver, kNested, 0, "token-a");
  BatchPlan first = resolver.take_batches(0);
  REQUIRE(first.requests.size() == 1);
  CHECK(first.requests[0].partition.empty());
  CHECK(first.requests[0].tickets == std::vector<std::uint64_t>{open->ticket()});

  resolver.apply_batch(first.requests[0].request.group, 200, paths_info_for_shard(), "", "", 0);
  BatchPlan second = resolver.take_batches(0);
  REQUIRE(second.requests.size() == 1);
  CHECK(second.requests[0].partition == "token-a");
  CHECK(second.requests[0].tickets == std::vector<std::uint64_t>{with_token->ticket()});
}

TEST_CASE("a URL refused at creation is no member of its cohort", "[batch-desk]") {
  Resolver resolver(options(false));
  const std::uint32_t cohort = resolver.open_cohort();
  auto shard = resolve(resolver, kShard, cohort);
  CHECK_THROWS_AS(resolve(resolver, "not a url", cohort), std::invalid_argument);
  CHECK(resolver.take_batches(0).requests.empty());  // still open: more may join
  resolver.close_cohort(cohort);
  BatchPlan plan = resolver.take_batches(0);
  REQUIRE(plan.requests.size() == 1);
  CHECK(plan.requests[0].tickets == std::vector<std::uint64_t>{shard->ticket()});
}

TEST_CASE("a member that goes to its LFS pointer holds its cohort back no longer", "[batch-desk]") {
  Resolver resolver(options(false, false));
  // A mirror without paths-info: its files go to their pointers.
  const std::string mirror_file = "https://mirror.example/org/model/resolve/main/b.bin";
  auto probe = resolve(resolver, mirror_file);
  BatchPlan first = resolver.take_batches(0);
  REQUIRE(first.requests.size() == 1);
  resolver.apply_batch(first.requests[0].request.group, 404, "", "", "", 0);
  REQUIRE(probe->batch_answered(0).action == StepAction::fetch_pointer);

  const std::uint32_t cohort = resolver.open_cohort();
  auto pointer_only = resolve(resolver, "https://mirror.example/org/model/resolve/main/c.bin", cohort);
  auto shard = resolve(resolver, kShard, cohort);
  resolver.close_cohort(cohort);
  REQUIRE(pointer_only->next().action == StepAction::fetch_pointer);  // still fetching it: not ended
  REQUIRE(shard->next().action == StepAction::fetch_batch);
  BatchPlan plan = resolver.take_batches(0);
  REQUIRE(plan.requests.size() == 1);
  CHECK(plan.requests[0].tickets == std::vector<std::uint64_t>{shard->ticket()});
}
