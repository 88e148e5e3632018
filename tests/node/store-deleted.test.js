// Other code of the origin may delete the package's Cache API stores while a cache is live (a
// service worker's cleanup of caches it does not know, a "clear data" button). A Cache opened
// before goes on working but no name reaches it (the Cache API's caches.delete(), which
// MemoryCacheStorage follows): what the cache writes afterwards must go where a reload finds it,
// or its loss be reported. Before, records and files written after the deletion went into the
// stores opened at the start, reported as stored, and a reload resolved and downloaded them again.
import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const META = "cross-origin-cache-cos-hash-meta";
const FALLBACK = "cross-origin-cache-cos-fallback";
const SEALS = `${FALLBACK}-seals`;

const victims = {
  "the URL→hash store": [META],
  "the fallback store's entries": [FALLBACK],
  "the fallback store's seals": [SEALS],
  "every store": [META, FALLBACK, SEALS],
};

for (const [name, deleted] of Object.entries(victims)) {
  test(`${name} deleted by other code: a file stored afterwards is found by a reload, with no request`, async (t) => {
    const hub = await hubFor(t, { shards: 2 });
    const [before, after] = hub.model.files.filter((f) => f.lfs);
    const caches = new MemoryCacheStorage();
    const { cache, events } = await cacheOn({ caches, listRepos: false });
    await cache.fetchWithCache(before.url, "arraybuffer");
    await cache.flush();
    for (const store of deleted) assert.equal(await caches.delete(store), true, store);

    await cache.fetchWithCache(after.url, "arraybuffer");
    await cache.flush();
    assert.deepEqual(events, []);
    hub.resetCounters();
    const reload = await cacheOn({ caches, listRepos: false });
    assert.equal(await reload.cache.hasAllKeys([after.url]), true, "the reload holds it");
    assert.equal(sha(await reload.cache.fetchWithCache(after.url, "arraybuffer")), after.sha256);
    assert.equal(hub.counters.requests, 0, "resolved and served from the stores");
    assert.deepEqual(reload.events, []);
  });
}

test("the fallback store deleted while a file's bytes go in: the write's loss is reported and nothing counts as stored", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  const caches = new MemoryCacheStorage();
  const entries = await caches.open(FALLBACK);
  const put = entries.put.bind(entries);
  entries.put = async (key, response) => {
    await caches.delete(FALLBACK);  // the bytes land in a store no reload reaches
    return put(key, response);
  };
  const { cache, events } = await cacheOn({ caches });
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256, "the bytes are served");
  assert.deepEqual(events.map((e) => e.kind), ["cos-failed"]);
  assert.match(events[0].message, /deleted meanwhile/);
  assert.equal(cache.stats().stored, 0);
});
