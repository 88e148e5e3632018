// A storage call that should answer at once (a handle request, createWritable, getFile) and never
// does is bounded by storageTimeout: the load goes on without it (downloaded, or served
// unstored), it is reported, and no later write waits for it. Before, a create that never
// answered held the one create slot for good: every later write of any file waited for ever.
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const TIMEOUT = 200;
const never = () => new Promise(() => {});

/** The in-memory COS with `hang(hash, options)` picking handle methods that never answer. */
function hangingStorage(cos, hang) {
  const base = cos.store.manager();
  return {
    async getFileHandle(hash, options) {
      const handle = await base.getFileHandle(hash, options);
      const hung = hang(hash.value, options);
      return { ...handle, ...Object.fromEntries(hung.map((method) => [method, never])) };
    },
  };
}

test("a createWritable that never answers: that file is served unstored and reported, the next file is stored", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const [a, b] = hub.model.files.filter((file) => file.lfs);
  const { caches, cos } = stores();
  const storage = hangingStorage(cos, (value, options) => (options?.create && value === a.sha256 ? ["createWritable"] : []));
  const { cache, events } = await cacheOn({ caches, storage, storageTimeout: TIMEOUT });
  assert.equal(sha(await cache.fetchWithCache(a.url, "arraybuffer")), a.sha256);
  assert.ok(events.some((event) => event.kind === "cos-failed" && /did not answer createWritable\(\) within 200 ms/.test(event.message + event.error?.message)),
    JSON.stringify(events.map((event) => [event.kind, event.message])));
  assert.equal(sha(await cache.fetchWithCache(b.url, "arraybuffer")), b.sha256);
  assert.deepEqual(cos.store.entries().map((entry) => entry.hash), [b.sha256], "b stored; a not, and nothing half-written");
  assert.equal(cache.stats().stored, 1);
});

test("a getFile that never answers: fetchWithCache downloads the file, match() is a miss, both reported", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const [a] = hub.model.files.filter((file) => file.lfs);
  const { caches, cos } = stores();
  const first = await cacheOn({ caches, storage: cos.store.manager() });
  await first.cache.addToCache(a.url);
  await first.cache.flush();
  const storage = hangingStorage(cos, (value, options) => (!options?.create ? ["getFile"] : []));
  const { cache, events } = await cacheOn({ caches, storage, storageTimeout: TIMEOUT });
  assert.equal(await cache.match(a.url), undefined);
  hub.resetCounters();
  assert.equal(sha(await cache.fetchWithCache(a.url, "arraybuffer")), a.sha256);
  // Downloaded with storage not answering, stored, then downloaded once more when the read-back of
  // what was stored did not answer either.
  assert.equal(hub.counters.resolve, 2);
  assert.ok(events.filter((event) => event.kind === "cos-failed").length >= 2, JSON.stringify(events.map((event) => event.kind)));
});

test("storageTimeout is validated as resolutionTimeout is", async () => {
  for (const bad of [0, -1, "60000", 2 ** 31]) {
    await assert.rejects(cacheOn({ storageTimeout: bad }), /option storageTimeout must be a number of milliseconds > 0/);
  }
});
