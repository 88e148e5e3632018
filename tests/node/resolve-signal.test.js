// resolveHash, resolveHashes and resolveHashDetails take {signal}: it ends the caller's wait for a
// resolution (an AbortError at once), while the hub request other callers may share goes on.
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, hangResolutionRequests, hubFor, stores } from "../support/cache-setup.js";

for (const [method, call] of [
  ["resolveHash", (cache, url, signal) => cache.resolveHash(url, { signal })],
  ["resolveHashes", (cache, url, signal) => cache.resolveHashes([url], { signal })],
  ["resolveHashDetails", (cache, url, signal) => cache.resolveHashDetails([url], { signal })],
]) {
  test(`${method}(…, {signal}): an abort while the listing hangs rejects with an AbortError, the listing still unanswered`, { timeout: 60000 }, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    const listing = hangResolutionRequests(hub);
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager(), resolutionTimeout: 3000 });
    t.after(() => cache.dispose());
    const controller = new AbortController();
    const resolving = call(cache, hub.model.files.find((f) => f.lfs).url, controller.signal);
    await listing;
    controller.abort();
    // Before: the signal was not taken; the call waited out the listing's and the next sources' timeouts.
    await assert.rejects(resolving, { name: "AbortError" });
    assert.equal(hub.inFlight.tree, 1, "the listing is still unanswered");
  });
}

test("a signal aborted up front rejects a resolution that needs the hub, before any request", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  t.after(() => cache.dispose());
  const file = hub.model.files.find((f) => f.lfs);
  await assert.rejects(cache.resolveHashDetails([file.url], { signal: AbortSignal.abort() }), { name: "AbortError" });
  assert.equal(hub.counters.requests, 0);
  assert.equal((await cache.resolveHash(file.url))?.value, file.sha256, "a later call without one resolves");
});
