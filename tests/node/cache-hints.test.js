// Hash hints: SRI integrity strings the app already has seed the index and verify downloads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import { cacheOn, expectedHash, hubFor, modelUrls, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const sri = (hex) => `sha256-${Buffer.from(hex, "hex").toString("base64")}`;

test("cold start with a hint for every file: zero resolution requests, bytes looked up in COS", async (t) => {
  const hub = await hubFor(t, { shards: 4 });
  const urls = modelUrls(hub);
  const { caches, cos } = stores();
  // Another origin stored the model already.
  const other = await cacheOn({ caches, storage: cos.store.manager("http://localhost:1111") });
  for (const url of urls) await other.cache.addToCache(url);
  hub.resetCounters();

  const hints = Object.fromEntries(urls.map((url) => [url, sri(expectedHash(hub, url))]));
  const { cache, events } = await cacheOn({ caches: stores().caches, storage: cos.store.manager("http://localhost:2222"), hints });
  for (const url of urls) assert.equal(sha(await cache.fetchWithCache(url, "arraybuffer")), expectedHash(hub, url));
  assert.equal(hub.counters.requests, 0, "no resolution request and no download");
  const hits = cache.stats().hits;
  assert.ok(hits.hint >= urls.length);
  assert.equal(hits.batch + hits.pointer + hits.persisted + hits.content, 0);
  assert.deepEqual(events, []);
});

test("a wrong hint: the download is rejected and nothing is stored", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.path === "tokenizer.json");
  const wrong = "0".repeat(64);
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), hints: { [file.url]: sri(wrong) } });
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), (error) =>
    error.message.includes(wrong) && error.message.includes(file.sha256));
  assert.equal(cos.store.entries().length, 0);
  assert.equal((await (await caches.open("cross-origin-cache-cos-hash-meta")).keys()).length, 0);
});

test("hints accept several SRI tokens and bare hex; hints with no usable hash are refused clearly", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  cache.addHint(file.url, `md5-abc sha256-${Buffer.from(file.sha256, "hex").toString("base64")}?ct=application/octet-stream`);
  assert.deepEqual(await cache.resolveHash(file.url), { algorithm: "SHA-256", value: file.sha256 });
  cache.addHint(file.commitUrl, file.sha256.toUpperCase());
  assert.equal((await cache.resolveHash(file.commitUrl)).value, file.sha256);
  assert.throws(() => cache.addHint(file.url, "sha256-tooshort"), /no usable sha256/);
  assert.throws(() => cache.addHint(file.url, "md5-abcd"), /no usable/);
  assert.equal(hub.counters.requests, 0);
});

test("sha384/sha512 hints verify the download only: a wrong one rejects it, a right one passes", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.path === "tokenizer.json");
  const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
  hub.resetCounters();
  const sri512 = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
  const sri384 = `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
  const { caches, cos } = stores();
  const good = await cacheOn({ caches, storage: cos.store.manager(), hints: { [file.url]: `${sri384} ${sri512}` } });
  assert.equal(sha(await good.cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.ok(hub.counters.tree + hub.counters.pathsInfo + hub.counters.raw >= 1, "not a COS key: the hash was still resolved");

  const wrong = `sha512-${createHash("sha512").update("something else").digest("base64")}`;
  const fresh = stores();
  const bad = await cacheOn({ caches: fresh.caches, storage: fresh.cos.store.manager(), hints: { [file.url]: wrong } });
  await assert.rejects(bad.cache.fetchWithCache(file.url, "arraybuffer"), /sha512/);
  assert.deepEqual(bad.events.map((e) => e.kind), ["integrity-mismatch"]);
  assert.equal(fresh.cos.store.entries().length, 0);
  assert.equal((await (await fresh.caches.open("cross-origin-cache-cos-hash-meta")).keys()).length, 0);
});

// SRI lists several values of one algorithm as alternatives: the bytes need match one of them.
test("several sha256 values are alternatives: bytes matching any one load, bytes matching none are refused", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.path === "tokenizer.json");
  const other = "1".repeat(64);
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), hints: { [file.url]: `${sri(other)} ${sri(file.sha256)}` } });
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.deepEqual(cos.store.entries().map((entry) => entry.hash), [file.sha256]);
  assert.deepEqual(events, []);

  const fresh = stores();
  const wrong = await cacheOn({ caches: fresh.caches, storage: fresh.cos.store.manager(),
    hints: { [file.url]: `${sri(other)} ${sri("2".repeat(64))}` } });
  await assert.rejects(wrong.cache.fetchWithCache(file.url, "arraybuffer"), (error) =>
    error.message.includes(`expected ${other} or ${"2".repeat(64)}`) && error.message.includes(file.sha256));
  assert.deepEqual(wrong.events.map((e) => e.kind), ["integrity-mismatch"]);
  assert.equal(fresh.cos.store.entries().length, 0);
});

test("several sha384 values are alternatives too: either one passes", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.path === "tokenizer.json");
  const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
  const right = `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
  const old = `sha384-${createHash("sha384").update("the file's earlier version").digest("base64")}`;
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), hints: { [file.url]: `${old} ${right}` } });
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.deepEqual(events, []);
});

test("a stored entry whose hash is none of several sha256 values is not served: the bytes are fetched and checked", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  const { caches, cos } = stores();
  const first = await cacheOn({ caches, storage: cos.store.manager() });
  await first.cache.addToCache(file.url);
  hub.resetCounters();
  // The app now pins two hashes, neither of which is the stored file's.
  const pinned = ["3".repeat(64), "4".repeat(64)];
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(),
    hints: { [file.url]: pinned.map(sri).join(" ") } });
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), (error) => error.message.includes(pinned[0]));
  assert.ok(events.some((e) => e.kind === "integrity-mismatch"), "the refusal is reported");
  assert.equal(cache.stats().storageHits, 0, "the stored entry was not served");
  assert.equal(await cache.match(file.url), undefined, "nor does match() serve it");
  assert.equal(await cache.hasAllKeys([file.url]), false);
});

test("several sha256 values given later replace a single one given earlier", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.path === "tokenizer.json");
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), hints: { [file.url]: sri("5".repeat(64)) } });
  cache.addHint(file.url, `${sri("6".repeat(64))} ${sri(file.sha256)}`);
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
});
