// Responses the cache cannot use get a clear error that names the URL, and leave nothing behind:
// no wasm object, no mapping, no stored entry (issue: bad responses and bad options).
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadCore } from "../../js/index.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { loadTestCore } from "../support/test-core.js";

// liveObjectCount() is in the test module only: it is this file's default core, caches included.
await loadTestCore();

const lfsFile = (hub) => hub.model.files.find((f) => f.lfs);
const plainFile = (hub) => hub.model.files.find((f) => f.path === "tokenizer.json");
const persistedKeys = async (caches) =>
  (await (await caches.open("cross-origin-cache-cos-hash-meta")).keys()).map((r) => r.url);

for (const status of [204, 205]) {
  for (const which of ["lfs", "plain"]) {
    test(`a ${status} answer to a download (${which} file) rejects naming the URL and leaks no wasm object`, async (t) => {
      const hub = await hubFor(t, { shards: 1 });
      const core = await loadCore();
      const { caches, cos } = stores();
      const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
      const file = which === "lfs" ? lfsFile(hub) : plainFile(hub);
      hub.setFault((info) => info.kind === "resolve" && info.url.includes(file.path), { status, body: "" });
      await cache.resolveHash(file.url);  // resolution leaves nothing live of its own
      const before = core.liveObjectCount();
      for (let attempt = 0; attempt < 3; attempt++) {
        await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), (error) => {
          assert.ok(error instanceof Error && !(error instanceof TypeError), `a plain Error, got ${error?.name}`);
          assert.match(error.message, new RegExp(`fetching ${file.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} failed: HTTP ${status}`));
          return true;
        });
      }
      assert.equal(core.liveObjectCount(), before, "every wasm object made for the attempts was freed");
      assert.equal(cos.store.entries().length, 0, "nothing stored");
      if (which === "plain") assert.deepEqual(await persistedKeys(caches), [], "no mapping");
    });
  }
}

test("a 206 answer to a request for a whole file is refused, not stored as the file", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const file = plainFile(hub);
  hub.setFault((info) => info.kind === "resolve" && info.url.includes(file.path),
    { status: 206, body: "{\"par", headers: { "Content-Range": "bytes 0-4/100" } });
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), /HTTP 206/);
  assert.equal(cos.store.entries().length, 0);
  assert.deepEqual(await persistedKeys(caches), []);
});

const refusedPuts = [
  ["a 206 partial response", (url) => [url, new Response("part", { status: 206, headers: { "Content-Range": "bytes 0-3/10" } })], /206/],
  ["a POST request", (url) => [new Request(url, { method: "POST", body: "x" }), new Response("body")], /only GET/],
  ["a response with Vary: *", (url) => [url, new Response("body", { headers: { Vary: "Accept, *" } })], /Vary/],
  ["a response whose body was read", (url) => {
    const response = new Response("body");
    response.text();
    return [url, response];
  }, /already read/],
];

for (const [what, make, message] of refusedPuts) {
  test(`put() refuses ${what} with a TypeError and maps nothing`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager(), batch: false });
    const url = `${hub.url}/elsewhere/file.bin`;
    const [request, response] = make(url);
    await assert.rejects(cache.put(request, response), (error) => error instanceof TypeError && message.test(error.message));
    assert.equal(await cache.resolveHash(url), null, "no URL→hash mapping");
    assert.equal(cos.store.entries().length, 0, "nothing stored");
    assert.deepEqual(await persistedKeys(caches), []);
  });
}

test("match() of a non-GET request is a miss, as the Cache API's is", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const file = plainFile(hub);
  await cache.addToCache(file.url);
  assert.ok(await cache.match(file.url), "a GET finds it");
  assert.equal(await cache.match(new Request(file.url, { method: "HEAD" })), undefined);
});

test("fetchWithCache and addToCache refuse a non-GET request, and an unknown storetype, before fetching anything", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const file = plainFile(hub);
  const post = () => new Request(file.url, { method: "POST", body: "a query" });
  for (const call of [() => cache.fetchWithCache(post(), "arraybuffer"), () => cache.addToCache(post())]) {
    await assert.rejects(call(), (error) => error instanceof TypeError && /only GET requests can be loaded through the cache, not POST/.test(error.message));
  }
  for (const call of [() => cache.fetchWithCache(file.url, "text"), () => cache.addToCache(file.url, "blob")]) {
    await assert.rejects(call(), (error) => error instanceof TypeError && /unknown storetype/.test(error.message));
  }
  assert.equal(hub.counters.requests, 0, "nothing was fetched");
  assert.equal(cache.stats().downloads, 0);
  assert.equal(cos.store.entries().length, 0);
});
