// A full storage never breaks a load: the bytes are returned, nothing half-stored stays, nothing
// is counted or mapped as stored, and it is reported as cos-quota.
import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const lfsFile = (hub) => hub.model.files.find((f) => f.lfs);
const plainFile = (hub) => hub.model.files.find((f) => f.path === "tokenizer.json");
const persistedKeys = async (caches) =>
  (await (await caches.open("cross-origin-cache-cos-hash-meta")).keys()).map((r) => r.url);
const fallbackKeys = async (caches) =>
  (await (await caches.open("cross-origin-cache-cos-fallback")).keys()).map((r) => r.url);

// navigator.storage.estimate() as a browser would answer it (Node 20 has no navigator).
function withEstimate(t, estimate) {
  const had = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", { value: { storage: { estimate } }, configurable: true, writable: true });
  t.after(() => {
    if (had) Object.defineProperty(globalThis, "navigator", had);
    else delete globalThis.navigator;
  });
}

// A browser's estimate may be fractional: the message names it as given (formatting it once
// trapped inside the module).
test("fallback store: a fractional storage estimate with no room is reported with its numbers", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = lfsFile(hub);
  withEstimate(t, async () => ({ quota: 1_000_000.5, usage: 999_990.25 }));
  const caches = new MemoryCacheStorage();
  const { cache, events } = await cacheOn({ caches });
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.deepEqual(events.map((e) => e.kind), ["cos-quota"]);
  assert.match(events[0].message, /\(quota 1000000\.5, used 999990\.25\)$/);
  assert.equal(cache.stats().stored, 0);
});

for (const which of ["lfs", "plain"]) {
  test(`fallback store: a ${which} file the storage estimate has no room for is served unstored and reported`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    const file = which === "lfs" ? lfsFile(hub) : plainFile(hub);
    let room = 10;  // bytes left, less than any file
    withEstimate(t, async () => ({ quota: 1_000_000, usage: 1_000_000 - room }));
    const caches = new MemoryCacheStorage();
    const { cache, events } = await cacheOn({ caches });
    assert.equal(cache.storageKind, "fallback");
    assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
    assert.deepEqual(events.map((e) => e.kind), ["cos-quota"]);
    assert.match(events[0].message, /do not fit/);
    assert.deepEqual(await fallbackKeys(caches), [], "no write was started");
    if (which === "plain") assert.deepEqual(await persistedKeys(caches), [], "no mapping for unstored bytes");
    assert.equal(cache.stats().stored, 0);
    assert.equal(await cache.hasAllKeys([file.url]), false);

    room = 1_000_000;  // space freed: the next load stores it
    assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
    assert.equal(cache.stats().stored, 1);
    assert.equal(await cache.hasAllKeys([file.url]), true);
  });
}

test("fallback store: a QuotaExceededError from the Cache API leaves nothing stored and is reported", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const caches = new MemoryCacheStorage();
  const quota = new DOMException("quota", "QuotaExceededError");
  (await caches.open("cross-origin-cache-cos-fallback")).failPut = quota;
  const { cache, events } = await cacheOn({ caches });
  for (const file of [lfsFile(hub), plainFile(hub)]) {
    assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  }
  assert.deepEqual(events.map((e) => e.kind), ["cos-quota", "cos-quota"]);
  assert.deepEqual(await fallbackKeys(caches), []);
  assert.equal(await cache.hasAllKeys([lfsFile(hub).url]), false);
});

for (const entry of ["fetchWithCache", "addToCache"]) {
  test(`COS that closes a write cleanly and keeps nothing (${entry}): bytes served, not counted, reported cos-quota`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    const caches = new MemoryCacheStorage();
    const { store } = stores({ quotaBytes: 16, silentQuota: true }).cos;
    const { cache, events } = await cacheOn({ caches, storage: store.manager() });
    for (const file of [lfsFile(hub), plainFile(hub)]) {
      const loaded = await cache[entry](file.url, "arraybuffer");
      if (entry === "fetchWithCache") assert.equal(sha(loaded), file.sha256, file.path);
    }
    assert.equal(store.entries().length, 0);
    assert.equal(store.counts.lost, 2, "both writes were closed and lost");
    assert.deepEqual(events.map((e) => e.kind), ["cos-quota", "cos-quota"]);
    assert.equal(cache.stats().stored, 0, "nothing counted as stored");
    assert.equal(await cache.hasAllKeys([lfsFile(hub).url]), false, "a lost entry is not reported present");
    assert.ok(!(await persistedKeys(caches)).includes(plainFile(hub).url), "no mapping for a plain file's lost bytes");
  });
}

test("fallback store: a QuotaExceededError on the seal's put takes the unsealed entry out too", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const caches = new MemoryCacheStorage();
  (await caches.open("cross-origin-cache-cos-fallback-seals")).failPut = new DOMException("quota", "QuotaExceededError");
  const { cache, events } = await cacheOn({ caches });
  for (const file of [lfsFile(hub), plainFile(hub)]) {
    assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  }
  assert.deepEqual(events.map((e) => e.kind), ["cos-quota", "cos-quota"]);
  // Before: both entries' bytes stayed, never served (no seal), taking space until overwritten.
  assert.deepEqual(await fallbackKeys(caches), []);
  assert.equal(cache.stats().stored, 0);
});
