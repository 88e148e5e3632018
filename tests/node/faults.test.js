// Fault injection: every failure ends in a clean outcome — correct bytes or a clear error — and
// never in a half-stored entry or a mapping for bytes that were not stored.
import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { seededRandom, sha256Hex as sha } from "../support/test-data.js";

const plain = (hub) => hub.model.files.find((f) => f.path === "tokenizer.json");
const lfs = (hub) => hub.model.files.find((f) => f.lfs);

async function persistedValue(caches, url) {
  const response = await (await caches.open("cross-origin-cache-cos-hash-meta")).match(url);
  return response ? JSON.parse(await response.text()).value : undefined;
}

function assertNothingHalfStored(store) {
  for (const call of store.calls) {
    const entry = store.get(call.hash ?? "");
    if (entry) assert.equal(entry.writing, false, `entry ${call.hash} left half-written`);
  }
  for (const entry of store.entries()) {
    assert.equal(sha(entry.bytes), entry.hash, "stored bytes match their hash");
  }
}

const ERRORS = ["NotFoundError", "NotAllowedError", "DataError", "QuotaExceededError", "TypeError"];
const STEPS = ["request", "getFile", "createWritable", "write", "close"];
const makeError = (name) => (name === "TypeError" ? new TypeError("Cannot read properties of undefined") : new DOMException(`injected ${name}`, name));

for (const name of ERRORS) {
  for (const step of STEPS) {
    test(`COS ${name} at ${step}: data returned, nothing half-stored, no mapping for unstored bytes`, async (t) => {
      const hub = await hubFor(t, { shards: 1 });
      const caches = new MemoryCacheStorage();
      const { store } = stores({ faults: (info) => (info.step === step ? makeError(name) : undefined) }).cos;
      const { cache } = await cacheOn({ caches, storage: store.manager() });
      for (const file of [plain(hub), lfs(hub)]) {
        // The storage saying bytes do not match their hash is the one failure the caller must see.
        const mustFail = name === "DataError" && step === "close" && file.lfs;
        const loading = cache.fetchWithCache(file.url, "arraybuffer");
        if (mustFail) await assert.rejects(loading, new RegExp(file.sha256));
        else assert.equal(sha(await loading), file.sha256, file.path);
        const stored = store.entries().some((e) => e.hash === file.sha256);
        if (!file.lfs && !stored) assert.equal(await persistedValue(caches, file.url), undefined, "no mapping for unstored bytes");
      }
      assertNothingHalfStored(store);
    });
  }
}

test("Cache API: caches.open rejecting and put throwing quota errors never break loading, and are reported", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { cos } = stores();
  const broken = new MemoryCacheStorage();
  broken.failOpen = new DOMException("storage is gone", "UnknownError");
  const opened = await cacheOn({ caches: broken, storage: cos.store.manager() });
  assert.equal(sha(await opened.cache.fetchWithCache(plain(hub).url, "arraybuffer")), plain(hub).sha256);
  assert.ok(opened.events.some((e) => e.kind === "persisted-read-failed"));
  assert.ok(opened.events.some((e) => e.kind === "persist-failed"));

  const full = new MemoryCacheStorage();
  (await full.open("cross-origin-cache-cos-hash-meta")).failPut = new DOMException("full", "QuotaExceededError");
  const quota = await cacheOn({ caches: full, storage: cos.store.manager() });
  assert.equal(sha(await quota.cache.fetchWithCache(lfs(hub).url, "arraybuffer")), lfs(hub).sha256);
  assert.ok(quota.events.some((e) => e.kind === "persist-failed" && /full/.test(e.message)));
  assert.ok(quota.cache.stats().errors["persist-failed"] >= 1);
});

const pointerFaults = {
  "garbage": "%%%% not a pointer",
  "truncated": "version https://git-lfs.github.com/spec/v1\noid sha256:",
  "huge": "version https://git-lfs.github.com/spec/v1\n" + "x".repeat(5 * 1024 * 1024),
  "HTML error page": "<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>",
};
for (const [name, body] of Object.entries(pointerFaults)) {
  test(`LFS pointer that is ${name}: the file still loads, verified by its content`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    hub.setFault((req) => req.kind === "raw", { status: 200, body });
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager(), batch: false });
    const file = lfs(hub);
    assert.equal(await cache.resolveHash(file.url), null);
    assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
    assert.equal(await persistedValue(caches, file.url), file.sha256);
  });
}

for (const status of [404, 500]) {
  test(`the file answering ${status}: a clear error, nothing stored or persisted`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    hub.setFault((req) => req.kind === "resolve", { status, body: "nope" });
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
    await assert.rejects(cache.fetchWithCache(plain(hub).url), new RegExp(`tokenizer\\.json.*HTTP ${status}`));
    assert.equal(cos.store.entries().length, 0);
    assert.equal(await persistedValue(caches, plain(hub).url), undefined);
  });
}

test("connection reset mid-body: a clear error naming the URL; nothing stored, nothing persisted", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 1024 * 1024 });
  hub.setFault((req) => req.kind === "resolve", { resetAfterBytes: 16 * 1024 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  for (const file of [lfs(hub), plain(hub)]) {
    await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), (error) => error.message.includes(file.path));
  }
  assert.equal(cos.store.entries().length, 0);
  assertNothingHalfStored(cos.store);
  assert.equal(await persistedValue(caches, plain(hub).url), undefined);
  hub.clearFaults();
  assert.equal(sha(await cache.fetchWithCache(plain(hub).url, "arraybuffer")), plain(hub).sha256, "a retry works");
});

test("slow responses still load", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  hub.setFault(() => true, { delayMs: 150 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal(sha(await cache.fetchWithCache(lfs(hub).url, "arraybuffer")), lfs(hub).sha256);
});

const file0 = (hub) => lfs(hub).path;
const badPathsInfo = {
  "wrong types": (hub) => JSON.stringify([{ type: "file", path: file0(hub), size: "big", lfs: { oid: lfs(hub).sha256, size: 1 } }]),
  "missing fields": (hub) => JSON.stringify([{ path: file0(hub), lfs: { size: 3 } }]),
  "duplicate paths": (hub) => JSON.stringify([
    { type: "file", path: file0(hub), size: 1, lfs: { oid: "a".repeat(64), size: 1 } },
    { type: "file", path: file0(hub), size: 1, lfs: { oid: lfs(hub).sha256, size: 1 } }]),
  "not JSON": () => "<html>rate limited</html>",
  "an object": () => JSON.stringify({ error: "Repository not found" }),
};
// Which API answers badly: the listing (paths-info then answers), paths-info alone (listing off),
// or both (pointers answer).
const badApis = {
  "tree listing": { kinds: ["tree"], options: {}, events: ["listing-invalid"], fallback: "pathsInfo" },
  "paths-info": { kinds: ["pathsInfo"], options: { listRepos: false }, events: ["batch-invalid"], fallback: "raw" },
  "tree listing and paths-info": { kinds: ["tree", "pathsInfo"], options: {}, events: ["listing-invalid", "batch-invalid"], fallback: "raw" },
};
for (const [api, bad] of Object.entries(badApis)) {
  for (const [name, body] of Object.entries(badPathsInfo)) {
    test(`${api} with ${name}: reported, the next source used, never a wrong hash`, async (t) => {
      const hub = await hubFor(t, { shards: 2 });
      hub.setFault((req) => bad.kinds.includes(req.kind), { status: 200, body: body(hub), headers: { "Content-Type": "application/json" } });
      const { caches, cos } = stores();
      const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), ...bad.options });
      const files = hub.model.files.filter((f) => f.lfs);
      const hashes = await cache.resolveHashes(files.map((f) => f.url));
      assert.deepEqual(hashes.map((h) => h.value), files.map((f) => f.sha256));
      assert.deepEqual(events.map((e) => e.kind), bad.events);
      assert.equal(hub.counters.raw, bad.fallback === "raw" ? files.length : 0);
      assert.equal(hub.counters.pathsInfo, 1);
    });
  }
}

for (const kind of ["tree", "pathsInfo"]) {
  test(`${kind} answer with 10^5 entries before the files asked for: the right ones are used`, async (t) => {
    const hub = await hubFor(t, { shards: 2 });
    const entries = Array.from({ length: 100000 }, (_, i) => ({ type: "file", path: `other/file_${i}.bin`, size: i, oid: "1".repeat(40) }));
    for (const f of hub.model.files.filter((x) => x.lfs)) entries.push({ type: "file", path: f.path, size: f.size, oid: "2".repeat(40), lfs: { oid: f.sha256, size: f.size, pointerSize: 130 } });
    hub.setFault((req) => req.kind === kind, { status: 200, body: JSON.stringify(entries) });
    const { caches, cos } = stores();
    const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: kind === "tree" });
    const files = hub.model.files.filter((f) => f.lfs);
    assert.deepEqual((await cache.resolveHashes(files.map((f) => f.url))).map((h) => h.value), files.map((f) => f.sha256));
    assert.deepEqual(events, []);
    assert.equal(hub.counters.raw, 0);
    assert.equal(hub.counters.tree, kind === "tree" ? 1 : 0);
    // A listing keeps up to 250,000 files (past them paths-info is asked, never a guess): this one whole.
    assert.equal(hub.counters.pathsInfo, kind === "tree" ? 0 : 1);
  });
}

test("abort at random points of a load (100 seeded trials): AbortError or correct bytes, no partial entry, no stray mapping", { timeout: 180000 }, async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 512 * 1024 });
  const random = seededRandom(20261126);
  for (let trial = 0; trial < 100; trial++) {
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
    const file = random() < 0.5 ? plain(hub) : lfs(hub);
    const controller = new AbortController();
    const delay = Math.floor(random() * 25);
    setTimeout(() => controller.abort(), delay);
    try {
      const bytes = await cache.fetchWithCache(file.url, "arraybuffer", controller.signal);
      assert.equal(sha(bytes), file.sha256, `trial ${trial}`);
    } catch (error) {
      assert.equal(error.name, "AbortError", `trial ${trial}: ${error.message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    assertNothingHalfStored(cos.store);
    const stored = cos.store.entries().some((e) => e.hash === file.sha256);
    if (!file.lfs && !stored) assert.equal(await persistedValue(caches, file.url), undefined, `trial ${trial}`);
  }
});

test("64 concurrent loads × 3 URLs, 100 times: identical results, expected downloads, no unhandled rejection", { timeout: 180000 }, async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  const files = [...hub.model.files.filter((f) => f.lfs), plain(hub)];
  let expectedDownloads = 0;
  let shared = stores();
  for (let round = 0; round < 100; round++) {
    // Every tenth round starts from empty stores, so the bytes are downloaded again.
    if (round % 10 === 0) {
      shared = stores();
      expectedDownloads += files.length;
    }
    const { cache } = await cacheOn({ caches: shared.caches, storage: shared.cos.store.manager() });
    const results = await Promise.all(Array.from({ length: 64 }, () =>
      Promise.all(files.map((f) => cache.fetchWithCache(f.url, "arraybuffer").then(sha)))));
    for (const row of results) assert.deepEqual(row, files.map((f) => f.sha256));
    cache.dispose();
  }
  assert.equal(hub.counters.resolve, expectedDownloads);
  assert.deepEqual(unhandled, []);
});
