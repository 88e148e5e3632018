// Without Cross-Origin Storage, a file of up to one shard's size (kWholeBodyMaxBytes) whose hash is
// known is read whole by the platform (response.blob()), digested natively (WebCrypto) and put into
// the fallback store as that Blob: none of its bytes is read chunk by chunk through the page
// (bench:model, no COS: that read and the wasm hash were most of the cold load's time). It is
// still verified before anything is stored.
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { counting } from "../support/spy.js";
import { sha256Hex as sha } from "../support/test-data.js";

const MiB = 1024 * 1024;
const FALLBACK = "cross-origin-cache-cos-fallback";
const lfsFiles = (hub) => hub.model.files.filter((file) => file.lfs);
const downloadsOf = (hub, file) => hub.log.filter((entry) => entry.kind === "resolve" && entry.path === file.path);

async function storedKeys(caches) {
  const [entries, seals] = await Promise.all([caches.open(FALLBACK), caches.open(`${FALLBACK}-seals`)]);
  return { entries: (await entries.keys()).length, seals: (await seals.keys()).length };
}

test("a shard-sized file is read whole, digested natively, stored as one Blob and served on reload", async (t) => {
  const hub = await hubFor(t, { shards: 3, shardSize: 2 * MiB });
  const shards = lfsFiles(hub);
  const { caches } = stores();
  // A cache per file: each one's first body is read whole whatever the machine's speed (later
  // ones only while bodies arrive at the body rate's threshold, which a busy machine may miss).
  const tabs = [];
  for (const file of shards) tabs.push({ file, ...await cacheOn({ caches }) });
  const wasmHashers = (await import("../../js/core.js")).loadCore().then((core) => core.Sha256.prototype);
  const spied = await counting(Response.prototype, "blob", () =>
    counting(crypto.subtle.constructor.prototype, "digest", async () =>
      counting(await wasmHashers, "updateFromScratch", async () => {
        for (const { file, cache } of tabs) await cache.addToCache(file.url);
      })));
  const digests = spied.result;
  const wasm = digests.result;
  assert.ok(spied.calls() >= shards.length, `each body was read whole (${spied.calls()} blob() calls)`);
  assert.ok(digests.calls() >= shards.length, `each was digested natively (${digests.calls()} calls)`);
  assert.equal(wasm.calls(), 0, "no byte went through the wasm hasher");
  for (const { events } of tabs) assert.deepEqual(events, []);
  assert.deepEqual(await storedKeys(caches), { entries: shards.length, seals: shards.length });
  for (const { file, cache } of tabs) {
    assert.equal(cache.stats().stored, 1);
    assert.equal(cache.stats().bytesDownloaded, file.size);
  }

  hub.resetCounters();
  const { cache: reloaded } = await cacheOn({ caches });
  for (const file of shards) assert.equal(sha(await reloaded.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.equal(hub.counters.resolve, 0, "every file came from the fallback store");
});

test("a body that does not hash to the known hash is refused before anything is stored", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: MiB });
  const [shard] = lfsFiles(hub);
  hub.setFault((req) => req.kind === "resolve", { replaceBytes: Buffer.alloc(shard.size, 7) });
  const { caches } = stores();
  const { cache, events } = await cacheOn({ caches });
  const fallback = await caches.open(FALLBACK);
  assert.equal(fallback, await caches.open(FALLBACK), "the stand-in hands out one object per name");
  const puts = await counting(fallback, "put", () =>
    assert.rejects(cache.fetchWithCache(shard.url, "arraybuffer"), (error) => error.message.includes(shard.sha256)));
  assert.equal(puts.calls(), 0, "no put into the store was started, not even one deleted later");
  assert.deepEqual(await storedKeys(caches), { entries: 0, seals: 0 });
  assert.ok(events.length >= 1, "the mismatch was reported");
  assert.equal(downloadsOf(hub, shard).length, 1, "bytes that hash wrong are not asked for again");
});

test("a whole read that breaks off is asked for again, streamed, and stored verified", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 4 * MiB });
  const [shard] = lfsFiles(hub);
  hub.setFault((req) => req.kind === "resolve" && !req.range, { resetAfterBytes: MiB, times: 1 });
  const { caches } = stores();
  const { cache, events } = await cacheOn({ caches });
  assert.equal(sha(await cache.fetchWithCache(shard.url, "arraybuffer")), shard.sha256);
  const requests = downloadsOf(hub, shard);
  assert.equal(requests.length, 2, "the broken whole read and one full request");
  assert.deepEqual(requests.map((entry) => entry.range), [null, null]);
  assert.deepEqual(events.map((event) => event.kind), ["download-resumed"]);
  assert.match(events[0].message, /broke off; it is asked for again, streamed/);
  assert.equal(cache.stats().resumedDownloads, 1);
  assert.deepEqual(await storedKeys(caches), { entries: 1, seals: 1 });

  // Resuming off: the break-off fails the load, and nothing is stored.
  const again = await hubFor(t, { shards: 1, shardSize: 4 * MiB });
  const [other] = lfsFiles(again);
  again.setFault((req) => req.kind === "resolve", { resetAfterBytes: MiB, times: 1 });
  const fresh = stores();
  const { cache: once } = await cacheOn({ caches: fresh.caches, resumeAttempts: 0 });
  await assert.rejects(once.fetchWithCache(other.url, "arraybuffer"));
  assert.equal(downloadsOf(again, other).length, 1);
  assert.deepEqual(await storedKeys(fresh.caches), { entries: 0, seals: 0 });
});

test("a file larger than one shard streams through the page as before", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 32 * MiB + 1 });
  const [shard] = lfsFiles(hub);
  const { caches } = stores();
  const { cache } = await cacheOn({ caches });
  const spied = await counting(Response.prototype, "blob", () => cache.addToCache(shard.url));
  assert.equal(spied.calls(), 0, "not read whole");
  assert.deepEqual(await storedKeys(caches), { entries: 1, seals: 1 });
  const { cache: reloaded } = await cacheOn({ caches });
  assert.equal(sha(await reloaded.fetchWithCache(shard.url, "arraybuffer")), shard.sha256);
});

test("on a link slower than the page hashes, only the first body is read whole: the next ones stream", async (t) => {
  // 8 MB/s a connection: far below the 50 MB/s from which a whole read pays (kWholeBodyMinBytesPerSecond).
  const hub = await hubFor(t, { shards: 3, shardSize: 2 * MiB, network: { connectionBytesPerSecond: 8e6 } });
  const shards = lfsFiles(hub);
  const { caches } = stores();
  const { cache, events } = await cacheOn({ caches });
  const wholeReads = [];
  for (const file of shards) {
    const spied = await counting(Response.prototype, "blob", () => cache.addToCache(file.url));
    wholeReads.push(spied.calls());
  }
  assert.deepEqual(wholeReads, [1, 0, 0], "nothing measured yet: whole; then the measured rate says stream");
  assert.deepEqual(events, []);
  assert.deepEqual(await storedKeys(caches), { entries: shards.length, seals: shards.length });
  const { cache: reloaded } = await cacheOn({ caches });
  for (const file of shards) assert.equal(sha(await reloaded.fetchWithCache(file.url, "arraybuffer")), file.sha256);
});

test("a file whose hash comes only from its content is read whole too, hashed natively, stored under that hash", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const plain = hub.model.files.filter((file) => !file.lfs).sort((a, b) => b.size - a.size)[0];
  const { caches } = stores();
  const { cache, events } = await cacheOn({ caches });
  const wasmHashers = (await import("../../js/core.js")).loadCore().then((core) => core.Sha256.prototype);
  const spied = await counting(Response.prototype, "blob", () =>
    counting(crypto.subtle.constructor.prototype, "digest", async () =>
      counting(await wasmHashers, "updateFromScratch", () => cache.fetchWithCache(plain.url, "arraybuffer"))));
  const digests = spied.result;
  const wasm = digests.result;
  assert.equal(sha(wasm.result), plain.sha256);
  assert.equal(spied.calls(), 1, "read whole");
  assert.ok(digests.calls() >= 1, "digested natively");
  assert.equal(wasm.calls(), 0, "no byte went through the wasm hasher");
  assert.deepEqual(events, []);
  assert.equal(cache.stats().hits.content, 1, "the hash came from the content");
  assert.deepEqual(await storedKeys(caches), { entries: 1, seals: 1 });
  const entry = await (await caches.open(FALLBACK)).match(`https://cross-origin-cache.invalid/sha256/${plain.sha256}`);
  assert.ok(entry, "stored under the hash its bytes have");
});
