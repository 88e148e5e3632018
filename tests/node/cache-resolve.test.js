// Hash resolution: persisted records (ours, tvmjs's, invalid ones), LFS pointers, batch fallback.
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, expectedHash, hubFor, modelUrls, stores } from "../support/cache-setup.js";

const lfsFiles = (hub) => hub.model.files.filter((f) => f.lfs);

test("a record in tvmjs's exact format, in tvmjs's own store (scope 'tvmjs'), is honoured", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const file = lfsFiles(hub)[0];
  const store = await caches.open("tvmjs-cos-hash-meta");
  await store.put(file.url, new Response(JSON.stringify({ algorithm: "SHA-256", value: file.sha256 })));
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), scope: "tvmjs" });
  assert.deepEqual(await cache.resolveHash(file.url), { algorithm: "SHA-256", value: file.sha256 });
  assert.equal(hub.counters.requests, 0);
  assert.equal(cache.stats().hits.persisted, 1);
  assert.deepEqual(events, []);
});

test("tvmjs's and transformers.js's stores are imported into ours (importLegacy)", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const [a, b] = lfsFiles(hub);
  await (await caches.open("tvmjs-cos-hash-meta")).put(a.url, new Response(JSON.stringify({ algorithm: "SHA-256", value: a.sha256 })));
  await (await caches.open("experimental_transformers-hash-cache")).put(b.url, new Response(b.sha256.toUpperCase()));
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.deepEqual(await cache.resolveHashes([a.url, b.url]), [
    { algorithm: "SHA-256", value: a.sha256 },
    { algorithm: "SHA-256", value: b.sha256 },
  ]);
  assert.equal(hub.counters.requests, 0);
  assert.equal(cache.stats().hits.imported, 2);
  const ours = await caches.open("cross-origin-cache-cos-hash-meta");
  const copied = JSON.parse(await (await ours.match(b.url)).text());
  assert.equal(copied.value, b.sha256);
  assert.equal(copied.source, "imported");
});

test("reading legacy stores never creates them", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.resolveHash(lfsFiles(hub)[0].url);
  assert.deepEqual((await caches.keys()).sort(), ["cross-origin-cache-cos-hash-meta"]);
});

const invalidBodies = {
  "malformed JSON": '{"algorithm":"SHA-256","value":',
  "unknown algorithm": JSON.stringify({ algorithm: "SHA-1", value: "a".repeat(40) }),
  "63 hex digits": JSON.stringify({ algorithm: "SHA-256", value: "a".repeat(63) }),
  "65 hex digits": JSON.stringify({ algorithm: "SHA-256", value: "a".repeat(65) }),
  "non-JSON bytes": "\u0000\u00ff garbage",
  "10 MB body": "x".repeat(10 * 1024 * 1024),
};
for (const [name, body] of Object.entries(invalidBodies)) {
  test(`a persisted record with ${name} is ignored, reported and re-resolved`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    const { caches, cos } = stores();
    const file = lfsFiles(hub)[0];
    await (await caches.open("cross-origin-cache-cos-hash-meta")).put(file.url, new Response(body));
    const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
    assert.deepEqual(await cache.resolveHash(file.url), { algorithm: "SHA-256", value: file.sha256 });
    assert.deepEqual(events.map((e) => e.kind), ["persisted-record-invalid"]);
    assert.equal(cache.stats().errors["persisted-record-invalid"], 1);
    assert.equal(hub.counters.tree, 1, "re-resolved from the hub");
    const rewritten = JSON.parse(await (await (await caches.open("cross-origin-cache-cos-hash-meta")).match(file.url)).text());
    assert.equal(rewritten.value, file.sha256, "the bad record was replaced");
  });
}

test("an uppercase persisted value is accepted and lowercased before it reaches COS", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const file = lfsFiles(hub)[0];
  await (await caches.open("cross-origin-cache-cos-hash-meta")).put(file.url,
    new Response(JSON.stringify({ algorithm: "SHA-256", value: file.sha256.toUpperCase() })));
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.fetchWithCache(file.url, "arraybuffer");
  assert.ok(cos.store.calls.length > 0);
  for (const call of cos.store.calls) assert.match(call.hash, /^[0-9a-f]{64}$/);
});

test("without batch: one LFS pointer per LFS file, /raw/ of ordinary files read at most 1 KiB, never twice", async (t) => {
  const hub = await hubFor(t, { shards: 3 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), batch: false });
  const urls = modelUrls(hub);
  const first = await Promise.all(urls.map((url) => cache.resolveHash(url)));
  const again = await Promise.all(urls.map((url) => cache.resolveHash(url)));
  assert.deepEqual(again, first);
  // The tensor cache is never resolved over the network (its shards are batched once it is read).
  const hubFiles = hub.model.files.filter((f) => f.path !== "tensor-cache.json");
  assert.equal(hub.counters.raw, hubFiles.length, "one /raw/ request per other hub file, none repeated");
  for (const file of hubFiles) {
    const resolved = first[urls.indexOf(file.url)];
    assert.deepEqual(resolved, file.lfs ? { algorithm: "SHA-256", value: file.sha256 } : null, file.path);
  }
  const tokenizer = hubFiles.find((f) => f.path === "tokenizer.json");
  assert.ok(tokenizer.size > 32 * 1024);
  assert.ok(hub.counters.bytes.raw <= hubFiles.length * 1025,
    `raw bytes sent ${hub.counters.bytes.raw}: at most the first KiB of each`);
  assert.equal(cache.stats().resolutionRequests.pointer, hubFiles.length);
});

test("uppercase LFS pointer oids are lowercased before they reach COS", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const file = lfsFiles(hub)[0];
  hub.setFault((req) => req.kind === "raw", {
    status: 200,
    body: `version https://git-lfs.github.com/spec/v1\noid sha256:${file.sha256.toUpperCase()}\nsize ${file.size}\n`,
  });
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), batch: false });
  assert.equal((await cache.resolveHash(file.url)).value, file.sha256);
  await cache.fetchWithCache(file.url, "arraybuffer");
  assert.ok(cos.store.calls.some((call) => call.hash === file.sha256));
  for (const call of cos.store.calls) assert.match(call.hash, /^[0-9a-f]{64}$/);
});

// A 404 may be this repo's alone (missing, or private and asked without a token): paths-info is
// not asked again for this revision, but another repo of the hub still gets its one request.
test("a hub without the tree API or paths-info falls back to pointers, each reported once", async (t) => {
  const hub = await hubFor(t, { shards: 4 });
  hub.setFault((req) => req.kind === "pathsInfo" || req.kind === "tree", { status: 404, body: "Not Found" });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const lfs = lfsFiles(hub);
  const resolved = await cache.resolveHashes(lfs.map((f) => f.url));
  assert.deepEqual(resolved.map((r) => r.value), lfs.map((f) => f.sha256));
  assert.equal(hub.counters.tree, 1);
  assert.equal(hub.counters.pathsInfo, 1);
  assert.equal(hub.counters.raw, lfs.length);
  assert.deepEqual(events.map((e) => e.kind), ["listing-failed", "batch-failed"]);
  await cache.resolveHash(hub.model.files.find((f) => !f.lfs).url);
  assert.equal(hub.counters.tree, 1, "not listed again");
  assert.equal(hub.counters.pathsInfo, 1, "not asked again");
});

// Headers (200) then the connection cut mid-body: a network failure, not an answer. Its partial
// body, or the error's text, is never parsed as the hub's JSON.
test("a listing and paths-info cut off mid-body fail naming the network error; pointers answer", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  hub.setFault((req) => req.kind === "tree" || req.kind === "pathsInfo", { resetAfterBytes: 20 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const lfs = lfsFiles(hub);
  const resolved = await cache.resolveHashes(lfs.map((f) => f.url));
  assert.deepEqual(resolved.map((r) => r.value), lfs.map((f) => f.sha256));
  assert.deepEqual(events.map((e) => e.kind), ["listing-failed", "batch-failed"]);
  assert.match(events[0].message, /^listing of test-org\/test-model@main failed: terminated \(.+\); asking paths-info instead$/);
  assert.match(events[1].message, /^paths-info for test-org\/test-model@main failed: terminated \(.+\); resolving by LFS pointer instead$/);
  assert.equal(hub.counters.raw, lfs.length);
});

test("an unusable listing is reported as the listing's, not as paths-info's", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  hub.setFault((req) => req.kind === "tree", { status: 200, body: "<html>rate limited</html>", headers: { "Content-Type": "text/html" } });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.resolveHashes(lfsFiles(hub).map((f) => f.url));
  assert.deepEqual(events.map((e) => e.kind), ["listing-invalid"]);
  assert.match(events[0].message, /^listing of test-org\/test-model@main ignored: listing response is not valid JSON/);
  assert.doesNotMatch(events[0].message, /paths-info response/);
});

test("a hub without the tree API: paths-info answers, one request each", async (t) => {
  const hub = await hubFor(t, { shards: 4 });
  hub.setFault((req) => req.kind === "tree", { status: 405, body: "Method Not Allowed" });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const lfs = lfsFiles(hub);
  const resolved = await cache.resolveHashes(lfs.map((f) => f.url));
  assert.deepEqual(resolved.map((r) => r.value), lfs.map((f) => f.sha256));
  assert.deepEqual([hub.counters.tree, hub.counters.pathsInfo, hub.counters.raw], [1, 1, 0]);
  assert.deepEqual(events.map((e) => e.kind), ["listing-failed"]);
  assert.deepEqual(cache.stats().resolutionRequests, { listing: 1, pathsInfo: 1, pointer: 0 });
});

test("a garbage pointer is reported and the hash comes from the content", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = lfsFiles(hub)[0];
  hub.setFault((req) => req.kind === "raw", { status: 200, body: "version https://git-lfs.github.com/spec/v1\noid sha256:zz\n" });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), batch: false });
  assert.equal(await cache.resolveHash(file.url), null);
  assert.deepEqual(events.map((e) => e.kind), ["pointer-invalid"]);
  await cache.fetchWithCache(file.url, "arraybuffer");
  assert.equal((await cache.resolveHash(file.url)).value, file.sha256);
  assert.equal(cache.stats().hits.content, 1);
});

test("resolveHash of a non-URL rejects with a clear Error", async () => {
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  await assert.rejects(cache.resolveHash("not a url"), (error) => error instanceof Error && /URL/.test(error.message));
  await assert.rejects(cache.resolveHash("ftp://example.com/model.bin"), /http/);
});

test("loading the tensor cache then its shards one by one (as tvmjs does) costs one resolution request", async (t) => {
  const hub = await hubFor(t, { shards: 6 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const tensorCacheUrl = hub.model.files.find((f) => f.path === "tensor-cache.json").url;
  const manifest = await cache.fetchWithCache(tensorCacheUrl, "json");
  for (const record of manifest.records) {
    const url = new URL(record.dataPath, tensorCacheUrl).href;
    const bytes = await cache.fetchWithCache(url, "arraybuffer");
    assert.equal(bytes.byteLength, record.nbytes);
  }
  assert.equal(hub.counters.tree + hub.counters.pathsInfo + hub.counters.raw, 1);
  assert.equal(cache.stats().hits.batch, manifest.records.length);
  assert.equal(cos.store.entries().length, manifest.records.length + 1);
  assert.deepEqual(events, []);
});
