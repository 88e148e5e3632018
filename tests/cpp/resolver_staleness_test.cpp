// Staleness under attack (issue 12): every file of a mutable revision is revalidated after
// max_age, a download stays guarded by the hash it started with, records dated in the future
// are stale, local lookups find records of any age, and batch groups never merge two revisions.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hash_record.h"
#include "paths_info.h"
#include "record_snapshot.h"
#include "resolver.h"

using coc::Resolver;
using coc::ResolverOptions;
using coc::Step;
using coc::StepAction;

namespace {

const std::string kHub = "https://hub.example";
const std::string kShard = kHub + "/org/model/resolve/main/shard_0.bin";
const std::string kConfig = kHub + "/org/model/resolve/main/config.json";
const std::string kTensorCache = kHub + "/org/model/resolve/main/tensor-cache.json";
const std::string kHash(64, 'a');
const std::string kHash2(64, 'b');
const std::string kHash3(64, 'c');
const std::string kCommit = "89abcdef0123456789abcdef0123456789abcdef";
const std::string kBlob(40, '2');     // config.json's git blob id in the first listing
const std::string kNewBlob(40, '9');  // ... after the repo changed it
const std::string kCacheBlob(40, '5');
constexpr double kMaxAge = 1000;

// shard_0.bin in LFS; config.json and tensor-cache.json plain, with the given blob ids.
std::string listing(const std::string& config_blob, const std::string& cache_blob = kCacheBlob) {
  return R"([{"type":"file","path":"shard_0.bin","size":10,"oid":")" + std::string(40, '1') +
         R"(","lfs":{"oid":")" + kHash + R"(","size":10,"pointerSize":130}},)" +
         R"({"type":"file","path":"config.json","size":5,"oid":")" + config_blob + R"("},)" +
         R"({"type":"file","path":"tensor-cache.json","size":7,"oid":")" + cache_blob + R"("}])";
}

ResolverOptions short_lived() {
  ResolverOptions options;
  options.max_age_ms = kMaxAge;
  return options;
}

// The bytes of url downloaded at now, with what the response said about them (and, with a blob
// id, the blob those bytes are).
Step downloaded(Resolver& resolver, const std::string& url, const std::string& sha256, double now,
                const std::string& blob = "", const std::string& expected = "") {
  coc::Content content;
  content.sha256 = sha256;
  content.size = 5;
  content.expected = expected;
  content.etag = blob.empty() ? "" : "\"" + blob + "\"";
  content.git_blob = blob;  // the bytes are the blob the response names
  content.repo_commit = kCommit;
  return resolver.record_content(url, content, now);
}

// Lists the revision at now (answering every URL planned), with config.json at config_blob.
void list_revision(Resolver& resolver, const std::vector<std::string>& urls, double now,
                   const std::string& config_blob, const std::string& cache_blob = kCacheBlob) {
  auto requests = resolver.plan_batch(urls, now);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].kind == coc::BatchKind::tree);
  REQUIRE(resolver.apply_batch(requests[0].group, 200, listing(config_blob, cache_blob), kCommit, "", now).ok);
}

bool serves(const Step& step, const std::string& value) {
  return step.action == StepAction::done && step.found && step.record.value == value;
}

}  // namespace

// ---- class 5: a mutable revision never serves stale files ---------------------------------

TEST_CASE("after max_age a plain file of a branch asks the hub: an unchanged blob is confirmed, a changed one downloaded", "[resolver][staleness]") {
  Resolver resolver(short_lived());
  list_revision(resolver, {kConfig}, 0, kBlob);
  CHECK_FALSE(resolver.begin(kConfig, 0).found);  // plain: the content tells
  CHECK(downloaded(resolver, kConfig, kHash2, 0, kBlob).hit == "content");
  CHECK(serves(resolver.begin(kConfig, 500), kHash2));  // within max_age: no request

  // Past max_age: never the old record without asking.
  Step stale = resolver.begin(kConfig, 2000);
  REQUIRE(stale.action == StepAction::fetch_batch);
  list_revision(resolver, {kConfig}, 2000, kBlob);
  Step confirmed = resolver.after_batch(kConfig, 2000);
  CHECK(serves(confirmed, kHash2));
  CHECK(serves(resolver.begin(kConfig, 2500), kHash2));  // fresh again: no request

  // The repo changed the file: the old hash is never served again.
  REQUIRE(resolver.begin(kConfig, 4000).action == StepAction::fetch_batch);
  list_revision(resolver, {kConfig}, 4000, kNewBlob);
  Step changed = resolver.after_batch(kConfig, 4000);
  CHECK(changed.action == StepAction::done);
  CHECK_FALSE(changed.found);
  CHECK_FALSE(serves(resolver.begin(kConfig, 4001), kHash2));
  CHECK(downloaded(resolver, kConfig, kHash3, 4001, kNewBlob).hit == "content");
  CHECK(serves(resolver.begin(kConfig, 4002), kHash3));
}

TEST_CASE("after max_age a tensor cache is revalidated too, whether or not its blob id is known", "[resolver][staleness]") {
  Resolver resolver(short_lived());
  // Learned from its bytes without a blob id (a server that sends no ETag): only the bytes can
  // confirm it, so past max_age it is unknown and downloaded again.
  CHECK_FALSE(resolver.begin(kTensorCache, 0).found);
  downloaded(resolver, kTensorCache, kHash2, 0);
  Step stale = resolver.begin(kTensorCache, 2000);
  CHECK_FALSE(serves(stale, kHash2));
  CHECK(stale.action == StepAction::done);
  Step again = downloaded(resolver, kTensorCache, kHash2, 2000, kCacheBlob);
  CHECK(again.hit == "verified");
  CHECK(again.record.stored_at == 2000);  // the bytes confirmed it: fresh again, and persisted
  CHECK(again.persist_key == kTensorCache);
  CHECK(serves(resolver.begin(kTensorCache, 2500), kHash2));

  // With its blob id: one listing of the revision confirms it, no download.
  REQUIRE(resolver.begin(kTensorCache, 4000).action == StepAction::fetch_batch);
  list_revision(resolver, {kTensorCache}, 4000, kBlob);
  CHECK(serves(resolver.after_batch(kTensorCache, 4000), kHash2));
}

TEST_CASE("what a stale plain file gets does not depend on which file asked for the listing", "[resolver][staleness]") {
  for (bool shard_first : {true, false}) {
    Resolver resolver(short_lived());
    list_revision(resolver, {kConfig}, 0, kBlob);
    downloaded(resolver, kConfig, kHash2, 0, kBlob);
    resolver.after_pointer(kShard, 200,
                           "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash + "\nsize 10\n", kCommit, 0);
    if (shard_first) {
      // A listing fetched at 2000 for the shard, then the config is asked for.
      REQUIRE(resolver.begin(kShard, 2000).action == StepAction::fetch_batch);
      list_revision(resolver, {kShard}, 2000, kNewBlob);
      resolver.after_batch(kShard, 2000);
      Step config = resolver.begin(kConfig, 2000);
      CHECK(config.action == StepAction::done);
      CHECK_FALSE(config.found);
    } else {
      REQUIRE(resolver.begin(kConfig, 2000).action == StepAction::fetch_batch);
      list_revision(resolver, {kConfig}, 2000, kNewBlob);
      CHECK_FALSE(resolver.after_batch(kConfig, 2000).found);
    }
    CHECK_FALSE(serves(resolver.begin(kConfig, 2001), kHash2));
  }
}

TEST_CASE("persisted, snapshot and imported records of a plain file follow the same rule", "[resolver][staleness]") {
  coc::HashRecord record;
  record.value = kHash2;
  record.size = 7;
  record.source = "content";
  record.stored_at = 1;
  ResolverOptions options = short_lived();
  options.legacy_stores = {"tvmjs-cos-hash-meta"};

  // Its own per-URL entry, read after a reload.
  Resolver reloaded(options);
  Step persisted = reloaded.after_persisted(kTensorCache, true, coc::encode_record(record), 5000);
  CHECK_FALSE(serves(persisted, kHash2));

  // The snapshot of all records.
  Resolver from_snapshot(options);
  REQUIRE(from_snapshot.load_snapshot(coc::encode_snapshot({{kTensorCache, record}}), 5000).loaded == 1);
  CHECK_FALSE(serves(from_snapshot.begin(kTensorCache, 5000), kHash2));

  // Another library's store, dated (a record of ours in tvmjs's store).
  Resolver imported(options);
  REQUIRE(imported.after_persisted(kConfig, false, "", 5000).action == StepAction::read_legacy);
  Step legacy = imported.after_legacy(kConfig, "tvmjs-cos-hash-meta", true, coc::encode_record(record), 5000);
  CHECK_FALSE(serves(legacy, kHash2));
  CHECK(legacy.action == StepAction::fetch_batch);

  // With a blob id, the per-URL record is confirmed by a listing instead of a download.
  record.blob = kBlob;
  Resolver confirmable(options);
  REQUIRE(confirmable.after_persisted(kConfig, true, coc::encode_record(record), 5000).action == StepAction::fetch_batch);
  list_revision(confirmable, {kConfig}, 5000, kBlob);
  Step confirmed = confirmable.after_batch(kConfig, 5000);
  CHECK(serves(confirmed, kHash2));
}

TEST_CASE("a stale plain file whose revalidation fails is downloaded, never served from its old hash", "[resolver][staleness]") {
  Resolver resolver(short_lived());
  list_revision(resolver, {kConfig}, 0, kBlob);
  downloaded(resolver, kConfig, kHash2, 0, kBlob);
  REQUIRE(resolver.begin(kConfig, 2000).action == StepAction::fetch_batch);
  auto requests = resolver.plan_batch({kConfig}, 2000);
  REQUIRE(requests.size() == 1);
  resolver.apply_batch(requests[0].group, 500, "", "", "", 2000);  // the listing fails
  Step step = resolver.after_batch(kConfig, 2000);
  if (step.action == StepAction::fetch_batch) {  // paths-info next
    requests = resolver.plan_batch({kConfig}, 2000);
    REQUIRE(requests.size() == 1);
    resolver.apply_batch(requests[0].group, 500, "", "", "", 2000);
    step = resolver.after_batch(kConfig, 2000);
  }
  CHECK(step.action == StepAction::done);
  CHECK_FALSE(step.found);
}

// ---- class 6: the hash a download started with guards it to the end -----------------------

TEST_CASE("a record that goes stale during its download still guards it", "[resolver][staleness]") {
  Resolver resolver(short_lived());
  resolver.after_pointer(kShard, 200,
                         "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash + "\nsize 10\n", kCommit, 0);
  REQUIRE(serves(resolver.begin(kShard, 900), kHash));  // the download starts with kHash
  // It ends after max_age with bytes that are not kHash (a truncated body).
  Step truncated = downloaded(resolver, kShard, kHash3, 2000, "", kHash);
  CHECK(truncated.error_kind == "cos-hash-mismatch");
  CHECK_FALSE(truncated.found);
  CHECK(truncated.persist_key.empty());
  CHECK_FALSE(serves(resolver.begin(kShard, 2001), kHash3));
  CHECK(resolver.references(kHash3) == 0);
  // The right bytes are accepted, and date the record anew.
  Step right = downloaded(resolver, kShard, kHash, 2002, "", kHash);
  CHECK(right.error_kind.empty());
  CHECK(serves(resolver.begin(kShard, 2003), kHash));
}

TEST_CASE("an LFS file's record confirmed by its bytes counts from now and takes no blob id from the ETag", "[resolver][staleness]") {
  Resolver resolver(short_lived());
  resolver.after_pointer(kShard, 200,
                         "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash + "\nsize 10\n", kCommit, 0);
  // Served after a failed revalidation ("stale"), downloaded, and the bytes are kHash.
  Step confirmed = downloaded(resolver, kShard, kHash, 2000, std::string(40, '7'), kHash);
  CHECK(confirmed.hit == "verified");
  CHECK(confirmed.record.stored_at == 2000);
  CHECK(confirmed.record.blob.empty());  // a CDN's ETag names no git blob of an LFS file
  CHECK(coc::decode_record(confirmed.persist_body).record.stored_at == 2000);
  CHECK(serves(resolver.begin(kShard, 2500), kHash));
}

TEST_CASE("bytes that match the hash they started with never replace a newer record", "[resolver][staleness]") {
  Resolver resolver(short_lived());
  const std::string lfs = "version https://git-lfs.github.com/spec/v1\noid sha256:";
  resolver.after_pointer(kShard, 200, lfs + kHash + "\nsize 10\n", kCommit, 0);
  // While kHash's bytes download, a newer record arrives (the file changed).
  resolver.after_pointer(kShard, 200, lfs + kHash2 + "\nsize 10\n", kCommit, 10);
  Step late = downloaded(resolver, kShard, kHash, 20, "", kHash);
  CHECK(late.error_kind.empty());
  CHECK(late.persist_key.empty());
  CHECK(serves(resolver.begin(kShard, 30), kHash2));
}

// ---- class 7: a record dated in the future is stale ---------------------------------------

TEST_CASE("a record or listing dated in the future is stale", "[resolver][staleness]") {
  const double year = 365.0 * 24 * 3600 * 1000;
  Resolver resolver(short_lived());
  // Learned while the clock was a year ahead; now it is right again.
  resolver.after_pointer(kShard, 200,
                         "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash + "\nsize 10\n", kCommit, year);
  CHECK(resolver.begin(kShard, 1000).action == StepAction::fetch_batch);

  coc::HashRecord record;
  record.value = kHash;
  record.source = "batch";
  record.stored_at = year;
  Resolver reloaded(short_lived());
  CHECK(reloaded.after_persisted(kShard, true, coc::encode_record(record), 1000).action == StepAction::fetch_batch);

  Resolver listed(short_lived());
  list_revision(listed, {kShard}, year, kBlob);
  CHECK(listed.begin(kShard, 1000).action == StepAction::fetch_batch);
  CHECK(listed.listings() == 0);

  // Ahead by up to the allowed skew (a minute, or max_age when that is shorter) is still fresh.
  Resolver skewed;  // max_age one hour
  skewed.after_pointer(kShard, 200,
                       "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash + "\nsize 10\n", kCommit, 31000);
  CHECK(serves(skewed.begin(kShard, 1000), kHash));  // 30 s ahead
  skewed.after_pointer(kConfig, 200,
                       "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash + "\nsize 10\n", kCommit, 62000);
  CHECK(skewed.begin(kConfig, 1000).action == StepAction::fetch_batch);  // 61 s ahead
  CHECK(resolver.begin(kShard, year - 1500).action == StepAction::fetch_batch);  // ahead by more than max_age
}

// ---- class 9: local lookups find a record whatever its age ---------------------------------

TEST_CASE("a local lookup finds a record of any age, in memory or in the persisted store", "[resolver][staleness]") {
  Resolver resolver(short_lived());
  resolver.after_pointer(kShard, 200,
                         "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash + "\nsize 10\n", kCommit, 0);
  Step local = resolver.begin(kShard, 5000, Resolver::Lookup::local);
  CHECK(serves(local, kHash));
  CHECK(resolver.begin(kShard, 5000).action == StepAction::fetch_batch);  // a resolution still revalidates

  coc::HashRecord record;
  record.value = kHash2;
  record.source = "content";
  record.stored_at = 1;
  Resolver reloaded(short_lived());
  Step read = reloaded.begin(kConfig, 5000, Resolver::Lookup::local);
  REQUIRE(read.action == StepAction::read_persisted);
  Step found = reloaded.after_persisted(kConfig, true, coc::encode_record(record), 5000, Resolver::Lookup::local);
  CHECK(serves(found, kHash2));
  Step missing = reloaded.after_persisted(kShard, false, "", 5000, Resolver::Lookup::local);
  CHECK(missing.action == StepAction::done);
  CHECK_FALSE(missing.found);
  // Nothing but memory and our store: no legacy store, listing or network step.
  Resolver cold(short_lived());
  CHECK(cold.begin(kHub + "/org/model/resolve/main/x.bin?token=hf_x", 0, Resolver::Lookup::local).action == StepAction::done);
}

// ---- class 14: one batch group per repo revision ------------------------------------------

TEST_CASE("two repo revisions never share a batch group", "[resolver][staleness]") {
  // Repo "org/m", branch "x|y" and repo "org/m|x", branch "y": joined with '|' they read alike.
  const std::string first = kHub + "/org/m/resolve/x%7Cy/model.bin";
  const std::string second = kHub + "/org/m|x/resolve/y/model.bin";
  const coc::ArtifactUrl a = coc::parse_artifact_url(first);
  const coc::ArtifactUrl b = coc::parse_artifact_url(second);
  REQUIRE(a.repo_id == "org/m");
  REQUIRE(a.revision == "x|y");
  REQUIRE(b.repo_id == "org/m|x");
  REQUIRE(b.revision == "y");
  CHECK(coc::batch_group(a) != coc::batch_group(b));
  // An endpoint's path prefix against a repo id: "https://hub.example/p|model|x" + "org/m"
  // and "https://hub.example/p" + "x|model|org/m".
  const coc::ArtifactUrl c = coc::parse_artifact_url(kHub + "/p|model|x/org/m/resolve/main/model.bin");
  const coc::ArtifactUrl d = coc::parse_artifact_url(kHub + "/p/x|model|org/m/resolve/main/model.bin");
  REQUIRE(c.endpoint == kHub + "/p|model|x");
  REQUIRE(d.repo_id == "x|model|org/m");
  CHECK(coc::batch_group(c) != coc::batch_group(d));

  Resolver resolver;
  auto requests = resolver.plan_batch({first, second}, 0);
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].url == kHub + "/api/models/org/m/tree/x%7Cy?recursive=true");
  CHECK(requests[1].url == kHub + "/api/models/org/m|x/tree/y?recursive=true");
  // One repo's listing never answers for the other's files.
  const std::string answer = R"([{"type":"file","path":"model.bin","size":10,"oid":")" + std::string(40, '1') +
                             R"(","lfs":{"oid":")" + kHash + R"(","size":10,"pointerSize":130}}])";
  REQUIRE(resolver.apply_batch(requests[0].group, 200, answer, kCommit, "", 0).ok);
  CHECK(serves(resolver.after_batch(first, 0), kHash));
  CHECK_FALSE(serves(resolver.begin(second, 0), kHash));
}

TEST_CASE("a deletion dated in the future does not keep a URL out of the snapshot for that long", "[resolver][staleness]") {
  const double year = 365.0 * 24 * 3600 * 1000;
  // Another tab deleted the shard while its clock was a year ahead.
  const std::string stored = coc::encode_snapshot({}, {{kShard, year}});
  Resolver tab;
  // Learned now, after that deletion really happened.
  tab.after_pointer(kShard, 200,
                    "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash + "\nsize 10\n", kCommit, 1000);
  coc::SnapshotMerge merge = tab.merge_snapshot(stored, true, 2000);
  CHECK(merge.body.find("\"records\":[]") != std::string::npos);  // as of now it may still be the deleted one
  // Dated now instead, the tombstone expires with the others: ten minutes on, the record is written.
  tab.after_pointer(kShard, 200,
                    "version https://git-lfs.github.com/spec/v1\noid sha256:" + kHash + "\nsize 10\n", kCommit, 2000 + 11 * 60 * 1000);
  merge = tab.merge_snapshot(merge.body, true, 2000 + 11 * 60 * 1000);
  const coc::SnapshotDecode decoded = coc::decode_snapshot(merge.body);
  REQUIRE(decoded.ok);
  REQUIRE(decoded.records.size() == 1);
  CHECK(decoded.records[0].first == kShard);
  CHECK(decoded.deleted.empty());
}

TEST_CASE("a non-hub URL's record expires after max_age_other_hosts_ms, and never by default", "[resolver][staleness]") {
  const std::string other = "https://cdn.example/lib/model.wasm";
  ResolverOptions options;
  options.persist = false;
  Resolver forever(options);
  forever.record_content(other, kHash, 5, 1000);
  CHECK(forever.begin(other, 1e12).found);
  options.max_age_other_hosts_ms = 100;
  Resolver expiring(options);
  expiring.record_content(other, kHash, 5, 1000);
  CHECK(expiring.begin(other, 1100).found);
  const Step expired = expiring.begin(other, 1101);
  CHECK(expired.action == StepAction::done);
  CHECK_FALSE(expired.found);  // its bytes are hashed again
}

TEST_CASE("a URL another tab learned a newer hash for: the newer record stands, whichever tab writes last", "[resolver][staleness]") {
  const std::string other = "https://cdn.example/lib/weights.bin";
  Resolver tab_b;
  tab_b.record_content(other, std::string(64, 'b'), 10, 1000);  // put v1 here, not yet written
  Resolver tab_a;
  tab_a.record_content(other, std::string(64, 'a'), 10, 2000);  // put v2 there, later, and written
  const coc::SnapshotMerge written_by_a = tab_a.merge_snapshot("", false, 2000);
  // This tab writes after the other: its older record does not overwrite the newer one.
  const coc::SnapshotMerge merge = tab_b.merge_snapshot(written_by_a.body, true, 3000);
  const coc::SnapshotDecode decoded = coc::decode_snapshot(merge.body);
  REQUIRE(decoded.ok);
  REQUIRE(decoded.records.size() == 1);
  CHECK(decoded.records[0].second.value == std::string(64, 'a'));
  CHECK(tab_b.begin(other, 3000).record.value == std::string(64, 'a'));
  // A record learned here after the other tab's is the one written.
  Resolver tab_c;
  tab_c.record_content(other, std::string(64, 'c'), 10, 4000);
  const coc::SnapshotDecode latest = coc::decode_snapshot(tab_c.merge_snapshot(written_by_a.body, true, 4000).body);
  REQUIRE(latest.records.size() == 1);
  CHECK(latest.records[0].second.value == std::string(64, 'c'));
}
