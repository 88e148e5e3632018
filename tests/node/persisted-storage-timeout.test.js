// The cache's storageTimeout bounds its persisted store's Cache API calls as it bounds COS's: a
// record store that stops answering costs a load its persisted answer, never the load itself.
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadCore } from "../../js/index.js";
import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const STORE = "cross-origin-cache-cos-hash-meta";
const { snapshotKey } = await loadCore();
const never = () => new Promise(() => {});

test("storageTimeout bounds the persisted store: a snapshot read that never answers is a failed read, the hub answers", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  const caches = new MemoryCacheStorage();
  const store = await caches.open(STORE);
  const match = store.match.bind(store);
  store.match = (key, ...rest) => (String(key?.url ?? key) === snapshotKey ? never() : match(key, ...rest));
  const { cache, events } = await cacheOn({ caches, storageTimeout: 200 });
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.ok(events.some((e) => e.kind === "persisted-read-failed" && /within 200 ms/.test(e.message)), JSON.stringify(events.map((e) => e.kind)));
});
