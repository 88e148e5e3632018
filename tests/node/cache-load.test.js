// Loading the fixture model through the cache: cold, reload, another origin, no Cache API.
import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, expectedHash, hubFor, modelUrls, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

async function loadAll(cache, urls) {
  const buffers = await Promise.all(urls.map((url) => cache.fetchWithCache(url, "arraybuffer")));
  return buffers.map(sha);
}

test("cold load: one listing of the repo revision, every file downloaded once and stored in COS", async (t) => {
  const hub = await hubFor(t);
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const urls = modelUrls(hub);

  assert.deepEqual(await loadAll(cache, urls), urls.map((url) => expectedHash(hub, url)));
  assert.equal(hub.counters.tree, 1, "one listing for the whole repo revision");
  assert.equal(hub.counters.pathsInfo, 0, "no paths-info request");
  assert.equal(hub.counters.raw, 0, "no LFS pointer requests");
  assert.equal(hub.counters.resolve, hub.model.files.length, "each hub file downloaded once");
  assert.equal(hub.counters.wasm, 1);
  assert.equal(cos.store.entries().length, urls.length);
  for (const entry of cos.store.entries()) assert.equal(entry.origins, "*");
  const stats = cache.stats();
  assert.equal(stats.hits.batch, hub.model.files.filter((f) => f.lfs).length);
  assert.deepEqual(stats.resolutionRequests, { listing: 1, pathsInfo: 0, pointer: 0 });
  assert.equal(stats.stored, urls.length);
  assert.equal(stats.storageHits, 0, "reading back what was just stored is not a storage hit");
  assert.equal(stats.bytesFromStorage, 0);
  assert.deepEqual(events, []);
});

test("reload: zero resolution requests and every byte from storage", async (t) => {
  const hub = await hubFor(t);
  const { caches, cos } = stores();
  const first = await cacheOn({ caches, storage: cos.store.manager() });
  const urls = modelUrls(hub);
  await loadAll(first.cache, urls);
  hub.resetCounters();

  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.deepEqual(await loadAll(cache, urls), urls.map((url) => expectedHash(hub, url)));
  assert.equal(hub.counters.requests, 0, "the hub saw no request at all");
  const stats = cache.stats();
  assert.equal(stats.hits.persisted, urls.length);
  assert.equal(stats.bytesDownloaded, 0);
  assert.equal(stats.storageHits, urls.length);
  assert.ok(stats.bytesFromStorage > 0);
  assert.deepEqual(events, []);
});

test("another origin: LFS files resolve by one batch request and come from COS without download", async (t) => {
  const hub = await hubFor(t);
  const cos = stores().cos;
  const urls = modelUrls(hub);
  const a = await cacheOn({ caches: new MemoryCacheStorage(), storage: cos.store.manager("http://localhost:1111") });
  await loadAll(a.cache, urls);
  hub.resetCounters();

  const b = await cacheOn({ caches: new MemoryCacheStorage(), storage: cos.store.manager("http://localhost:2222") });
  assert.deepEqual(await loadAll(b.cache, urls), urls.map((url) => expectedHash(hub, url)));
  const lfs = hub.model.files.filter((f) => f.lfs);
  assert.equal(hub.counters.tree, 1);
  assert.equal(hub.counters.pathsInfo, 0);
  assert.equal(hub.counters.raw, 0);
  for (const file of lfs) assert.equal(hub.countFor(file.path).resolve, 0, `${file.path} not downloaded`);
  // Non-LFS files have no hash before their bytes: they are downloaded once.
  assert.equal(hub.counters.resolve, hub.model.files.length - lfs.length);
  assert.equal(b.cache.stats().storageHits, lfs.length);
});

test("without a Cache API persistence is off and loading still works", async (t) => {
  const hub = await hubFor(t);
  const { cos } = stores();
  assert.equal(typeof globalThis.caches, "undefined", "Node has no Cache API");
  const urls = modelUrls(hub);
  const { cache, events } = await cacheOn({ caches: undefined, storage: cos.store.manager() });
  assert.deepEqual(await loadAll(cache, urls), urls.map((url) => expectedHash(hub, url)));
  // A second instance knows nothing persisted: it resolves again, but bytes of LFS files come from COS.
  hub.resetCounters();
  const again = await cacheOn({ caches: undefined, storage: cos.store.manager() });
  await loadAll(again.cache, urls);
  assert.equal(hub.counters.tree, 1);
  assert.equal(hub.counters.pathsInfo, 0);
  assert.equal(again.cache.stats().hits.persisted, 0);
  assert.deepEqual(events, []);
});

for (const api of ["getFileHandle", "requestFileHandle", "requestFileHandles"]) {
  test(`COS manager offering only ${api}`, async (t) => {
    const hub = await hubFor(t, { shards: 2 });
    const { caches, cos } = stores({ api });
    const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
    const url = hub.model.files[0].url;
    assert.equal(sha(await cache.fetchWithCache(url, "arraybuffer")), expectedHash(hub, url));
    const reload = await cacheOn({ caches, storage: cos.store.manager() });
    assert.equal(sha(await reload.cache.fetchWithCache(url, "arraybuffer")), expectedHash(hub, url));
    assert.ok(cos.store.calls.length > 0);
    assert.ok(cos.store.calls.every((call) => call.method === api));
    assert.equal(reload.cache.stats().storageHits, 1);
  });
}

test("fetchWithCache storetypes: json, arraybuffer, Response with Content-Length", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const configUrl = hub.model.files.find((f) => f.path === "mlc-chat-config.json").url;
  const expected = await (await fetch(configUrl)).json();
  assert.deepEqual(await cache.fetchWithCache(configUrl, "json"), expected);
  const response = await cache.fetchWithCache(configUrl);
  assert.ok(response instanceof Response);
  const bytes = await response.arrayBuffer();
  assert.equal(response.headers.get("Content-Length"), String(bytes.byteLength));
  assert.match(response.headers.get("Content-Type"), /^application\/json/);
  // From storage too (a reload), and a .wasm is served as application/wasm for instantiateStreaming.
  const reload = await cacheOn({ caches, storage: cos.store.manager() });
  assert.match((await reload.cache.fetchWithCache(configUrl)).headers.get("Content-Type"), /^application\/json/);
  const wasm = await reload.cache.fetchWithCache(hub.model.wasm.url);
  assert.equal(wasm.headers.get("Content-Type"), "application/wasm");
  await assert.rejects(cache.fetchWithCache(configUrl, "text"), TypeError);
});

test("HTTP errors of the file itself reject with the URL and status", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const missing = `${hub.url}/test-org/test-model/resolve/main/nope.bin`;
  await assert.rejects(cache.fetchWithCache(missing), /nope\.bin.*HTTP 404/);
  assert.equal(cos.store.entries().length, 0);
});
