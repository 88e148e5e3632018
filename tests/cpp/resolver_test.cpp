#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "hash_record.h"
#include "record_snapshot.h"
#include "resolver.h"

using coc::Resolver;
using coc::ResolverOptions;
using coc::Step;
using coc::StepAction;

namespace {

const std::string kHub = "https://hub.example";
const std::string kShard = kHub + "/org/model/resolve/main/shard_0.bin";
const std::string kShardAtCommit =
    kHub + "/org/model/resolve/0123456789abcdef0123456789abcdef01234567/shard_0.bin";
const std::string kConfig = kHub + "/org/model/resolve/main/config.json";
const std::string kOther = "https://cdn.example/lib/model.wasm";
const std::string kHash(64, 'a');
const std::string kHash2(64, 'b');
const std::string kCommit = "89abcdef0123456789abcdef0123456789abcdef";

std::string pointer(const std::string& oid, int size) {
  return "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize " +
         std::to_string(size) + "\n";
}

std::string paths_info(const std::string& lfs_path, const std::string& oid, const std::string& plain_path) {
  return R"([{"type":"file","path":")" + lfs_path + R"(","size":10,"oid":")" + std::string(40, '1') +
         R"(","lfs":{"oid":")" + oid + R"(","size":10,"pointerSize":130}},)" +
         R"({"type":"file","path":")" + plain_path + R"(","size":5,"oid":")" + std::string(40, '2') + R"("}])";
}

// Every record the resolver would write over a store with no snapshot yet.
std::string snapshot_of(Resolver& resolver) { return resolver.merge_snapshot("", false, 1000).body; }

// A resolver that asks paths-info for the paths at hand, as for datasets and spaces.
ResolverOptions paths_info_only() {
  ResolverOptions options;
  options.list_repos = false;
  return options;
}

const std::string kNested = kHub + "/org/model/resolve/main/onnx/model.onnx";
const std::string kAbsent = kHub + "/org/model/resolve/main/missing.bin";

// A tree listing: shard_0.bin in LFS, config.json plain, onnx/model.onnx in LFS, a directory.
std::string tree_listing() {
  return R"([{"type":"file","path":"shard_0.bin","size":10,"oid":")" + std::string(40, '1') +
         R"(","lfs":{"oid":")" + kHash + R"(","size":10,"pointerSize":130}},)" +
         R"({"type":"file","path":"config.json","size":5,"oid":")" + std::string(40, '2') + R"("},)" +
         R"({"type":"directory","path":"onnx","size":0,"oid":")" + std::string(40, '3') + R"("},)" +
         R"({"type":"file","path":"onnx/model.onnx","size":20,"oid":")" + std::string(40, '4') +
         R"(","lfs":{"oid":")" + kHash2 + R"(","size":20,"pointerSize":130}}])";
}

}  // namespace

TEST_CASE("a cold hub URL goes memory → persisted → legacy → batch → pointer", "[resolver]") {
  ResolverOptions options;
  options.legacy_stores = {"tvmjs-cos-hash-meta"};
  Resolver resolver(options);
  Step step = resolver.begin(kShard, 1000);
  REQUIRE(step.action == StepAction::read_persisted);
  CHECK(step.key == kShard);
  step = resolver.after_persisted(kShard, false, "", 1000);
  REQUIRE(step.action == StepAction::read_legacy);
  CHECK(step.store == "tvmjs-cos-hash-meta");
  step = resolver.after_legacy(kShard, step.store, false, "", 1000);
  REQUIRE(step.action == StepAction::fetch_batch);
  CHECK(step.group == "19:https://hub.example|5:model|9:org/model|4:main");
  // The batch did not run (e.g. not sent): the pointer is next.
  step = resolver.after_batch(kShard, 1000);
  REQUIRE(step.action == StepAction::fetch_pointer);
  CHECK(step.pointer_url == kHub + "/org/model/raw/main/shard_0.bin");
  step = resolver.after_pointer(kShard, 200, pointer(std::string(64, 'A'), 10), kCommit, 1000);
  REQUIRE(step.action == StepAction::done);
  REQUIRE(step.found);
  CHECK(step.hit == "pointer");
  CHECK(step.record.value == kHash);  // lowercased
  CHECK(step.record.commit == kCommit);
  CHECK(step.persist_key == kShard);
  CHECK(coc::decode_record(step.persist_body).record.value == kHash);
  // Known now: memory answers.
  step = resolver.begin(kShard, 2000);
  CHECK(step.action == StepAction::done);
  CHECK(step.hit == "memory");
}

TEST_CASE("a non-hub URL has no network step: its hash comes from the content", "[resolver]") {
  Resolver resolver;
  Step step = resolver.after_persisted(kOther, false, "", 0);
  CHECK(step.action == StepAction::done);
  CHECK_FALSE(step.found);
  step = resolver.record_content(kOther, std::string(64, 'C'), 42, 5);
  CHECK(step.found);
  CHECK(step.hit == "content");
  CHECK(step.record.value == std::string(64, 'c'));
  CHECK(step.record.size == 42);
  CHECK_FALSE(step.persist_body.empty());
  // The same bytes again confirm it. For another host the bytes are the authority: other bytes
  // (a changed file, a put() of new bytes) replace the record learned from earlier ones.
  CHECK(resolver.record_content(kOther, std::string(64, 'c'), 42, 6).hit == "verified");
  Step replaced = resolver.record_content(kOther, kHash, 43, 7);
  CHECK(replaced.error_kind.empty());
  CHECK(replaced.hit == "content");
  CHECK_FALSE(replaced.persist_key.empty());
  CHECK(resolver.begin(kOther, 8).record.value == kHash);
}

TEST_CASE("another host's bytes that refute the hash their download started with: asked for again, once", "[resolver]") {
  Resolver resolver;
  resolver.record_content(kOther, std::string(64, 'c'), 42, 5);
  // The download started with the record's hash; the server's file changed since.
  coc::Content content;
  content.sha256 = kHash;
  content.size = 42;
  content.expected = std::string(64, 'c');
  Step refuted = resolver.record_content(kOther, content, 6);
  CHECK(refuted.recheck);
  CHECK_FALSE(refuted.refused);
  CHECK_FALSE(resolver.begin(kOther, 7).found);  // forgotten
  // The load runs again: the new bytes are learned.
  CHECK(resolver.record_content(kOther, kHash, 42, 8).hit == "content");
  CHECK(resolver.begin(kOther, 9).record.value == kHash);
}

TEST_CASE("a hint judges another host's bytes, and a put() of them", "[resolver]") {
  Resolver resolver;
  resolver.add_hint(kOther, kHash, -1);
  CHECK(resolver.record_judges(kOther, kHash));
  Step mismatch = resolver.record_content(kOther, std::string(64, 'c'), 42, 5);
  CHECK(mismatch.refused);
  CHECK(mismatch.error_kind == "cos-hash-mismatch");
  CHECK(resolver.begin(kOther, 6).record.value == kHash);
  // A record learned from bytes does not judge: a caller's put() of other bytes replaces it.
  Resolver learned;
  learned.record_content(kOther, kHash, 42, 5);
  CHECK_FALSE(learned.record_judges(kOther, kHash));
  CHECK(learned.record_judges(kShard, kHash) == false);  // no record of that URL
}

TEST_CASE("a batch answer resolves LFS files of the group and marks plain files", "[resolver]") {
  Resolver resolver(paths_info_only());
  auto requests = resolver.plan_batch({kShard, kConfig, kOther}, 0);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].url == kHub + "/api/models/org/model/paths-info/main");
  CHECK(requests[0].keys.size() == 2);
  // A second plan while the first is pending asks nothing new.
  CHECK(resolver.plan_batch({kShard}, 0).empty());
  coc::BatchOutcome outcome =
      resolver.apply_batch(requests[0].group, 200, paths_info("shard_0.bin", kHash, "config.json"), kCommit, "", 10);
  REQUIRE(outcome.ok);
  CHECK(outcome.resolved == 1);
  CHECK(outcome.plain == 1);
  REQUIRE(outcome.persist_keys.size() == 1);
  CHECK(outcome.persist_keys[0] == kShard);
  Step shard = resolver.after_batch(kShard, 10);
  CHECK(shard.found);
  CHECK(shard.hit == "batch");
  CHECK(shard.record.commit == kCommit);
  // A plain file never asks for its pointer.
  Step config = resolver.after_batch(kConfig, 10);
  CHECK(config.action == StepAction::done);
  CHECK_FALSE(config.found);
  CHECK(resolver.after_persisted(kConfig, false, "", 10).action == StepAction::done);
}

TEST_CASE("a hub without paths-info is not asked again: a failed group falls back to pointers", "[resolver]") {
  Resolver resolver(paths_info_only());
  auto requests = resolver.plan_batch({kShard}, 0);
  REQUIRE(requests.size() == 1);
  coc::BatchOutcome outcome = resolver.apply_batch(requests[0].group, 405, "Method Not Allowed", "", "", 0);
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.error_kind == "batch-unavailable");
  CHECK(resolver.plan_batch({kShard, kConfig}, 0).empty());
  CHECK(resolver.after_persisted(kShard, false, "", 0).action == StepAction::fetch_pointer);

  Resolver other(paths_info_only());
  requests = other.plan_batch({kShard}, 0);
  outcome = other.apply_batch(requests[0].group, 200, "[{\"type\":\"file\"", "", "", 0);
  CHECK(outcome.error_kind == "batch-invalid");
  CHECK(other.after_batch(kShard, 0).action == StepAction::fetch_pointer);
}

TEST_CASE("a model revision is listed once: its other files then need no request", "[resolver][listing]") {
  Resolver resolver;
  auto requests = resolver.plan_batch({kConfig}, 0);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].kind == coc::BatchKind::tree);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].url == kHub + "/api/models/org/model/tree/main?recursive=true");
  CHECK(requests[0].body.empty());
  coc::BatchOutcome outcome = resolver.apply_batch(requests[0].group, 200, tree_listing(), kCommit, "", 10);
  REQUIRE(outcome.ok);
  CHECK(outcome.plain == 1);      // config.json, the one asked for
  CHECK(outcome.resolved == 0);
  CHECK(outcome.persist_keys.empty());  // files not asked for are not written
  CHECK(resolver.listings() == 1);
  Step config = resolver.after_batch(kConfig, 10);
  CHECK(config.action == StepAction::done);
  CHECK_FALSE(config.found);

  // Files never asked for: answered from the listing, persisted when first asked.
  Step shard = resolver.begin(kShard, 20);
  REQUIRE(shard.action == StepAction::done);
  CHECK(shard.hit == "batch");
  CHECK(shard.record.value == kHash);
  CHECK(shard.record.size == 10);
  CHECK(shard.record.commit == kCommit);
  CHECK(shard.record.stored_at == 10);  // as old as the listing
  CHECK(shard.persist_key == kShard);
  Step nested = resolver.begin(kNested, 20);
  CHECK(nested.record.value == kHash2);
  CHECK(resolver.begin(kShard, 30).hit == "memory");
  // A path the complete listing lacks: no request, the content will tell.
  Step absent = resolver.begin(kAbsent, 20);
  CHECK(absent.action == StepAction::done);
  CHECK_FALSE(absent.found);
  CHECK(resolver.plan_batch({kShard, kNested, kAbsent, kConfig}, 20).empty());
}

TEST_CASE("a listing expires with max_age for branches, never for commits", "[resolver][listing]") {
  ResolverOptions options;
  options.max_age_ms = 1000;
  Resolver resolver(options);
  auto requests = resolver.plan_batch({kConfig}, 0);
  resolver.apply_batch(requests[0].group, 200, tree_listing(), kCommit, "", 0);
  CHECK(resolver.begin(kShard, 500).hit == "batch");
  // Past max_age the listing is dropped; the shard's record is stale too: asked again.
  CHECK(resolver.begin(kNested, 2000).action == StepAction::read_persisted);
  CHECK(resolver.listings() == 0);
  requests = resolver.plan_batch({kNested}, 2000);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].kind == coc::BatchKind::tree);

  const std::string at_commit = kHub + "/org/model/resolve/" + kCommit + "/onnx/model.onnx";
  requests = resolver.plan_batch({at_commit}, 0);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].url == kHub + "/api/models/org/model/tree/" + kCommit + "?recursive=true");
  resolver.apply_batch(requests[0].group, 200, tree_listing(), "", "", 0);
  Step late = resolver.begin(kHub + "/org/model/resolve/" + kCommit + "/shard_0.bin", 1e12);
  CHECK(late.hit == "batch");
  CHECK(late.record.commit == kCommit);
}

TEST_CASE("a listing with a next page: paths beyond it ask paths-info", "[resolver][listing]") {
  Resolver resolver;
  auto requests = resolver.plan_batch({kShard, kAbsent}, 0);
  REQUIRE(requests.size() == 1);
  coc::BatchOutcome outcome = resolver.apply_batch(
      requests[0].group, 200, tree_listing(), "",
      "<https://hub.example/api/models/org/model/tree/main?recursive=true&cursor=x>; rel=\"next\"", 0);
  CHECK(outcome.resolved == 1);
  CHECK(resolver.after_batch(kShard, 0).hit == "batch");
  // Not on the first page: one paths-info request for it, then the pointer if that fails too.
  Step step = resolver.after_batch(kAbsent, 0);
  REQUIRE(step.action == StepAction::fetch_batch);
  requests = resolver.plan_batch({kAbsent}, 0);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].kind == coc::BatchKind::paths_info);
  CHECK(requests[0].body == R"({"paths":["missing.bin"],"expand":false})");
  outcome = resolver.apply_batch(requests[0].group, 200, "[]", "", "", 0);
  CHECK(outcome.ok);
  CHECK(resolver.after_batch(kAbsent, 0).action == StepAction::fetch_pointer);
}

TEST_CASE("a failed or invalid listing falls back to paths-info, once", "[resolver][listing]") {
  for (int status : {500, 404, 405, 0, 200}) {
    Resolver resolver;
    auto requests = resolver.plan_batch({kShard}, 0);
    REQUIRE(requests[0].kind == coc::BatchKind::tree);
    coc::BatchOutcome outcome =
        resolver.apply_batch(requests[0].group, status, status == 200 ? "{\"not\":\"a list\"}" : "", "", "", 0);
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.error_kind == (status == 200 ? "listing-invalid" : "listing-failed"));
    CHECK(outcome.error_message.find("asking paths-info instead") != std::string::npos);
    REQUIRE(resolver.after_batch(kShard, 0).action == StepAction::fetch_batch);
    requests = resolver.plan_batch({kShard}, 0);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].kind == coc::BatchKind::paths_info);
    outcome = resolver.apply_batch(requests[0].group, 500, "", "", "", 0);
    CHECK(outcome.error_kind == "batch-failed");
    CHECK(resolver.after_batch(kShard, 0).action == StepAction::fetch_pointer);
  }
}

TEST_CASE("datasets, spaces and list_repos = false use paths-info", "[resolver][listing]") {
  Resolver resolver;
  auto requests = resolver.plan_batch({kHub + "/datasets/org/data/resolve/main/part-0.parquet",
                                       kHub + "/spaces/org/app/resolve/main/model.bin"}, 0);
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].kind == coc::BatchKind::paths_info);
  CHECK(requests[1].kind == coc::BatchKind::paths_info);
  Resolver without(paths_info_only());
  CHECK(without.plan_batch({kShard}, 0).at(0).kind == coc::BatchKind::paths_info);
}

TEST_CASE("forgetting a URL drops the listing that named its hash", "[resolver][listing]") {
  Resolver resolver;
  auto requests = resolver.plan_batch({kShard}, 0);
  resolver.apply_batch(requests[0].group, 200, tree_listing(), "", "", 0);
  CHECK(resolver.after_batch(kShard, 0).hit == "batch");
  CHECK(resolver.forget(kShard));
  CHECK(resolver.listings() == 0);
  CHECK(resolver.begin(kNested, 0).action == StepAction::read_persisted);
}

TEST_CASE("a snapshot carries every persistable record to a new resolver", "[resolver][snapshot]") {
  Resolver before;
  before.after_pointer(kShard, 200, pointer(kHash, 10), kCommit, 1000);
  before.record_content(kOther, kHash2, 5, 1000);
  before.add_hint(kConfig, kHash, 3);  // the caller's, never persisted
  before.after_pointer(kHub + "/org/model/resolve/main/secret.bin?token=hf_x", 200, pointer(kHash, 10), "", 1000);
  const std::string body = snapshot_of(before);
  CHECK(body.find("hf_x") == std::string::npos);
  CHECK(body.find("config.json") == std::string::npos);

  Resolver after;
  coc::SnapshotLoad load = after.load_snapshot(body, 2000);
  CHECK(load.loaded == 2);
  CHECK(load.skipped == 0);
  CHECK(load.error_kind.empty());
  Step shard = after.begin(kShard, 2000);
  REQUIRE(shard.action == StepAction::done);
  CHECK(shard.hit == "persisted");  // from the persisted store, read once for all
  CHECK(shard.record.value == kHash);
  CHECK(shard.record.commit == kCommit);
  CHECK(shard.persist_key.empty());
  CHECK(after.begin(kShard, 2000).hit == "memory");
  CHECK(after.begin(kOther, 2000).record.value == kHash2);
  CHECK(after.begin(kConfig, 2000).action == StepAction::read_persisted);
  // Past max_age a branch URL's record is revalidated, as a per-URL record would be.
  ResolverOptions short_lived;
  short_lived.max_age_ms = 10;
  Resolver later(short_lived);
  later.load_snapshot(body, 5000);
  CHECK(later.begin(kShard, 5000).action == StepAction::fetch_batch);
}

TEST_CASE("a snapshot never overrides memory and keeps forgotten keys forgotten", "[resolver][snapshot]") {
  Resolver older;
  older.after_pointer(kShard, 200, pointer(kHash, 10), "", 1000);
  older.record_content(kOther, kHash, 5, 1000);
  const std::string body = snapshot_of(older);

  Resolver resolver;
  resolver.after_pointer(kShard, 200, pointer(kHash2, 10), "", 1500);
  resolver.record_content(kOther, kHash2, 5, 1500);
  CHECK(resolver.forget(kOther));
  coc::SnapshotLoad load = resolver.load_snapshot(body, 2000);
  CHECK(load.loaded == 0);
  CHECK(resolver.begin(kShard, 2000).record.value == kHash2);
  CHECK(resolver.begin(kOther, 2000).action == StepAction::read_persisted);
  for (const coc::KeyedRecord& entry : coc::decode_snapshot(snapshot_of(resolver)).records) CHECK(entry.first != kOther);
  // Once a written snapshot carried the deletion, a later snapshot (another tab's) may bring it back.
  resolver.snapshot_written(resolver.merge_snapshot("", false, 2000).generation);
  CHECK(resolver.load_snapshot(body, 2000).loaded == 1);
}

namespace {
std::vector<std::string> snapshot_keys(const std::string& body) {
  std::vector<std::string> keys;
  for (const coc::KeyedRecord& entry : coc::decode_snapshot(body).records) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}
const std::string kThird = "https://cdn.example/lib/third.bin";
}  // namespace

TEST_CASE("a snapshot write keeps what other tabs stored and adds what this tab learned", "[resolver][snapshot]") {
  Resolver other;
  other.record_content(kOther, kHash2, 5, 1000);
  const std::string stored = snapshot_of(other);

  Resolver tab;
  tab.after_pointer(kShard, 200, pointer(kHash, 10), "", 1000);
  coc::SnapshotMerge merge = tab.merge_snapshot(stored, true, 1100);
  CHECK(merge.load.loaded == 1);  // the other tab's record comes into memory
  CHECK(merge.load.error_kind.empty());
  CHECK(snapshot_keys(merge.body) == std::vector<std::string>{kOther, kShard});
  CHECK(tab.begin(kOther, 1100).record.value == kHash2);
  // Nothing stored, or nothing readable: everything this tab knows is written (a repair).
  CHECK(snapshot_keys(tab.merge_snapshot("", false, 1100).body) == std::vector<std::string>{kOther, kShard});
  coc::SnapshotMerge repaired = tab.merge_snapshot("not json", true, 1100);
  CHECK(repaired.load.error_kind == "persisted-snapshot-invalid");
  CHECK(snapshot_keys(repaired.body) == std::vector<std::string>{kOther, kShard});
}

TEST_CASE("a tab whose memory holds fewer records than the snapshot keeps the others' when it writes", "[resolver][snapshot]") {
  Resolver other;
  std::vector<std::string> keys;
  for (int i = 0; i < 6; ++i) {
    const std::string key = kHub + "/org/model/resolve/main/shard_" + std::to_string(i) + ".bin";
    other.record_content(key, std::string(63, 'a') + std::to_string(i), 5, 1000 + i);
    keys.push_back(key);
  }
  const std::string stored = snapshot_of(other);
  ResolverOptions small;
  small.capacity = 2;
  Resolver tab(small);
  tab.record_content(kThird, kHash, 5, 2000);
  // As many as were stored: this tab's new record first, pushing out the oldest of the others'.
  std::vector<std::string> expected(keys.begin() + 1, keys.end());
  expected.push_back(kThird);
  std::sort(expected.begin(), expected.end());
  const coc::SnapshotMerge merge = tab.merge_snapshot(stored, true, 2100);
  CHECK(snapshot_keys(merge.body) == expected);
  CHECK(coc::decode_snapshot(merge.body).records.front().first == kThird);
  CHECK(tab.size() <= 2);
}

TEST_CASE("a record another tab deleted stays deleted when this tab writes", "[resolver][snapshot]") {
  Resolver tab;
  tab.after_pointer(kShard, 200, pointer(kHash, 10), "", 1000);
  tab.record_content(kOther, kHash2, 5, 1000);
  coc::SnapshotMerge first = tab.merge_snapshot("", false, 1000);
  tab.snapshot_written(first.generation);

  // Another tab forgets kShard and writes; this tab then learns kThird and writes.
  Resolver deleter;
  deleter.load_snapshot(first.body, 1100);
  deleter.forget(kShard);
  const std::string after_delete = deleter.merge_snapshot(first.body, true, 1100).body;
  CHECK(snapshot_keys(after_delete) == std::vector<std::string>{kOther});
  tab.record_content(kThird, kHash, 7, 1200);
  const std::string next = tab.merge_snapshot(after_delete, true, 1200).body;
  CHECK(snapshot_keys(next) == std::vector<std::string>{kOther, kThird});
  // Memory still answers in this tab: a deletion elsewhere does not reach into it.
  CHECK(tab.begin(kShard, 1200).hit == "memory");
}

TEST_CASE("a write settles only the changes it carried", "[resolver][snapshot]") {
  Resolver tab;
  tab.after_pointer(kShard, 200, pointer(kHash, 10), "", 1000);
  tab.record_content(kOther, kHash2, 5, 1000);
  tab.record_content(kThird, kHash, 7, 1000);
  coc::SnapshotMerge base = tab.merge_snapshot("", false, 1000);
  tab.snapshot_written(base.generation);

  // Two deletions, as tvmjs's deleteTensorCache makes them (all at once): the second comes while
  // the snapshot of the first is being written.
  tab.forget(kShard);
  coc::SnapshotMerge during = tab.merge_snapshot(base.body, true, 1100);
  tab.forget(kOther);
  tab.snapshot_written(during.generation);
  CHECK(snapshot_keys(during.body) == std::vector<std::string>{kOther, kThird});
  // The write of the second deletion reads the first's snapshot, which still holds kOther.
  coc::SnapshotMerge after = tab.merge_snapshot(during.body, true, 1200);
  CHECK(after.load.loaded == 0);
  CHECK(snapshot_keys(after.body) == std::vector<std::string>{kThird});
  CHECK(tab.begin(kOther, 1200).action == StepAction::read_persisted);

  // Learned again while a write is under way: the next write carries it.
  tab.snapshot_written(after.generation);
  coc::SnapshotMerge racing = tab.merge_snapshot(after.body, true, 1300);
  tab.record_content(kOther, kHash2, 5, 1300);
  tab.snapshot_written(racing.generation);
  CHECK(snapshot_keys(tab.merge_snapshot(racing.body, true, 1400).body) == std::vector<std::string>{kOther, kThird});
}

TEST_CASE("a hint never removes or replaces a stored record", "[resolver][snapshot]") {
  Resolver other;
  other.record_content(kOther, kHash2, 5, 1000);
  const std::string stored = snapshot_of(other);
  Resolver tab;
  tab.add_hint(kOther, kHash, 5);
  const coc::SnapshotDecode written = coc::decode_snapshot(tab.merge_snapshot(stored, true, 1000).body);
  REQUIRE(written.records.size() == 1);
  CHECK(written.records[0].second.value == kHash2);
}

TEST_CASE("snapshot entries that are not ours are skipped and reported", "[resolver][snapshot]") {
  Resolver resolver;
  const std::string value = R"({"algorithm":"SHA-256","value":")" + kHash + R"("})";
  const std::string body = R"({"version":1,"records":[["https://u:p@x.example/a?token=t0p",)" + value + R"(],["not a url",)" +
                           value + R"(],["HTTPS://X.EXAMPLE/b#frag",)" + value + R"(],["https://x.example/c",)" + value + "]]}";
  coc::SnapshotLoad load = resolver.load_snapshot(body, 100);
  CHECK(load.loaded == 1);
  CHECK(load.skipped == 3);
  CHECK(load.error_kind == "persisted-snapshot-invalid");
  CHECK(load.error_message.find("3 persisted snapshot entries ignored") == 0);
  CHECK(load.error_message.find("u:p") == std::string::npos);
  CHECK(load.error_message.find("t0p") == std::string::npos);
  CHECK(load.error_message.find("x.example/a") != std::string::npos);
  Step step = resolver.begin("https://x.example/c", 100);
  CHECK(step.hit == "persisted");
  CHECK(step.record.stored_at == 100);  // undated: counts from when it was read
  CHECK(resolver.load_snapshot("{}", 0).error_kind == "persisted-snapshot-invalid");
}

TEST_CASE("persisted records: ours, tvmjs's undated form, and invalid ones", "[resolver]") {
  Resolver resolver;
  coc::HashRecord record;
  record.value = kHash;
  record.source = "pointer";
  record.stored_at = 1000;
  Step step = resolver.after_persisted(kShard, true, coc::encode_record(record), 2000);
  CHECK(step.found);
  CHECK(step.hit == "persisted");
  CHECK(step.persist_key.empty());  // nothing new to write

  Step tvmjs = resolver.after_persisted(kConfig, true, R"({"algorithm":"SHA-256","value":")" + kHash2 + "\"}", 5000);
  CHECK(tvmjs.found);
  CHECK(tvmjs.record.stored_at == 5000);  // dated now, and rewritten so it can expire
  CHECK(tvmjs.persist_key == kConfig);

  Step invalid = resolver.after_persisted(kShardAtCommit, true, R"({"algorithm":"SHA-1","value":"x"})", 0);
  CHECK(invalid.error_kind == "persisted-record-invalid");
  CHECK(invalid.action == StepAction::fetch_batch);
}

TEST_CASE("branch URLs expire after max_age, commit URLs and hints never", "[resolver]") {
  ResolverOptions options;
  options.max_age_ms = 100;
  Resolver resolver(options);
  resolver.after_pointer(kShard, 200, pointer(kHash, 1), "", 0);
  resolver.after_pointer(kShardAtCommit, 200, pointer(kHash, 1), "", 0);
  CHECK(resolver.begin(kShard, 50).action == StepAction::done);
  CHECK(resolver.begin(kShard, 150).action == StepAction::fetch_batch);
  CHECK(resolver.begin(kShardAtCommit, 1e12).action == StepAction::done);
  resolver.add_hint(kOther, kHash2, -1);
  CHECK(resolver.begin(kOther, 1e12).hit == "hint");
  // When revalidation fails, the stale hash is still the best answer for a hub file.
  Step stale = resolver.after_pointer(kShard, 500, "", "", 150);
  CHECK(stale.found);
  CHECK(stale.hit == "stale");
  CHECK(stale.error_kind == "pointer-fetch-failed");
}

TEST_CASE("URLs with credentials are resolved but never persisted", "[resolver]") {
  Resolver resolver;
  const std::string secret = kShard + "?token=hf_abc";
  Step step = resolver.begin(secret, 0);
  CHECK(step.action == StepAction::fetch_batch);  // no persisted read either
  step = resolver.after_pointer(secret, 200, pointer(kHash, 1), "", 0);
  CHECK(step.found);
  CHECK(step.persist_key.empty());
  CHECK_FALSE(resolver.persistable(secret));
  Step content = resolver.record_content(kOther + "?sig=zz", kHash2, 3, 0);
  CHECK(content.found);
  CHECK(content.persist_key.empty());
}

TEST_CASE("a text that is not a pointer marks the URL plain: one that almost is gets reported", "[resolver]") {
  Resolver resolver;
  Step step = resolver.after_pointer(kConfig, 200, "{\"vocab_size\": 3}", "", 0);
  CHECK_FALSE(step.found);
  CHECK(step.error_kind.empty());
  CHECK(resolver.after_persisted(kConfig, false, "", 0).action == StepAction::done);
  step = resolver.after_pointer(kShard, 200, "version https://git-lfs.github.com/spec/v1\noid sha256:12\n", "", 0);
  CHECK(step.error_kind == "pointer-invalid");
  CHECK(resolver.forget(kShard));
  CHECK(resolver.after_persisted(kShard, false, "", 0).action == StepAction::fetch_batch);
}

TEST_CASE("invalid input is a clear error", "[resolver]") {
  Resolver resolver;
  CHECK_THROWS_WITH(resolver.begin("not a url", 0), Catch::Contains("URL"));
  CHECK_THROWS_AS(resolver.record_content(kOther, "xyz", 1, 0), std::invalid_argument);
  CHECK_THROWS_AS(resolver.add_hint(kOther, std::string(63, 'a'), 1), std::invalid_argument);
}

TEST_CASE("a tensor cache is not resolved over the network: its shards are batched after it is read", "[resolver]") {
  Resolver resolver;
  const std::string cache = kHub + "/org/model/resolve/main/tensor-cache.json";
  Step step = resolver.after_persisted(cache, false, "", 0);
  CHECK(step.action == StepAction::done);
  CHECK_FALSE(step.found);
  CHECK(resolver.plan_batch({cache}, 0).empty());
}

TEST_CASE("an empty plain file (416 for the first KiB) is plain, not an error", "[resolver]") {
  Resolver resolver;
  Step step = resolver.after_pointer(kConfig, 416, "", "", 0);
  CHECK(step.action == StepAction::done);
  CHECK_FALSE(step.found);
  CHECK(step.error_kind.empty());
}

TEST_CASE("integrity metadata: sha256 keys, sha384/sha512 only verify", "[resolver]") {
  Resolver resolver;
  // sha256 of "" and sha512 of "" as SRI.
  const std::string empty256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  resolver.add_integrity(kOther, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  CHECK(resolver.begin(kOther, 0).record.value == empty256);
  CHECK(resolver.begin(kOther, 0).hit == "hint");

  const std::string sha512_sri =
      "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
  resolver.add_integrity(kConfig, sha512_sri);
  auto checks = resolver.verify_only(kConfig);
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].algorithm == "sha512");
  CHECK(resolver.check_digest(kConfig, "sha512", checks[0].hex).error_kind.empty());
  Step bad = resolver.check_digest(kConfig, "sha512", std::string(128, '0'));
  CHECK(bad.error_kind == "integrity-mismatch");
  CHECK_THAT(bad.error_message, Catch::Contains(checks[0].hex));
  // Not a key for COS: the hash still comes from the network or the content.
  CHECK(resolver.begin(kConfig, 0).action == StepAction::read_persisted);

  resolver.add_integrity(kShard, std::string(64, 'F'));
  CHECK(resolver.begin(kShard, 0).record.value == std::string(64, 'f'));
  CHECK_THROWS_WITH(resolver.add_integrity(kShard, "md5-abc sha256-short"), Catch::Contains("no usable"));
}

TEST_CASE("integrity with several sha256 values keys nothing and rules out other hashes", "[resolver]") {
  Resolver resolver;
  const std::string a(64, '1');
  const std::string b(64, '2');
  resolver.add_integrity(kShard, std::string(64, '3'));
  CHECK(resolver.begin(kShard, 0).hit == "hint");
  resolver.add_integrity(kShard, "sha256-ERERERERERERERERERERERERERERERERERERERERERE= sha256-IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=");
  // The single hint given before is gone: the hash is resolved as usual.
  CHECK(resolver.begin(kShard, 0).action == StepAction::read_persisted);
  CHECK(resolver.integrity_allows(kShard, a));
  CHECK(resolver.integrity_allows(kShard, b));
  CHECK_FALSE(resolver.integrity_allows(kShard, std::string(64, '3')));
  CHECK(resolver.integrity_allows(kConfig, std::string(64, '3')));
  CHECK(resolver.check_digest(kShard, "sha256", b).error_kind.empty());
  CHECK(resolver.check_digest(kShard, "sha256", std::string(64, '3')).error_kind == "integrity-mismatch");
}

TEST_CASE("a pointer whose size no file can have is not trusted", "[resolver]") {
  Resolver resolver;
  Step step = resolver.after_pointer(kShard, 200, "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash +
                                                      "\nsize 9223372036854775808\n", "", 0);
  CHECK_FALSE(step.found);
  CHECK(step.error_kind == "pointer-invalid");
}

TEST_CASE("a deletion in one tab wins over a write of the same record learned before it", "[resolver][snapshot]") {
  // Both tabs learned kShard; the deleter forgets it and writes, then the slower tab writes what
  // it learned (its timer was already running).
  Resolver slow;
  slow.after_pointer(kShard, 200, pointer(kHash, 10), "", 1000);
  Resolver deleter;
  deleter.after_pointer(kShard, 200, pointer(kHash, 10), "", 1000);
  deleter.record_content(kOther, kHash2, 5, 1000);
  const std::string before = deleter.merge_snapshot("", false, 1000).body;
  deleter.forget(kShard);
  const coc::SnapshotMerge deletion = deleter.merge_snapshot(before, true, 1500);
  const coc::SnapshotDecode written = coc::decode_snapshot(deletion.body);
  REQUIRE(written.deleted.size() == 1);
  CHECK(written.deleted[0] == coc::Tombstone(kShard, 1500));
  CHECK(snapshot_keys(deletion.body) == std::vector<std::string>{kOther});

  const std::string after = slow.merge_snapshot(deletion.body, true, 1600).body;
  CHECK(snapshot_keys(after) == std::vector<std::string>{kOther});
  CHECK(coc::decode_snapshot(after).deleted.size() == 1);  // passed on
  // A new resolver reading it does not take the deleted record, even if a stale writer kept it.
  Resolver reader;
  const std::string stale = coc::encode_snapshot({{kShard, slow.begin(kShard, 1600).record}}, {{kShard, 1500}});
  CHECK(reader.load_snapshot(stale, 1700).loaded == 0);

  // Learned again after the deletion: written, and the tombstone goes.
  slow.forget(kShard);
  slow.snapshot_written(slow.merge_snapshot(after, true, 1700).generation);
  slow.after_pointer(kShard, 200, pointer(kHash, 10), "", 2000);
  const coc::SnapshotMerge relearned = slow.merge_snapshot(after, true, 2100);
  CHECK(snapshot_keys(relearned.body) == std::vector<std::string>{kOther, kShard});
  CHECK(coc::decode_snapshot(relearned.body).deleted.empty());
  // Tombstones expire after ten minutes.
  CHECK(coc::decode_snapshot(Resolver().merge_snapshot(deletion.body, true, 1500 + 600001).body).deleted.empty());
}

TEST_CASE("a per-URL or legacy entry dated before its key's deletion is dropped, not taken", "[resolver][snapshot]") {
  Resolver reader;
  reader.load_snapshot(coc::encode_snapshot({}, {{kShard, 1500}, {kConfig, 1500}}), 1700);
  coc::HashRecord record;
  record.value = kHash;
  record.source = "pointer";
  record.stored_at = 1000;  // learned before the deletion, written after it
  Step late = reader.after_persisted(kShard, true, coc::encode_record(record), 1800);
  CHECK_FALSE(late.found);
  CHECK(late.drop_key == kShard);
  CHECK(late.action != StepAction::done);  // the next source answers
  CHECK(reader.deleted(kShard));
  // tvmjs's undated form: the deletion stands over it too.
  Step undated = reader.after_persisted(kConfig, true, R"({"algorithm":"SHA-256","value":")" + kHash2 + "\"}", 1800);
  CHECK_FALSE(undated.found);
  CHECK(undated.drop_key == kConfig);
  // Learned after the deletion: taken, and no longer deleted.
  record.stored_at = 1600;
  Step relearned = reader.after_persisted(kShard, true, coc::encode_record(record), 1800);
  CHECK(relearned.found);
  CHECK(relearned.drop_key.empty());
  CHECK_FALSE(reader.deleted(kShard));
}

TEST_CASE("a key this resolver deleted stays deleted after its snapshot is written", "[resolver][snapshot]") {
  Resolver resolver;
  resolver.after_pointer(kShard, 200, pointer(kHash, 10), "", 1000);
  CHECK_FALSE(resolver.deleted(kShard));
  resolver.forget(kShard);
  CHECK(resolver.deleted(kShard));
  resolver.snapshot_written(resolver.merge_snapshot("", false, 1500).generation);
  CHECK(resolver.deleted(kShard));  // the tombstone it wrote says so
  CHECK_FALSE(resolver.deleted(kConfig));
}

TEST_CASE("requests that time out: the listing asks paths-info, paths-info the pointer, the pointer the content", "[resolver][timeout]") {
  ResolverOptions options;
  options.persist = false;
  options.resolution_timeout_ms = 500;
  Resolver resolver(options);
  auto requests = resolver.plan_batch({kShard}, 0);
  REQUIRE(requests[0].kind == coc::BatchKind::tree);
  coc::BatchOutcome outcome = resolver.apply_batch(requests[0].group, 0, "aborted", "", "", 0, true);
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.error_kind == "listing-failed");
  CHECK(outcome.error_message == "listing of org/model@main timed out after 500 ms; asking paths-info instead");
  REQUIRE(resolver.after_batch(kShard, 0).action == StepAction::fetch_batch);
  requests = resolver.plan_batch({kShard}, 0);
  REQUIRE(requests[0].kind == coc::BatchKind::paths_info);
  outcome = resolver.apply_batch(requests[0].group, 0, "aborted", "", "", 0, true);
  CHECK(outcome.error_kind == "batch-failed");
  CHECK(outcome.error_message.find("timed out after 500 ms; resolving by LFS pointer instead") != std::string::npos);
  Step step = resolver.after_batch(kShard, 0);
  REQUIRE(step.action == StepAction::fetch_pointer);
  // A timeout says nothing of the endpoint: another revision still asks it.
  const std::string elsewhere = kHub + "/org/other/resolve/main/shard_0.bin";
  CHECK(resolver.plan_batch({elsewhere}, 0).size() == 1);
  step = resolver.after_pointer(kShard, 0, "aborted", "", 0, true);
  CHECK(step.action == StepAction::done);
  CHECK_FALSE(step.found);
  CHECK(step.error_kind == "pointer-fetch-failed");
  CHECK(step.error_message == "LFS pointer request for " + kShard + " timed out after 500 ms");
}

TEST_CASE("paths-info keeps only the paths asked: what else it says is read, never kept", "[resolver][batch]") {
  Resolver resolver(paths_info_only());
  auto requests = resolver.plan_batch({kShard}, 0);
  REQUIRE(requests.size() == 1);
  // Unasked entries, even repeated, cost nothing; the asked one is used.
  const std::string other = R"({"type":"file","path":"other.bin","size":1})";
  const std::string body = "[" + other + "," + other + "," + paths_info("shard_0.bin", kHash, "config.json").substr(1);
  coc::BatchOutcome outcome = resolver.apply_batch(requests[0].group, 200, body, "", "", 0);
  REQUIRE(outcome.ok);
  CHECK(outcome.resolved == 1);
  CHECK(resolver.after_batch(kShard, 0).record.value == kHash);
  // The asked path twice spoils the answer.
  Resolver again(paths_info_only());
  requests = again.plan_batch({kShard}, 0);
  const std::string twice = "[" + paths_info("shard_0.bin", kHash, "a").substr(1, std::string::npos) ;
  const std::string doubled = twice.substr(0, twice.size() - 1) + "," + paths_info("shard_0.bin", kHash2, "b").substr(1);
  outcome = again.apply_batch(requests[0].group, 200, doubled, "", "", 0);
  CHECK(outcome.error_kind == "batch-invalid");
  CHECK(outcome.error_message.find("duplicate path \"shard_0.bin\"") != std::string::npos);
}

TEST_CASE("a hub answer of another commit answers nothing for a URL pinned to a commit", "[resolver]") {
  const std::string pinned = "0123456789abcdef0123456789abcdef01234567";
  // The listing: ignored as invalid; paths-info is asked instead.
  {
    Resolver resolver;
    auto requests = resolver.plan_batch({kShardAtCommit}, 0);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].kind == coc::BatchKind::tree);
    coc::BatchOutcome outcome = resolver.apply_batch(requests[0].group, 200, tree_listing(), kCommit, "", 10);
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.error_kind == "listing-invalid");
    CHECK(outcome.error_message.find("it is of commit " + kCommit + ", not " + pinned) != std::string::npos);
    CHECK_FALSE(resolver.after_batch(kShardAtCommit, 10).found);
    // The same listing labelled with the pinned commit answers.
    Resolver honest;
    auto asked = honest.plan_batch({kShardAtCommit}, 0);
    REQUIRE(honest.apply_batch(asked[0].group, 200, tree_listing(), pinned, "", 10).ok);
  }
  // paths-info: ignored as invalid; pointers are asked instead.
  {
    Resolver resolver(paths_info_only());
    auto requests = resolver.plan_batch({kShardAtCommit}, 0);
    REQUIRE(requests.size() == 1);
    coc::BatchOutcome outcome =
        resolver.apply_batch(requests[0].group, 200, paths_info("shard_0.bin", kHash, "config.json"), kCommit, "", 10);
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.error_kind == "batch-invalid");
    CHECK_FALSE(resolver.after_batch(kShardAtCommit, 10).found);
  }
  // The LFS pointer: ignored; the bytes decide.
  {
    Resolver resolver;
    Step step = resolver.after_pointer(kShardAtCommit, 200, pointer(kHash, 10), kCommit, 1000);
    CHECK_FALSE(step.found);
    CHECK(step.error_kind == "pointer-invalid");
    CHECK(step.persist_key.empty());
    CHECK(resolver.after_pointer(kShardAtCommit, 200, pointer(kHash, 10), pinned, 1000).found);
  }
}

TEST_CASE("paths-info answering 404 or nothing fails that revision only, not the hub's endpoint", "[resolver]") {
  const std::string dataset = kHub + "/datasets/org/data/resolve/main/part_0.bin";
  const std::string other_dataset = kHub + "/datasets/org/other/resolve/main/part_0.bin";
  for (int status : {404, 0}) {
    Resolver resolver(paths_info_only());
    auto requests = resolver.plan_batch({dataset}, 0);
    REQUIRE(requests.size() == 1);
    coc::BatchOutcome outcome = resolver.apply_batch(requests[0].group, status, "", "", "", 10);
    CHECK(outcome.error_kind == "batch-failed");
    CHECK(resolver.plan_batch({other_dataset}, 10).size() == 1);  // another repo still asks paths-info
  }
  Resolver resolver(paths_info_only());
  auto requests = resolver.plan_batch({dataset}, 0);
  CHECK(resolver.apply_batch(requests[0].group, 405, "", "", "", 10).error_kind == "batch-unavailable");
  CHECK(resolver.plan_batch({other_dataset}, 10).empty());  // an endpoint the hub has not: asked no more
}

TEST_CASE("a hub URL's record learned from bytes with no blob named does not judge later bytes", "[resolver]") {
  // A site whose paths look like a hub's (/resolve/<revision>/), without ETags or listings.
  Resolver resolver;
  resolver.record_content(kConfig, kHash, 10, 1000);
  CHECK_FALSE(resolver.record_judges(kConfig, kHash));
  coc::Content changed;
  changed.sha256 = kHash2;
  changed.size = 10;
  changed.expected = kHash;  // the download started with the old record's hash
  Step step = resolver.record_content(kConfig, changed, 2000);
  CHECK(step.recheck);
  CHECK_FALSE(step.refused);
  // The hub's own LFS answer still judges.
  Resolver hub;
  hub.after_pointer(kShard, 200, pointer(kHash, 10), kCommit, 1000);
  CHECK(hub.record_judges(kShard, kHash));
}

TEST_CASE("a listing or paths-info request that got no whole answer fails naming the network's error", "[resolver][batch]") {
  // status 0: no answer, or one cut off mid-body (the shim gives the error's text as the body).
  Resolver resolver;
  auto requests = resolver.plan_batch({kShard}, 0);
  REQUIRE(requests[0].kind == coc::BatchKind::tree);
  coc::BatchOutcome outcome =
      resolver.apply_batch(requests[0].group, 0, "terminated (other side closed)", "", "", 0);
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.error_kind == "listing-failed");
  CHECK(outcome.error_message ==
        "listing of org/model@main failed: terminated (other side closed); asking paths-info instead");
  REQUIRE(resolver.after_batch(kShard, 0).action == StepAction::fetch_batch);
  requests = resolver.plan_batch({kShard}, 0);
  REQUIRE(requests[0].kind == coc::BatchKind::paths_info);
  outcome = resolver.apply_batch(requests[0].group, 0, "fetch failed (connect ECONNREFUSED 127.0.0.1:9)", "", "", 0);
  CHECK(outcome.error_kind == "batch-failed");
  CHECK(outcome.error_message == "paths-info for org/model@main failed: fetch failed (connect ECONNREFUSED "
                                 "127.0.0.1:9); resolving by LFS pointer instead");
  CHECK(resolver.after_batch(kShard, 0).action == StepAction::fetch_pointer);
  // The error's text is untrusted: quoted short, on one line.
  Resolver quoted;
  requests = quoted.plan_batch({kShard}, 0);
  outcome = quoted.apply_batch(requests[0].group, 0, "line\nbreak" + std::string(400, 'x'), "", "", 0);
  CHECK(outcome.error_message.find("failed: line\\x0abreakxxx") != std::string::npos);
  CHECK(outcome.error_message.find("...; asking paths-info instead") != std::string::npos);
  CHECK(outcome.error_message.size() < 300);
}

TEST_CASE("an unusable listing is named as the listing, paths-info as paths-info", "[resolver][batch]") {
  Resolver resolver;
  auto requests = resolver.plan_batch({kShard}, 0);
  REQUIRE(requests[0].kind == coc::BatchKind::tree);
  coc::BatchOutcome outcome = resolver.apply_batch(requests[0].group, 200, "[{\"type", "", "", 0);
  CHECK(outcome.error_kind == "listing-invalid");
  CHECK(outcome.error_message.rfind("listing of org/model@main ignored: listing response is not valid JSON", 0) == 0);
  REQUIRE(resolver.after_batch(kShard, 0).action == StepAction::fetch_batch);
  requests = resolver.plan_batch({kShard}, 0);
  REQUIRE(requests[0].kind == coc::BatchKind::paths_info);
  outcome = resolver.apply_batch(requests[0].group, 200, "[0]", "", "", 0);
  CHECK(outcome.error_kind == "batch-invalid");
  CHECK(outcome.error_message == "paths-info for org/model@main ignored: paths-info entry 0: is a JSON number, not an object");

  Resolver entries;
  requests = entries.plan_batch({kShard}, 0);
  outcome = entries.apply_batch(requests[0].group, 200, "[0]", "", "", 0);
  CHECK(outcome.error_message ==
        "listing of org/model@main ignored: listing entry 0: is a JSON number, not an object; asking paths-info instead");
}
