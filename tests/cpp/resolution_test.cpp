#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "resolution.h"
#include "resolver.h"

using coc::Resolution;
using coc::Resolver;
using coc::ResolverOptions;
using coc::StepAction;

namespace {

const std::string kHub = "https://hub.example";
const std::string kShard = kHub + "/org/model/resolve/main/shard_0.bin";
const std::string kHash(64, 'a');

std::string pointer(const std::string& oid, int size) {
  return "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize " + std::to_string(size) + "\n";
}

std::string persisted_record(const std::string& value, double stored_at) {
  return R"({"algorithm":"SHA-256","value":")" + value + R"(","storedAt":)" + std::to_string(stored_at) + "}";
}

}  // namespace

TEST_CASE("a resolution keeps its own place: the URL and the legacy store are never handed back", "[resolution]") {
  ResolverOptions options;
  options.legacy_stores = {"tvmjs-cos-hash-meta"};
  options.list_repos = false;
  Resolver resolver(options);
  Resolution resolution(resolver, kShard, Resolver::Lookup::resolve, 1000);
  REQUIRE(resolution.next().action == StepAction::read_persisted);
  REQUIRE(resolution.persisted_read(false, "", 1000).action == StepAction::read_legacy);
  CHECK(resolution.next().store == "tvmjs-cos-hash-meta");
  REQUIRE(resolution.legacy_read(false, "", 1000).action == StepAction::fetch_batch);
  const coc::BatchPlan plan = resolver.take_batches(1000);
  REQUIRE(plan.requests.size() == 1);
  CHECK(plan.requests[0].tickets == std::vector<std::uint64_t>{resolution.ticket()});
  resolver.apply_batch(plan.requests[0].request.group, 404, "", "", "", 1000);  // no paths-info there
  REQUIRE(resolution.batch_answered(1000).action == StepAction::fetch_pointer);
  CHECK(resolution.next().pointer_url == kHub + "/org/model/raw/main/shard_0.bin");
  const coc::Step& done = resolution.pointer_fetched(200, pointer(kHash, 10), "", 1000, false);
  REQUIRE(done.action == StepAction::done);
  CHECK(done.found);
  CHECK(done.record.value == kHash);
  CHECK(done.hit == "pointer");
  // The resolver learned it: a new resolution answers from memory.
  Resolution again(resolver, kShard, Resolver::Lookup::resolve, 1001);
  CHECK(again.next().action == StepAction::done);
  CHECK(again.next().hit == "memory");
}

TEST_CASE("a local resolution reads memory and our persisted store only, whatever the record's age", "[resolution]") {
  Resolver resolver;
  Resolution local(resolver, kShard, Resolver::Lookup::local, 1000);
  REQUIRE(local.next().action == StepAction::read_persisted);
  // A record far older than maxAge still answers: it is what delete must remove.
  const coc::Step& step = local.persisted_read(true, persisted_record(kHash, 1), 1e12);
  CHECK(step.action == StepAction::done);
  CHECK(step.found);
  CHECK(step.record.value == kHash);

  Resolution missing(resolver, kHub + "/org/model/resolve/main/other.bin", Resolver::Lookup::local, 1000);
  const coc::Step& none = missing.persisted_read(false, "", 1000);
  CHECK(none.action == StepAction::done);  // no legacy store, batch or pointer in a local lookup
  CHECK_FALSE(none.found);
}

TEST_CASE("a resolution refuses results out of turn and restarts only while it waits on the snapshot", "[resolution]") {
  ResolverOptions options;
  options.snapshot = true;
  Resolver resolver(options);
  Resolution resolution(resolver, kShard, Resolver::Lookup::resolve, 1000);
  CHECK_THROWS_WITH(resolution.pointer_fetched(200, "", "", 1000, false), "resolution: pointer_fetched after read-snapshot");
  CHECK_THROWS_AS(resolution.batch_answered(1000), std::logic_error);
  CHECK(resolution.next().action == StepAction::read_snapshot);
  // The snapshot brought the record into memory meanwhile: beginning again answers from it.
  resolver.add_hint(kShard, kHash, 10);
  CHECK(resolution.snapshot_read(1000).action == StepAction::done);
  CHECK_THROWS_AS(resolution.snapshot_read(1000), std::logic_error);
}

TEST_CASE("the snapshot is read once, before the first per-URL entry, in both lookup modes", "[resolution][snapshot]") {
  ResolverOptions options;
  options.snapshot = true;
  Resolver resolver(options);
  Resolution first(resolver, kShard, Resolver::Lookup::resolve, 1000);
  Resolution local(resolver, kShard, Resolver::Lookup::local, 1000);
  CHECK(first.next().action == StepAction::read_snapshot);
  CHECK(local.next().action == StepAction::read_snapshot);
  // The snapshot held nothing usable: each reads its own entry next, and so does any later one.
  resolver.snapshot_unavailable();
  CHECK(first.snapshot_read(1000).action == StepAction::read_persisted);
  CHECK(local.snapshot_read(1000).action == StepAction::read_persisted);
  Resolution later(resolver, kShard, Resolver::Lookup::resolve, 1000);
  CHECK(later.next().action == StepAction::read_persisted);

  // A scope without a snapshot (tvmjs's own store) never asks for one.
  Resolver without;
  Resolution plain(without, kShard, Resolver::Lookup::resolve, 1000);
  CHECK(plain.next().action == StepAction::read_persisted);
}

TEST_CASE("a snapshot read for a merge counts as its load", "[resolution][snapshot]") {
  ResolverOptions options;
  options.snapshot = true;
  Resolver resolver(options);
  resolver.merge_snapshot("", false, 1000);
  Resolution resolution(resolver, kShard, Resolver::Lookup::resolve, 1000);
  CHECK(resolution.next().action == StepAction::read_persisted);
}
