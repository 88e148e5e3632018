// What fetchWithCache(url, "arraybuffer") hands over on a hit: the stored Blob's own bytes, read
// with Blob.arrayBuffer(), never through a Response body (in Chromium that read is half as fast,
// and one through a Response made from the Blob a third slower again: bench:model's warm loads).
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { counting } from "../support/spy.js";
import { sha256Hex } from "../support/test-data.js";

for (const where of ["cross-origin storage", "the fallback store"]) {
  test(`a stored file asked for as an ArrayBuffer is read from its Blob, not through a Response (${where})`, async (t) => {
    const hub = await hubFor(t, { shards: 3 });
    const { caches, cos } = stores();
    const storage = where === "cross-origin storage" ? () => ({ storage: cos.store.manager() }) : () => ({});
    const { cache } = await cacheOn({ caches, ...storage() });
    const shards = hub.model.files.filter((file) => file.lfs);
    for (const file of shards) await cache.addToCache(file.url);

    const { cache: reloaded } = await cacheOn({ caches, ...storage() });
    hub.resetCounters();
    const responses = await counting(Response.prototype, "arrayBuffer", () =>
      counting(Blob.prototype, "arrayBuffer", async () => {
        const buffers = [];
        for (const file of shards) buffers.push(await reloaded.fetchWithCache(file.url, "arraybuffer"));
        return buffers;
      }));
    const blobs = responses.result;
    assert.equal(hub.counters.resolve, 0, "every file came from storage");
    shards.forEach((file, i) => {
      assert.ok(blobs.result[i] instanceof ArrayBuffer);
      assert.equal(sha256Hex(new Uint8Array(blobs.result[i])), file.sha256);
    });
    assert.equal(responses.calls(), 0, "no Response body was read");
    assert.ok(blobs.calls() >= shards.length, `Blob.arrayBuffer() read each file (${blobs.calls()} calls)`);
  });
}
