// dispose() while loads are in flight: they stop reading their bodies at once and every caller's
// call rejects with an AbortError saying the cache was disposed, nothing is stored and nothing
// reported as a storage failure. Before, a download went on to its end and then failed with a
// `cos-failed` event for the disposal.
import { test } from "node:test";
import assert from "node:assert/strict";

import { STORAGES, cacheOn, fallbackEntries, hubFor, stores } from "../support/cache-setup.js";

const MiB = 1024 * 1024;

for (const [storageName, setup] of Object.entries(STORAGES)) {
  test(`${storageName}: dispose() mid-download stops the read and rejects every caller with an AbortError`, async (t) => {
    // 32 MiB at broadband's 12.5 MB/s per connection: seconds to send, so dispose() comes mid-body.
    const hub = await hubFor(t, { shards: 1, shardSize: 32 * MiB, network: "broadband" });
    const shard = hub.model.files.find((file) => file.lfs);
    const made = stores();
    const { cache, events } = await cacheOn(setup(made));
    const unhandled = [];
    const onUnhandled = (reason) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    t.after(() => process.off("unhandledRejection", onUnhandled));

    const calls = [cache.fetchWithCache(shard.url, "arraybuffer"), cache.fetchWithCache(shard.url), cache.addToCache(shard.url)];
    // Some of the body has left the hub (a body read whole counts nothing in stats until its end).
    while (hub.counters.bytes.resolve < 2 * MiB) await new Promise((resolve) => setTimeout(resolve, 10));
    cache.dispose();
    const outcomes = await Promise.allSettled(calls);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, "rejected");
      assert.equal(outcome.reason.name, "AbortError");
      assert.equal(outcome.reason.message, "cross-origin-cache: the cache was disposed");
    }
    const readAtDisposal = cache.stats().bytesDownloaded;
    await new Promise((resolve) => setTimeout(resolve, 300));  // a read that went on would show here
    assert.equal(cache.stats().bytesDownloaded, readAtDisposal, "nothing is read after dispose()");
    assert.ok(readAtDisposal < shard.size, `read ${readAtDisposal} of ${shard.size} bytes`);
    assert.deepEqual(events, [], "a disposal is no storage failure");
    assert.equal(made.cos.store.entries().length, 0);
    assert.equal(await fallbackEntries(made.caches), 0);
    await assert.rejects(cache.fetchWithCache(shard.url), /the cache was disposed/);
    assert.deepEqual(unhandled, []);
    cache.dispose();  // a second call does nothing
  });
}

test("dispose() ends the hub requests of resolutions in flight: a hanging /raw/ or listing is closed, the calls reject", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.path === "tokenizer.json");
  // The hub sees a closed request once its socket closes: wait for that, up to a bound a request
  // left open (before the fix, for ever) does not meet.
  const closed = async (kind) => {
    for (let waited = 0; hub.inFlight[kind] > 0 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    return hub.inFlight[kind];
  };

  hub.setFault((req) => req.kind === "tree" || req.kind === "pathsInfo", { status: 500 });
  hub.setFault((req) => req.kind === "raw", { hang: true });
  const { cache } = await cacheOn({ caches: stores().caches, resolutionTimeout: Infinity });
  const resolving = cache.resolveHash(file.url);
  while (hub.inFlight.raw === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  cache.dispose();
  await assert.rejects(resolving, /the cache was disposed/);
  assert.equal(await closed("raw"), 0, "the /raw/ request was closed");

  hub.clearFaults();
  hub.setFault((req) => req.kind === "tree", { hang: true });
  const { cache: other } = await cacheOn({ caches: stores().caches, resolutionTimeout: Infinity });
  const holding = other.hasAllKeys([file.url]);
  while (hub.inFlight.tree === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  other.dispose();
  await assert.rejects(holding, /the cache was disposed/);
  assert.equal(await closed("tree"), 0, "the listing request was closed");
});

test("dispose() while deleteInCache() removes a stored entry: a clear rejection, not a binding error", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.path === "tokenizer.json");
  const made = stores();
  let removal;  // resolves the fallback store's pending delete
  const caches = {
    has: (name) => made.caches.has(name),
    keys: () => made.caches.keys(),
    delete: (name) => made.caches.delete(name),
    match: (...args) => made.caches.match(...args),
    async open(name) {
      const cache = await made.caches.open(name);
      if (!name.endsWith("-fallback")) return cache;
      // The fallback store's own cache, its delete() held until the test lets it go.
      return new Proxy(cache, {
        get(target, property) {
          if (property === "delete") {
            return async (...args) => {
              await new Promise((resolve) => { removal = resolve; });
              return target.delete(...args);
            };
          }
          const value = Reflect.get(target, property);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
  };
  const { cache, events } = await cacheOn({ caches });
  await cache.fetchWithCache(file.url, "arraybuffer");
  const deleting = cache.deleteInCache(file.url);
  while (!removal) await new Promise((resolve) => setTimeout(resolve, 10));
  cache.dispose();
  removal();
  await assert.rejects(deleting, (error) => {
    assert.equal(error.message, "cross-origin-cache: the cache was disposed");
    return true;
  });
  assert.deepEqual(events, []);
});

test("dispose() right after a tensor cache loaded: its shards' prefetch reports nothing", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const tensorCache = hub.model.files.find((f) => f.path === "tensor-cache.json");
  const { cache, events } = await cacheOn({ caches: stores().caches });
  await cache.fetchWithCache(tensorCache.url, "json");
  cache.dispose();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(events, []);
});
