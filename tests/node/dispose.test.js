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
