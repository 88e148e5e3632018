// A stored snapshot that is bad (not JSON, or holding an entry that is no record) is reported once
// per body: the tab's next write reads it again to merge over it, and that read is no new news.
// Before, the same body was reported at the read and again at the write.
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadCore } from "../../js/index.js";
import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor } from "../support/cache-setup.js";

const STORE = "cross-origin-cache-cos-hash-meta";
const { snapshotKey } = await loadCore();

const badBodies = {
  "that is not JSON": () => "{oops",
  "with an entry that is no record": (file) => JSON.stringify({ version: 1, records: [["not a url", { algorithm: "SHA-256", value: file.sha256 }]] }),
};

for (const [name, body] of Object.entries(badBodies)) {
  test(`a stored snapshot ${name} is reported once, not again when the next write merges over it; another bad body is`, async (t) => {
    const hub = await hubFor(t, { shards: 2 });
    const [a, b] = hub.model.files.filter((f) => f.lfs);
    const caches = new MemoryCacheStorage();
    const store = await caches.open(STORE);
    await store.put(snapshotKey, new Response(body(a)));
    const { cache, events } = await cacheOn({ caches, listRepos: false });
    await cache.resolveHash(a.url);
    assert.deepEqual(events.map((e) => e.kind), ["persisted-snapshot-invalid"], "reported at the read");
    await cache.resolveHash(b.url);
    await cache.flush();
    assert.equal(events.length, 1, "the write merged over the same body");

    await store.put(snapshotKey, new Response("[]"));  // other code of the origin writes another bad one
    await cache.flush();
    assert.deepEqual(events.map((e) => e.kind), ["persisted-snapshot-invalid", "persisted-snapshot-invalid"]);
  });
}
