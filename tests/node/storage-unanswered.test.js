// Storage that stops answering a write holds a load only until the load's own signal aborts (its
// caller's, or the cache's dispose()), and never holds another load: before, a load waited on the
// storage without end, and every later write of the same bytes waited behind it.
import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha, seededData } from "../support/test-data.js";

const MiB = 1024 * 1024;
const FALLBACK = "cross-origin-cache-cos-fallback";
const never = () => new Promise(() => {});

/** How a promise settles within `ms`, or "pending" (a wait without end is what these tests catch). */
async function settledWithin(promise, ms) {
  let timer;
  const pending = new Promise((resolve) => { timer = setTimeout(() => resolve({ status: "pending" }), ms); });
  const settled = promise.then((value) => ({ status: "fulfilled", value }), (reason) => ({ status: "rejected", reason }));
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
  }
}

/** A COS manager whose writables' third write, or close, never answers; `stuck`: how many did not. */
function cosThatStopsAt(manager, step) {
  const stops = { stuck: 0 };
  const stop = () => { stops.stuck++; return never(); };
  stops.manager = {
    async getFileHandle(hash, options) {
      const handle = await manager.getFileHandle(hash, options);
      if (!options?.create) return handle;
      return {
        ...handle,
        async createWritable() {
          const writer = (await handle.createWritable()).getWriter();
          let writes = 0;
          return new WritableStream({
            write: (chunk) => (step === "write" && ++writes >= 3 ? stop() : writer.write(chunk)),
            close: () => (step === "close" ? stop() : writer.close()),
            abort: (reason) => writer.abort(reason),
          });
        },
      };
    },
  };
  return stops;
}

for (const step of ["write", "close"]) {
  test(`dispose() ends a load and a put() whose storage ${step} never answers`, async (t) => {
    const hub = await hubFor(t, { shards: 1, shardSize: 4 * MiB });
    const shard = hub.model.files.find((file) => file.lfs);
    const { caches, cos } = stores();
    const stops = cosThatStopsAt(cos.store.manager(), step);
    const { cache } = await cacheOn({ caches, storage: stops.manager });
    const load = cache.fetchWithCache(shard.url, "arraybuffer");
    const put = cache.put(`${shard.url}?copy=1`, await fetch(shard.url));
    while (stops.stuck < 2) await new Promise((resolve) => setTimeout(resolve, 10));  // both are stuck
    cache.dispose();
    for (const [name, call] of [["fetchWithCache", load], ["put", put]]) {
      const outcome = await settledWithin(call, 5000);
      assert.equal(outcome.status, "rejected", `${name} after dispose(): ${outcome.status}`);
      assert.equal(outcome.reason.name, "AbortError");
      assert.equal(outcome.reason.message, "cross-origin-cache: the cache was disposed");
    }
  });
}

test("a load whose storage never took its body, aborted by its caller, does not hold a later load of the same file", async (t) => {
  // 40 MiB: past the whole-read size, so the body streams into cache.put.
  const hub = await hubFor(t, { shards: 1, shardSize: 40 * MiB });
  const shard = hub.model.files.find((file) => file.lfs);
  const caches = new MemoryCacheStorage();
  const open = caches.open.bind(caches);
  let stalled = 0;
  caches.open = async (name) => {
    const cache = await open(name);
    if (name === FALLBACK && !cache.stallsFirstPut) {
      const put = cache.put.bind(cache);
      cache.put = (request, response) => (stalled++ === 0 ? never() : put(request, response));  // takes the body, never reads it
      cache.stallsFirstPut = true;
    }
    return cache;
  };
  const { cache, events } = await cacheOn({ caches });
  const controller = new AbortController();
  const first = cache.fetchWithCache(shard.url, "arraybuffer", controller.signal);
  // The writes back up behind the put that reads nothing: the download stops growing.
  for (let read = -1; stalled === 0 || read !== cache.stats().bytesDownloaded;) {
    read = cache.stats().bytesDownloaded;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  controller.abort();
  assert.equal((await settledWithin(first, 5000)).reason?.name, "AbortError");
  const later = await settledWithin(cache.fetchWithCache(shard.url, "arraybuffer"), 20_000);
  assert.equal(later.status, "fulfilled", `the later load: ${later.status} ${later.reason ?? ""}`);
  assert.equal(sha(later.value), shard.sha256);
  assert.equal(cache.stats().stored, 1, "the later load stored the file");
  assert.deepEqual(events, []);
});

test("a load of the same bytes under another URL does not wait on a load whose body stalls", async (t) => {
  const hub = await hubFor(t, { shards: 0 });
  const bytes = seededData(40 * MiB, 3);  // streamed into the fallback store, as above
  const repo = hub.addRepo({ id: "test-org/twins", files: [{ path: "a.bin", bytes, lfs: true }, { path: "b.bin", bytes, lfs: true }] });
  const [stalling, healthy] = repo.files;
  // a.bin's body stops after its first MiB and never ends; its caller gives no signal.
  const fetchStallingA = async (url, init) => {
    const response = await fetch(url, init);
    if (!String(url).endsWith("/a.bin")) return response;
    const reader = response.body.getReader();
    let sent = 0;
    const body = new ReadableStream({
      async pull(controller) {
        if (sent >= MiB) return never();
        const { done, value } = await reader.read();
        if (done) return controller.close();
        sent += value.byteLength;
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const { cache, events } = await cacheOn({ caches: new MemoryCacheStorage(), fetch: fetchStallingA });
  const a = cache.fetchWithCache(stalling.url, "arraybuffer");
  a.catch(() => {});
  while (cache.stats().bytesDownloaded < MiB) await new Promise((resolve) => setTimeout(resolve, 10));
  const b = await settledWithin(cache.fetchWithCache(healthy.url, "arraybuffer"), 20_000);
  assert.equal(b.status, "fulfilled", `b.bin while a.bin stalls: ${b.status} ${b.reason ?? ""}`);
  assert.equal(sha(b.value), sha(bytes));
  assert.deepEqual(events, []);
  cache.dispose();
  assert.equal((await settledWithin(a, 5000)).reason?.name, "AbortError", "dispose() ends the stalled load");
});
