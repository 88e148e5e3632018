// Memory: storing a large streamed body keeps RSS flat; long runs leave no wasm objects behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import { seededBytes } from "../../local-hub/index.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { loadCore } from "../../js/index.js";
import { loadTestCore } from "../support/test-core.js";
import { sha256Hex } from "../support/test-data.js";

// liveObjectCount() is in the test module only: it is this file's default core, caches included.
await loadTestCore();

const MiB = 1024 * 1024;

// A COS manager that verifies and counts what it is given but keeps no bytes, so the test
// measures our memory, not the stand-in's.
function hashingSinkCos() {
  const stored = new Map();
  return {
    stored,
    async requestFileHandle(hash, { create } = {}) {
      if (!create) {
        if (!stored.has(hash.value)) throw new DOMException("missing", "NotFoundError");
        return { getFile: async () => new File([], hash.value) };
      }
      return {
        createWritable: async () => {
          const hasher = createHash("sha256");
          let size = 0;
          return {
            async write(chunk) { hasher.update(chunk); size += chunk.byteLength; },
            async close() {
              if (hasher.digest("hex") !== hash.value) throw new DOMException("mismatch", "DataError");
              stored.set(hash.value, size);
            },
            async abort() {},
          };
        },
      };
    },
  };
}

async function peakRssDuring(work) {
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return (peak - before) / MiB;
}

test("storing a 512 MiB streamed body raises RSS by under a quarter of it (the one-shot way: over all of it)", { timeout: 120000 }, async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const size = 512 * MiB;
  const generate = seededBytes(42, "big");
  hub.addRepo({ id: "test-org/big", files: [{ path: "big.bin", size, generate, lfs: true }] });
  const url = `${hub.url}/test-org/big/resolve/main/big.bin`;
  const storage = hashingSinkCos();
  const { cache, events } = await cacheOn({ storage, caches: undefined });
  const expected = (await cache.resolveHash(url)).value;

  const ours = await peakRssDuring(() => cache.addToCache(url));
  assert.deepEqual(events, []);
  assert.equal(storage.stored.get(expected), size, "all bytes were stored under the pointer's hash");

  const oneShot = await peakRssDuring(async () => {
    const body = await (await fetch(url)).arrayBuffer();
    assert.equal(sha256Hex(body), expected);
  });
  t.diagnostic(`RSS increase: ours ${ours.toFixed(1)} MiB, one-shot ${oneShot.toFixed(1)} MiB`);
  // Bounds are loose on purpose (GC timing and socket buffers vary by machine): holding the body
  // would cost >= 512 MiB, so anything under a quarter of it proves the bytes streamed.
  assert.ok(ours < size / MiB / 4, `ours raised RSS by ${ours.toFixed(1)} MiB`);
  assert.ok(oneShot > size / MiB, `the baseline is measurable (${oneShot.toFixed(1)} MiB)`);
  assert.ok(ours < oneShot / 8, `ours ${ours.toFixed(1)} MiB vs one-shot ${oneShot.toFixed(1)} MiB`);
});

test("10,000 resolve/store/match cycles leave no wasm objects and the wasm heap stops growing", { timeout: 120000 }, async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const core = await loadCore();
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const liveBefore = core.liveObjectCount();
  const file = hub.model.files.find((f) => f.lfs);
  let heapAt1000 = 0;
  for (let i = 1; i <= 10000; i++) {
    // Distinct URLs (a query) exercise the index and its eviction; every one hits the same bytes.
    const url = `${file.url}?v=${i % 2000}`;
    await cache.resolveHash(url);
    const other = `${hub.url}/files/${i % 500}.bin`;
    if (i % 10 === 0) {
      await cache.put(other, new Response(new Uint8Array(64).fill(i % 500)));
      assert.ok(await cache.match(other), "matched after put");
    }
    if (i === 1000) heapAt1000 = core.HEAPU8.byteLength;
  }
  assert.equal(core.liveObjectCount(), liveBefore + 0, "no hasher or other wasm object left alive");
  assert.equal(core.HEAPU8.byteLength, heapAt1000, "wasm memory did not grow after warm-up");
  t.diagnostic(`wasm heap ${(heapAt1000 / MiB).toFixed(0)} MiB`);
});
