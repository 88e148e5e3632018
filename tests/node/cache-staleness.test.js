// Staleness under attack (issue 12): after maxAge every file of a branch is asked for again, a
// download stays guarded by the hash it started with, records dated in the future are stale,
// delete finds records of any age, and two repo revisions never share a batch request.
import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { loadCore } from "../../js/index.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const REPO = "test-org/test-model";
const MAX_AGE = 60000;
const YEAR = 365 * 24 * 3600 * 1000;

// Date.now() under the test's control (the core is given Date.now() at every step).
function fakeClock(t) {
  const realNow = Date.now;
  const clock = { now: realNow() };
  Date.now = () => clock.now;
  t.after(() => { Date.now = realNow; });
  return clock;
}

const fileOf = (hub, name) => hub.model.files.find((f) => f.path === name);
const lfsFile = (hub) => hub.model.files.find((f) => f.lfs);
const fallbackEntries = async (caches) => (await (await caches.open("cross-origin-cache-cos-fallback")).keys()).length;

test("after maxAge every file of a branch is revalidated: changed plain files are downloaded again, unchanged ones confirmed, in any order and across reloads", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const clock = fakeClock(t);
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: MAX_AGE });
  const tensorCache = fileOf(hub, "tensor-cache.json");
  const config = fileOf(hub, "mlc-chat-config.json");
  const tokenizer = fileOf(hub, "tokenizer.json");
  const oldTensorCache = await cache.fetchWithCache(tensorCache.url, "json");
  const oldConfig = await cache.fetchWithCache(config.url, "json");
  assert.equal(sha(await cache.fetchWithCache(tokenizer.url, "arraybuffer")), tokenizer.sha256);

  // The model is updated: new shards come with a new tensor cache and config.
  const newTensorCache = { ...oldTensorCache, metadata: { ...oldTensorCache.metadata, ParamSize: 99 } };
  const newConfig = { ...oldConfig, context_window_size: 4096 };
  hub.commit(REPO, { "tensor-cache.json": JSON.stringify(newTensorCache), "mlc-chat-config.json": JSON.stringify(newConfig) });
  clock.now += MAX_AGE / 2;
  hub.resetCounters();
  assert.deepEqual(await cache.fetchWithCache(config.url, "json"), oldConfig, "within maxAge: no request");
  assert.equal(hub.counters.requests, 0);

  clock.now += MAX_AGE;
  assert.deepEqual(await cache.fetchWithCache(tensorCache.url, "json"), newTensorCache);
  assert.deepEqual(await cache.fetchWithCache(config.url, "json"), newConfig);
  assert.equal(sha(await cache.fetchWithCache(tokenizer.url, "arraybuffer")), tokenizer.sha256);
  assert.ok(hub.counters.tree + hub.counters.pathsInfo >= 1, "the hub was asked");
  assert.equal(hub.countFor("tokenizer.json").resolve, 0, "unchanged: its blob id confirmed it, its bytes came from COS");

  // A reload after the next update: the persisted records of the plain files are stale too,
  // whichever file is asked for first.
  await cache.flush();
  const newerTensorCache = { ...newTensorCache, metadata: { ...newTensorCache.metadata, ParamSize: 100 } };
  const newerConfig = { ...newConfig, context_window_size: 8192 };
  hub.commit(REPO, { "tensor-cache.json": JSON.stringify(newerTensorCache), "mlc-chat-config.json": JSON.stringify(newerConfig) });
  clock.now += MAX_AGE + 1;
  const { cache: configFirst } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: MAX_AGE });
  assert.deepEqual(await configFirst.fetchWithCache(config.url, "json"), newerConfig);
  assert.deepEqual(await configFirst.fetchWithCache(tensorCache.url, "json"), newerTensorCache);
  await configFirst.flush();

  const newestConfig = { ...newerConfig, context_window_size: 16384 };
  hub.commit(REPO, { "mlc-chat-config.json": JSON.stringify(newestConfig) });
  clock.now += MAX_AGE + 1;
  const { cache: shardFirst } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: MAX_AGE });
  await shardFirst.fetchWithCache(lfsFile(hub).url, "arraybuffer");  // lists the revision
  assert.deepEqual(await shardFirst.fetchWithCache(config.url, "json"), newestConfig);
  assert.deepEqual(await shardFirst.fetchWithCache(tensorCache.url, "json"), newerTensorCache);
});

test("a record that goes stale while its bytes download still guards them: a truncated body is refused and later loads work", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const clock = fakeClock(t);
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: MAX_AGE });
  const shard = lfsFile(hub);
  assert.equal((await cache.resolveHash(shard.url)).value, shard.sha256);
  const whole = Buffer.from(await (await fetch(shard.commitUrl)).arrayBuffer());
  const truncated = whole.subarray(0, whole.length >> 1);
  hub.setFault((request) => {
    if (request.kind !== "resolve" || request.path !== shard.path) return false;
    clock.now += MAX_AGE + 1;  // the record goes stale while the body comes in
    return true;
  }, { replaceBytes: truncated, times: 1 });
  await assert.rejects(cache.fetchWithCache(shard.url, "arraybuffer"), new RegExp(shard.sha256));
  assert.equal(sha(await cache.fetchWithCache(shard.url, "arraybuffer")), shard.sha256, "the next load is not refused");
  await cache.flush();
  const { cache: reloaded } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: MAX_AGE });
  assert.equal((await reloaded.resolveHash(shard.url)).value, shard.sha256);
  const stored = await (await caches.open("cross-origin-cache-cos-hash-meta")).match(shard.url);
  assert.equal(JSON.parse(await stored.text()).value, shard.sha256, "the truncated body's hash was never persisted");
});

test("a record dated in the future (a clock that was wrong) is revalidated", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const shard = lfsFile(hub);
  const newBytes = "the shard after an update";
  hub.commit(REPO, { [shard.path]: { bytes: newBytes, lfs: true } });
  // Persisted while the clock was a year ahead, for the file as it was then.
  await (await caches.open("cross-origin-cache-cos-hash-meta")).put(shard.url, new Response(JSON.stringify({
    algorithm: "SHA-256", value: shard.sha256, source: "batch", storedAt: Date.now() + YEAR,
  })));
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal((await cache.resolveHash(shard.url)).value, sha(newBytes));
  assert.equal(hub.counters.tree + hub.counters.pathsInfo + hub.counters.raw, 1);

  // Learned in this session while the clock was ahead, then the clock is put right.
  const clock = fakeClock(t);
  const config = fileOf(hub, "mlc-chat-config.json");
  const { cache: session } = await cacheOn({ caches: new MemoryCacheStorage(), storage: cos.store.manager() });
  clock.now += YEAR;
  await session.fetchWithCache(config.url, "json");
  clock.now -= YEAR;
  hub.commit(REPO, { "mlc-chat-config.json": JSON.stringify({ changed: true }) });
  assert.deepEqual(await session.fetchWithCache(config.url, "json"), { changed: true });
});

test("delete and deleteInCache find a record past maxAge, in memory or persisted, and remove the fallback store's bytes", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const caches = new MemoryCacheStorage();
  const clock = fakeClock(t);
  const { cache } = await cacheOn({ caches, storage: null, maxAge: MAX_AGE });
  const config = fileOf(hub, "mlc-chat-config.json");
  const shard = lfsFile(hub);
  await cache.fetchWithCache(config.url, "arraybuffer");
  await cache.fetchWithCache(shard.url, "arraybuffer");
  assert.equal(await fallbackEntries(caches), 2);
  await cache.flush();
  clock.now += MAX_AGE + 1;
  hub.resetCounters();

  assert.equal(await cache.delete(config.url), true, "its record was found");
  assert.equal(await fallbackEntries(caches), 1, "its bytes are gone");

  // After a reload, with only the per-URL entry to read (no snapshot).
  const store = await caches.open("cross-origin-cache-cos-hash-meta");
  await store.delete((await loadCore()).snapshotKey);
  const { cache: reloaded } = await cacheOn({ caches, storage: null, maxAge: MAX_AGE });
  await reloaded.deleteInCache(shard.url);
  assert.equal(await fallbackEntries(caches), 0);
  assert.equal(await store.match(shard.url), undefined);
  assert.equal(hub.counters.requests, 0, "a local lookup asks nothing");
});

test("two repo revisions whose fields join alike get a request and hashes of their own", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  // Repo "org/m" at branch "x|y" and repo "org/m|x" at branch "y".
  const first = hub.addRepo({ id: "org/m", branch: "x|y", files: [{ path: "model.bin", bytes: "first repo's model", lfs: true }] }).files[0];
  const second = hub.addRepo({ id: "org/m|x", branch: "y", files: [{ path: "model.bin", bytes: "second repo's model", lfs: true }] }).files[0];
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const [a, b] = await cache.resolveHashes([first.url, second.url]);
  assert.equal(a.value, sha("first repo's model"));
  assert.equal(b.value, sha("second repo's model"));
  assert.equal(hub.counters.tree, 2);
  assert.equal(sha(await cache.fetchWithCache(second.url, "arraybuffer")), sha("second repo's model"));
});

test("after maxAge, a plain file whose record came from the snapshot is confirmed by its blob id, not downloaded again", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const clock = fakeClock(t);
  const tokenizer = fileOf(hub, "tokenizer.json");
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: MAX_AGE });
  assert.equal(sha(await cache.fetchWithCache(tokenizer.url, "arraybuffer")), tokenizer.sha256);
  await cache.flush();  // the snapshot holds the record, with the file's git blob id

  clock.now += MAX_AGE + 1;
  hub.resetCounters();
  const { cache: reloaded } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: MAX_AGE });
  assert.equal(sha(await reloaded.fetchWithCache(tokenizer.url, "arraybuffer")), tokenizer.sha256);
  assert.ok(hub.counters.tree + hub.counters.pathsInfo >= 1, "revalidated: the hub was asked");
  // Before: the snapshot dropped the blob id, so the unchanged file was downloaded again.
  assert.equal(hub.countFor("tokenizer.json").resolve, 0, "confirmed by its blob id, its bytes from COS");
});

test("a push after the revision was listed: the file's download of the new commit asks the listing again once, and loads", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const [first, second] = hub.model.files.filter((f) => f.lfs);
  await cache.fetchWithCache(first.url, "arraybuffer");  // lists main
  const pushed = Buffer.from("the second shard, retrained ".repeat(1000));
  hub.commit("test-org/test-model", { [second.path]: { bytes: pushed, lfs: true } });
  for (let load = 0; load < 3; load++) assert.equal(sha(await cache.fetchWithCache(second.url, "arraybuffer")), sha(pushed));
  assert.equal(hub.counters.tree, 2, "listed once more, for the new commit");
  assert.deepEqual(events.map((e) => e.kind), ["record-corrected"]);
});
