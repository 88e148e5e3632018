// Storing through COS: its errors, the fallback store, verification, private bytes, deletion.
import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { loadCore } from "../../js/index.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const lfsFile = (hub, i = 0) => hub.model.files.filter((f) => f.lfs)[i];
const plainFile = (hub, name = "tokenizer.json") => hub.model.files.find((f) => f.path === name);
const failAt = (wanted, name) => ({ step }) => (step === wanted ? new DOMException(`injected ${name}`, name) : undefined);
const persistedKeys = async (caches, scope = "cross-origin-cache") =>
  (await (await caches.open(`${scope}-cos-hash-meta`)).keys()).map((r) => r.url);

test("COS NotFoundError on read is a miss: fetched, stored, then served from COS", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const file = lfsFile(hub);
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.ok(cos.store.calls.some((c) => c.step === "getFile" && c.error === "NotFoundError") ||
    cos.store.calls.some((c) => c.step === "request" && c.error === "NotFoundError"));
  assert.equal(cos.store.get(file.sha256)?.writing, false);
  assert.deepEqual(events, [], "a miss is not an error");
});

test("COS NotAllowedError on read: bytes from the network, nothing stored, reported", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches } = stores();
  const file = lfsFile(hub);
  const { store } = stores({ faults: ({ step, create }) => (step === "request" && !create ? new DOMException("busy", "NotAllowedError") : undefined) }).cos;
  const { cache, events } = await cacheOn({ caches, storage: store.manager() });
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.deepEqual(events.map((e) => e.kind), ["cos-not-allowed"]);
  assert.equal(store.counts.createWritable, 0, "no store attempted while another tab writes");
});

test("COS DataError on close: the caller gets an error, nothing persisted", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches } = stores();
  const file = lfsFile(hub);
  const { store } = stores({ faults: failAt("close", "DataError") }).cos;
  const { cache, events } = await cacheOn({ caches, storage: store.manager() });
  await cache.resolveHash(file.url);
  await (await caches.open("cross-origin-cache-cos-hash-meta")).delete(file.url);
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), new RegExp(file.sha256));
  assert.ok(events.some((e) => e.kind === "cos-hash-mismatch"));
  assert.equal(store.entries().length, 0);
  assert.deepEqual(await persistedKeys(caches), []);
});

for (const wanted of ["createWritable", "write", "close"]) {
  test(`COS QuotaExceededError at ${wanted}: the caller still gets its data, reported, nothing persisted`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    const caches = new MemoryCacheStorage();
    const { store } = stores({ faults: failAt(wanted, "QuotaExceededError") }).cos;
    const { cache, events } = await cacheOn({ caches, storage: store.manager(), batch: false });
    const file = plainFile(hub);
    assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
    assert.deepEqual(events.map((e) => e.kind), ["cos-quota"]);
    assert.equal(store.entries().length, 0);
    assert.deepEqual(await persistedKeys(caches), [], "no mapping for bytes that were not stored");
  });
}

test("COS failure mid-write of a known hash: bytes fetched again and returned, reported", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const caches = new MemoryCacheStorage();
  const { store } = stores({ faults: failAt("write", "UnknownError") }).cos;
  const { cache, events } = await cacheOn({ caches, storage: store.manager() });
  const file = lfsFile(hub);
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.deepEqual(events.map((e) => e.kind), ["cos-failed"]);
  assert.equal(store.entries().length, 0);
  const stats = cache.stats();
  assert.equal(stats.downloads, 2);
});

test("hub bytes that differ from the LFS pointer: error naming URL and both hashes, nothing stored or persisted", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = lfsFile(hub);
  const evil = Buffer.from("not the model you are looking for");
  hub.setFault((req) => req.kind === "resolve", { replaceBytes: evil });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.resolveHash(file.url);
  const persistedBefore = await persistedKeys(caches);
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), (error) => {
    assert.match(error.message, new RegExp(file.path));
    assert.match(error.message, new RegExp(file.sha256));
    assert.match(error.message, new RegExp(sha(evil)));
    return true;
  });
  assert.deepEqual(events.map((e) => e.kind), ["cos-hash-mismatch"]);
  assert.equal(cos.store.entries().length, 0);
  assert.equal(cos.store.counts.close, 0, "the write was aborted, not closed");
  assert.deepEqual(await persistedKeys(caches), persistedBefore, "no new mapping");
});

test("fallback store: no COS manager → same-origin Cache API store with verified writes", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const caches = new MemoryCacheStorage();
  const { cache } = await cacheOn({ caches, storage: null });
  assert.equal(cache.storageKind, "fallback");
  const urls = [lfsFile(hub).url, plainFile(hub).url];
  for (const url of urls) await cache.fetchWithCache(url, "arraybuffer");
  assert.equal((await (await caches.open("cross-origin-cache-cos-fallback")).keys()).length, 2);
  hub.resetCounters();
  const reload = await cacheOn({ caches, storage: null });
  for (const url of urls) assert.ok((await reload.cache.fetchWithCache(url, "arraybuffer")).byteLength > 0);
  assert.equal(hub.counters.requests, 0);
  assert.equal(reload.cache.stats().storageHits, 2);
});

test("fallback: false and no COS → plain network, still verified", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const caches = new MemoryCacheStorage();
  const { cache } = await cacheOn({ caches, storage: null, fallback: false });
  assert.equal(cache.storageKind, "none");
  const file = lfsFile(hub);
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.equal(hub.countFor(file.path).resolve, 2);
  assert.deepEqual(await caches.keys(), ["cross-origin-cache-cos-hash-meta"]);
  hub.setFault((req) => req.kind === "resolve", { replaceBytes: Buffer.from("tampered") });
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), /expected/);
});

test("deleteInCache removes the mapping from memory and the persisted store, and the unreferenced fallback entry", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const caches = new MemoryCacheStorage();
  const { cache } = await cacheOn({ caches, storage: null });
  const file = plainFile(hub, "mlc-chat-config.json");
  await cache.fetchWithCache(file.url, "arraybuffer");
  assert.deepEqual(await persistedKeys(caches), [file.url]);
  await cache.flush();
  const snapshotKey = (await loadCore()).snapshotKey;
  assert.deepEqual((await persistedKeys(caches)).sort(), [file.url, snapshotKey].sort());
  await cache.deleteInCache(file.url);
  // Gone from the per-URL entries and from the snapshot of all records a reload reads first.
  assert.deepEqual(await persistedKeys(caches), [snapshotKey]);
  const snapshot = JSON.parse(await (await (await caches.open("cross-origin-cache-cos-hash-meta")).match(snapshotKey)).text());
  assert.deepEqual(snapshot.records, []);
  assert.deepEqual(snapshot.deleted.map(([url]) => url), [file.url], "remembered as deleted, for other tabs");
  assert.equal((await (await caches.open("cross-origin-cache-cos-fallback")).keys()).length, 0);
  const { cache: reloaded } = await cacheOn({ caches, storage: null });
  assert.equal(await reloaded.resolveHash(file.url), null, "a reload does not bring the mapping back");
  hub.resetCounters();
  assert.equal(await cache.hasAllKeys([file.url]), false);
  await cache.fetchWithCache(file.url, "arraybuffer");
  assert.equal(hub.countFor(file.path).resolve, 1, "downloaded again");
});

test("deleteInCache keeps a fallback entry another URL still maps to", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const caches = new MemoryCacheStorage();
  const { cache } = await cacheOn({ caches, storage: null });
  const file = lfsFile(hub);
  await cache.fetchWithCache(file.url, "arraybuffer");
  await cache.fetchWithCache(file.commitUrl, "arraybuffer");
  await cache.deleteInCache(file.url);
  assert.equal((await (await caches.open("cross-origin-cache-cos-fallback")).keys()).length, 1);
  assert.equal(await cache.hasAllKeys([file.commitUrl]), true);
});

test("hasAllKeys: false cold, true after loading; known hashes cost no COS call", async (t) => {
  const hub = await hubFor(t, { shards: 4 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const urls = hub.model.files.map((f) => f.url);
  assert.equal(await cache.hasAllKeys(urls), false);
  for (const url of urls) await cache.addToCache(url);
  cos.store.clearCalls();
  assert.equal(await cache.hasAllKeys(urls), true);
  assert.equal(cos.store.calls.length, 0, "answered from what this cache stored");
  const reload = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal(await reload.cache.hasAllKeys(urls), true);
  assert.equal(cos.store.calls.filter((c) => c.step === "request").length, urls.length, "one COS call per unknown hash");
  assert.equal(cos.store.calls.filter((c) => c.step === "getFile").length, 0, "a handle is enough: no file opened");
});

test("addToCache streams into COS without reading the file back; an entry lost after close is fetched again when bytes are needed", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  let lose = false;
  const caches = new MemoryCacheStorage();
  const { store } = stores({ faults: ({ step }) => (lose && step === "getFile" ? new DOMException("lost", "NotFoundError") : undefined) }).cos;
  const { cache, events } = await cacheOn({ caches, storage: store.manager() });
  const [a, b] = hub.model.files.filter((f) => f.lfs);
  await cache.addToCache(a.url);
  assert.equal(store.counts.getFile, 0, "no read-back");
  assert.equal(store.get(a.sha256)?.writing, false);

  lose = true;  // as the extension does: close() succeeded, the next read finds nothing
  assert.equal(sha(await cache.fetchWithCache(b.url, "arraybuffer")), b.sha256);
  assert.deepEqual(events.map((e) => e.kind), ["cos-failed"]);
  assert.equal(hub.countFor(b.path).resolve, 2);
});

/** A manager whose method calls are counted by name (the stand-in records one call per hash). */
function countingManager(manager) {
  const calls = {};
  const counted = {};
  for (const [name, method] of Object.entries(manager)) {
    counted[name] = (...args) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return method(...args);
    };
  }
  return { manager: counted, calls };
}

test("hasAllKeys asks per hash with the singular method; requestFileHandles (deprecated) only when nothing else is offered, once for every unknown hash", async (t) => {
  const hub = await hubFor(t, { shards: 4 });
  const urls = hub.model.files.map((f) => f.url);
  const expected = {
    all: { getFileHandle: urls.length },
    getFileHandle: { getFileHandle: urls.length },
    requestFileHandle: { requestFileHandle: urls.length },
    requestFileHandles: { requestFileHandles: 1 },
  };
  for (const [api, methodCalls] of Object.entries(expected)) {
    const caches = new MemoryCacheStorage();
    const { cos } = stores({ api });
    const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
    for (const url of urls) await cache.addToCache(url);
    const { manager, calls } = countingManager(cos.store.manager());
    const { cache: reloaded, events } = await cacheOn({ caches, storage: manager });
    cos.store.clearCalls();
    assert.equal(await reloaded.hasAllKeys(urls), true, api);
    assert.deepEqual(calls, methodCalls, api);
    assert.equal(cos.store.calls.length, urls.length, `${api}: each hash asked once`);
    cos.store.clearCalls();
    assert.equal(await reloaded.hasAllKeys(urls), true, "known now: no call");
    assert.equal(cos.store.calls.length, 0);
    assert.deepEqual(events, []);
  }
});

test("hasAllKeys: one hash missing or a failing manager answers false; failures are reported", async (t) => {
  const hub = await hubFor(t, { shards: 3 });
  const urls = hub.model.files.filter((f) => f.lfs).map((f) => f.url);
  const caches = new MemoryCacheStorage();
  let failing = false;
  const { cos } = stores({ faults: ({ step }) => (failing && step === "request" ? new DOMException("broken", "UnknownError") : undefined) });
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  for (const url of urls.slice(1)) await cache.addToCache(url);
  const { cache: reloaded, events } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal(await reloaded.hasAllKeys(urls), false, "the first shard was never stored");
  assert.deepEqual(events, []);
  failing = true;
  assert.equal(await reloaded.hasAllKeys(urls.slice(1)), false);
  assert.deepEqual(events.map((e) => e.kind), ["cos-failed"]);
  failing = false;
  assert.equal(await reloaded.hasAllKeys(urls.slice(1)), true);
});
