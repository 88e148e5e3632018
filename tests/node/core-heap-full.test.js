// When the core cannot even take a body in (its heap is full, a bad_alloc turned into a JS Error),
// the request counts as failed and the next source answers; the load never fails for it.
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadCore } from "../../js/index.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";

// Makes the core's `name` method throw once, as a failed allocation does, then behave.
async function throwOnce(t, name) {
  const core = await loadCore();
  const original = core.Resolver.prototype[name];
  let thrown = 0;
  core.Resolver.prototype[name] = function (...args) {
    if (thrown++ === 0) throw new Error("std::bad_alloc");
    return original.apply(this, args);
  };
  t.after(() => { core.Resolver.prototype[name] = original; });
  return () => thrown;
}

test("a listing the core cannot take in: reported, paths-info answers", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const calls = await throwOnce(t, "applyBatch");
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const shard = hub.model.files.find((f) => f.lfs);
  assert.equal((await cache.resolveHash(shard.url)).value, shard.sha256);
  assert.ok(calls() >= 2, "the core was told the request failed");
  assert.deepEqual(events.map((e) => e.kind), ["listing-failed"]);
  assert.match(events[0].message, /failed/);
  assert.equal(cache.stats().resolutionRequests.pathsInfo, 1, "paths-info asked instead");
});

test("a snapshot the core cannot take in: reported, the per-URL entries answer", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const first = await cacheOn({ caches, storage: cos.store.manager() });
  const shard = hub.model.files.find((f) => f.lfs);
  await first.cache.resolveHash(shard.url);
  await first.cache.flush();
  await throwOnce(t, "loadSnapshot");
  hub.resetCounters();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal((await cache.resolveHash(shard.url)).value, shard.sha256);
  assert.deepEqual(events.map((e) => e.kind), ["persisted-snapshot-invalid"]);
  assert.equal(hub.counters.requests, 0, "answered by its own persisted entry");
});

// embind copies a string into memory it does not check it got: a piece larger than the core takes
// in at once is refused before it is copied, and the core goes on working.
test("a string larger than the core takes in is a RangeError, and the core still works", async () => {
  const core = await loadCore();
  const writeId = "a".repeat(16);
  const seal = `{"write":"${writeId}","size":1}`;
  // 300 MB: more than the heap can ever hold; 150 MB: fits once, not with the C++ copy.
  for (const size of [300e6, 150e6, core.maxInputBytes + 1]) {
    assert.throws(() => core.fallbackSealVouches("x".repeat(size), writeId, -1),
      (error) => error instanceof RangeError && /more than the core takes in at once/.test(error.message), `${size} bytes`);
    assert.equal(core.fallbackSealVouches(seal, writeId, 1), true, `the core works after ${size} bytes`);
  }
  assert.equal(core.fallbackSealVouches("x".repeat(core.maxInputBytes), writeId, -1), false, "the largest input is taken");
});
