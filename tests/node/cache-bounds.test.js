// Bounded in memory: whatever a hub or a store sends, the wasm heap stays under 256 MiB, junk is
// refused once with its reason, and resolution goes on with the next source.
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadCore } from "../../js/index.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";

const MiB = 1024 * 1024;
const HEAP_BOUND = 256 * MiB;
const STORE = "cross-origin-cache-cos-hash-meta";
const core = await loadCore();
// The heap of the core every cache of this process runs on (it never shrinks).
const heapBytes = () => core.HEAPU8.length;

/** "[0,0,…,0]" of about `bytes` bytes: valid JSON, the wrong shape, cheap to send, costly to build. */
function zeros(bytes, open = "[", close = "]") {
  const count = Math.floor((bytes - open.length - close.length) / 2);
  return Buffer.concat([Buffer.from(open), Buffer.alloc(count * 2 - 1, "0,"), Buffer.from(close)]);
}

/**
 * The CacheStorage `caches` with every body it answers served in 64 KiB chunks as they are
 * pulled; `pulled.bytes` counts what the reader took.
 */
function pullCounted(caches, pulled) {
  const chunked = (bytes) => {
    let offset = 0;
    return new ReadableStream({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        const chunk = bytes.subarray(offset, offset + 64 * 1024);
        offset += chunk.length;
        pulled.bytes += chunk.length;
        controller.enqueue(chunk);
      },
    }, { highWaterMark: 0 });
  };
  const wrapCache = (cache) => new Proxy(cache, {
    get(target, prop) {
      if (prop === "match") {
        return async (...args) => {
          const response = await target.match(...args);
          if (!response) return response;
          return new Response(chunked(new Uint8Array(await response.arrayBuffer())), { headers: response.headers });
        };
      }
      const value = target[prop];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(caches, {
    get(target, prop) {
      if (prop === "open") return async (name) => wrapCache(await target.open(name));
      const value = target[prop];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const lfsFilesOf = (hub) => hub.model.files.filter((f) => f.lfs);

test("a listing of [0,0,…] (60 MiB): refused at its first entry, paths-info answers, the heap stays under 256 MiB", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  hub.setFault((req) => req.kind === "tree", { status: 200, body: zeros(60 * MiB), headers: { "Content-Type": "application/json" } });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const files = lfsFilesOf(hub);
  const hashes = await cache.resolveHashes(files.map((f) => f.url));
  assert.deepEqual(hashes.map((h) => h?.value), files.map((f) => f.sha256));
  assert.deepEqual(events.map((e) => e.kind), ["listing-invalid"]);
  assert.match(events[0].message, /entry 0: is a JSON number, not an object/);
  assert.equal(hub.counters.pathsInfo, 1, "paths-info asked instead");
  assert.ok(heapBytes() < HEAP_BOUND, `wasm heap ${heapBytes()} bytes`);
});

test("a listing over the core's limit: not read past it, refused as too large, paths-info answers", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  assert.ok(core.maxBatchBodyBytes >= 40 * MiB && core.maxBatchBodyBytes < HEAP_BOUND / 2, String(core.maxBatchBodyBytes));
  hub.setFault((req) => req.kind === "tree", { status: 200, body: zeros(core.maxBatchBodyBytes + 8 * MiB), headers: { "Content-Type": "application/json" } });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const files = lfsFilesOf(hub);
  const hashes = await cache.resolveHashes(files.map((f) => f.url));
  assert.deepEqual(hashes.map((h) => h?.value), files.map((f) => f.sha256));
  assert.deepEqual(events.map((e) => e.kind), ["listing-invalid"]);
  assert.match(events[0].message, new RegExp(`over the ${core.maxBatchBodyBytes}-byte limit`));
  assert.equal(hub.counters.pathsInfo, 1);
  assert.ok(heapBytes() < HEAP_BOUND, `wasm heap ${heapBytes()} bytes`);
});

test("a paths-info answer of [0,0,…] (60 MiB): refused once, LFS pointers answer, the heap stays under 256 MiB", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  hub.setFault((req) => req.kind === "pathsInfo", { status: 200, body: zeros(60 * MiB), headers: { "Content-Type": "application/json" } });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  const files = lfsFilesOf(hub);
  const hashes = await cache.resolveHashes(files.map((f) => f.url));
  assert.deepEqual(hashes.map((h) => h?.value), files.map((f) => f.sha256));
  assert.deepEqual(events.map((e) => e.kind), ["batch-invalid"]);
  assert.match(events[0].message, /entry 0: is a JSON number, not an object/);
  assert.equal(hub.counters.raw, files.length, "pointers asked instead");
  assert.ok(heapBytes() < HEAP_BOUND, `wasm heap ${heapBytes()} bytes`);
});

test("a real-size listing (200,000 files, about 37 MiB) answers for every file asked, with no other request", { timeout: 120000 }, async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const files = lfsFilesOf(hub);
  const hex = (i, digits) => i.toString(16).padStart(digits, "0");
  const parts = [];
  for (let i = 0; i < 200000; i++) {
    const size = 1000000 + i;
    const entry = { type: "file", oid: hex(i, 40), size, path: `weights/part-${String(i).padStart(6, "0")}.safetensors` };
    // Two in three in LFS, as in a big repo of weights and their small configs.
    if (i % 3 !== 0) entry.lfs = { oid: hex(i, 64), size, pointerSize: 134 };
    parts.push(JSON.stringify(entry));
  }
  // The files asked for come last, where a listing kept only in part would not reach.
  for (const f of hub.model.files) {
    const entry = { type: "file", oid: "2".repeat(40), size: f.size, path: f.path };
    if (f.lfs) entry.lfs = { oid: f.sha256, size: f.size, pointerSize: 134 };
    parts.push(JSON.stringify(entry));
  }
  const body = Buffer.from(`[${parts.join(",")}]`);
  assert.ok(body.length > 34 * MiB && body.length < 40 * MiB, `${body.length} bytes`);
  hub.setFault((req) => req.kind === "tree", { status: 200, body, headers: { "Content-Type": "application/json" } });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const hashes = await cache.resolveHashes(files.map((f) => f.url));
  assert.deepEqual(hashes.map((h) => h?.value), files.map((f) => f.sha256));
  assert.deepEqual(events, []);
  assert.deepEqual({ tree: hub.counters.tree, pathsInfo: hub.counters.pathsInfo, raw: hub.counters.raw }, { tree: 1, pathsInfo: 0, raw: 0 });
  assert.ok(heapBytes() < HEAP_BOUND, `wasm heap ${heapBytes()} bytes`);
  t.diagnostic(`wasm heap after the listing: ${(heapBytes() / MiB).toFixed(0)} MiB`);
});

const poisonedSnapshots = {
  "an array of 15 million zeros as its one entry": () => zeros(30 * MiB, "{\"version\":1,\"records\":[[", "]]}"),
  "15 million zeros under a key of its own": () => zeros(30 * MiB, "{\"version\":1,\"records\":[7],\"junk\":[", "]}"),
  "nested 10 million levels deep": () => Buffer.from(`{"version":1,"records":${"[".repeat(10000000)}`),
  "larger than the core's limit": () => zeros(core.maxSnapshotBytes + 4 * MiB, "{\"version\":1,\"records\":[[", "]]}"),
};
for (const [name, poison] of Object.entries(poisonedSnapshots)) {
  test(`a persisted snapshot that is ${name}: reported once, the per-URL entries answer, the heap stays under 256 MiB`, async (t) => {
    const hub = await hubFor(t, { shards: 2 });
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
    const files = lfsFilesOf(hub);
    await cache.resolveHashes(files.map((f) => f.url));
    await cache.flush();
    await (await caches.open(STORE)).put(core.snapshotKey, new Response(poison()));

    hub.resetCounters();
    const { cache: reloaded, events } = await cacheOn({ caches, storage: cos.store.manager() });
    const hashes = await reloaded.resolveHashes(files.map((f) => f.url));
    assert.deepEqual(hashes.map((h) => h?.value), files.map((f) => f.sha256));
    assert.equal(hub.counters.requests, 0, "the per-URL entries answered");
    assert.deepEqual(events.map((e) => e.kind), ["persisted-snapshot-invalid"]);
    assert.ok(heapBytes() < HEAP_BOUND, `wasm heap ${heapBytes()} bytes`);
  });
}

test("per-URL records larger than the core's limit are not read whole: reported, then resolved from the hub", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const files = lfsFilesOf(hub);
  const store = await caches.open(STORE);
  const recordBytes = 8 * MiB;
  for (const f of files) await store.put(f.url, new Response(zeros(recordBytes, "{\"algorithm\":\"SHA-256\",\"x\":[", "]}")));
  const pulled = { bytes: 0 };
  const { cache, events } = await cacheOn({ caches: pullCounted(caches, pulled), storage: cos.store.manager() });
  const hashes = await cache.resolveHashes(files.map((f) => f.url));
  assert.deepEqual(hashes.map((h) => h?.value), files.map((f) => f.sha256));
  assert.deepEqual(events.map((e) => e.kind), files.map(() => "persisted-record-invalid"));
  assert.match(events[0].message, new RegExp(`over the ${core.maxRecordBytes}-byte limit`));
  // Each record was read up to the limit (plus the chunk that crossed it), then cancelled.
  assert.ok(pulled.bytes <= files.length * (core.maxRecordBytes + 2 * 64 * 1024), `${pulled.bytes} bytes pulled`);
  assert.ok(heapBytes() < HEAP_BOUND, `wasm heap ${heapBytes()} bytes`);
});
