// Every wasm object a call makes (resolutions, transfers, deletions, hashers) is freed when the
// call ends, whatever the path; the cache itself owns three (its resolver, storage ledger and body
// rate meter), freed by dispose().
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { loadTestCore } from "../support/test-core.js";
import { sha256Hex as sha } from "../support/test-data.js";

test("loads, stores, matches, failures and deletions leave no wasm object behind", async (t) => {
  const core = await loadTestCore();
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const start = core.liveObjectCount();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal(core.liveObjectCount(), start + 3, "the cache's resolver, storage ledger and body rate meter");
  const [shard, other] = hub.model.files.filter((f) => f.lfs);
  const tokenizer = hub.model.files.find((f) => f.path === "tokenizer.json");
  const unloaded = hub.model.files.find((f) => !f.lfs && f !== tokenizer);
  await cache.addToCache(shard.url);
  assert.equal(sha(await cache.fetchWithCache(shard.url, "arraybuffer")), shard.sha256);
  assert.equal(sha(await cache.fetchWithCache(tokenizer.url, "arraybuffer")), tokenizer.sha256);
  assert.ok(await cache.hasAllKeys([shard.url, tokenizer.url]));
  assert.ok(await cache.match(shard.url));
  await cache.put(other.url, await fetch(other.url));
  // A failing download and an aborted one.
  hub.setFault((req) => req.kind === "resolve" && req.url.includes(unloaded.path), { status: 500, body: "", times: 1 });
  await assert.rejects(cache.fetchWithCache(unloaded.url, "arraybuffer"), /failed/);
  const aborted = AbortSignal.abort();
  await assert.rejects(cache.fetchWithCache(other.url, "arraybuffer", aborted), { name: "AbortError" });
  await cache.deleteInCache(shard.url);
  assert.equal(await cache.delete(tokenizer.url), true);
  assert.equal(core.liveObjectCount(), start + 3, "only the cache's own objects are alive");
  cache.dispose();
  assert.equal(core.liveObjectCount(), start, "dispose frees them");
  assert.deepEqual(events.filter((e) => e.kind !== "download-resumed").map((e) => e.kind), []);
});
