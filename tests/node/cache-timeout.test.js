// A resolution request that never answers (listing, paths-info, LFS pointer) times out after
// resolutionTimeout ms and the next source answers; a caller's signal ends only its own call.
import { test } from "node:test";
import assert from "node:assert/strict";

import { createCrossOriginCache } from "../../js/index.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";

const TIMEOUT_MS = 300;
const lfsFilesOf = (hub) => hub.model.files.filter((f) => f.lfs);
const hang = (hub, kinds) => hub.setFault((req) => kinds.includes(req.kind), { hang: true });

test("a listing that never answers: after resolutionTimeout paths-info answers, and the hung request is reported", { timeout: 15000 }, async (t) => {
  const hub = await hubFor(t, { shards: 3 });
  hang(hub, ["tree"]);
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), resolutionTimeout: TIMEOUT_MS });
  const files = lfsFilesOf(hub);
  const started = performance.now();
  // One at a time, as web-llm asks: every file of the revision waits on the one listing.
  const hashes = await Promise.all(files.map((f) => cache.resolveHash(f.url)));
  const elapsed = performance.now() - started;
  assert.deepEqual(hashes.map((h) => h?.value), files.map((f) => f.sha256));
  assert.ok(elapsed >= TIMEOUT_MS - 20 && elapsed < 5000, `${elapsed} ms`);
  assert.deepEqual(events.map((e) => e.kind), ["listing-failed"]);
  assert.match(events[0].message, new RegExp(`timed out after ${TIMEOUT_MS} ms`));
  assert.deepEqual({ tree: hub.counters.tree, pathsInfo: hub.counters.pathsInfo, raw: hub.counters.raw }, { tree: 1, pathsInfo: 1, raw: 0 });
  assert.deepEqual(cache.stats().resolutionRequests, { listing: 1, pathsInfo: 1, pointer: 0 });
  assert.equal(cache.stats().errors["listing-failed"], 1);
});

test("listing, paths-info and pointers that never answer: every file still loads, by its content, in bounded time", { timeout: 15000 }, async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  hang(hub, ["tree", "pathsInfo", "raw"]);
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), resolutionTimeout: TIMEOUT_MS });
  const files = lfsFilesOf(hub);
  const started = performance.now();
  const loaded = await Promise.all(files.map((f) => cache.fetchWithCache(f.url, "arraybuffer")));
  const elapsed = performance.now() - started;
  assert.deepEqual(loaded.map((b) => b.byteLength), files.map((f) => f.size));
  assert.ok(elapsed < 3 * TIMEOUT_MS + 3000, `${elapsed} ms`);
  const kinds = events.map((e) => e.kind).sort();
  assert.deepEqual(kinds, ["batch-failed", "listing-failed", ...files.map(() => "pointer-fetch-failed")].sort());
  for (const event of events) assert.match(event.message, /timed out after 300 ms/, event.message);
  assert.equal(hub.counters.raw, files.length);
  assert.equal(cache.stats().hits.content, files.length, "hashed from the bytes");
  // The hub was told so: no hung request is left open by the cache.
  assert.equal(cache.stats().resolutionRequests.pointer, files.length);
});

test("a caller's abort ends only its own call: another caller waiting on the same hung listing goes on", { timeout: 15000 }, async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  hang(hub, ["tree"]);
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), resolutionTimeout: TIMEOUT_MS });
  const [a, b] = lfsFilesOf(hub);
  const controller = new AbortController();
  const first = cache.fetchWithCache(a.url, "arraybuffer", controller.signal);
  const second = cache.fetchWithCache(b.url, "arraybuffer");
  setTimeout(() => controller.abort(), 50);
  const abortedAt = performance.now();
  await assert.rejects(first, { name: "AbortError" });
  assert.ok(performance.now() - abortedAt < TIMEOUT_MS, "the aborted call ended before the timeout");
  assert.equal((await second).byteLength, b.size);
  assert.deepEqual(events.map((e) => e.kind), ["listing-failed"]);
  // The file of the aborted call is still resolvable afterwards.
  assert.equal((await cache.resolveHash(a.url)).value, a.sha256);
});

test("resolutionTimeout must be a positive number of milliseconds: a TypeError naming it otherwise", async () => {
  for (const bad of [0, -1, Number.NaN, "300", 2 ** 31, true, -Infinity]) {
    await assert.rejects(createCrossOriginCache({ caches: undefined, storage: null, resolutionTimeout: bad }),
      (error) => error instanceof TypeError && /resolutionTimeout/.test(error.message), String(bad));
  }
  for (const good of [1, 30000, 2 ** 31 - 1, Infinity, undefined]) {
    const cache = await createCrossOriginCache({ caches: undefined, storage: null, resolutionTimeout: good });
    cache.dispose();
  }
});
