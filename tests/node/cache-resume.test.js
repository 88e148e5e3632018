// A download that breaks off mid-body is resumed with a range request, when its bytes can be
// checked against a hash known beforehand; otherwise, and when the answer does not continue the
// same file, the load fails with a clear error and nothing is stored.
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const MiB = 1024 * 1024;
const shardOf = (hub) => hub.model.files.find((f) => f.lfs);
const requestsFor = (hub, file) => hub.log.filter((entry) => entry.kind === "resolve" && entry.path === file.path);

async function persistedValue(caches, url) {
  const response = await (await caches.open("cross-origin-cache-cos-hash-meta")).match(url);
  return response ? JSON.parse(await response.text()).value : undefined;
}

test("a body that breaks off is resumed from where it stopped, and verified whole", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 4 * MiB });
  const shard = shardOf(hub);
  hub.setFault((req) => req.kind === "resolve" && !req.range, { resetAfterBytes: MiB, times: 1 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal(sha(await cache.fetchWithCache(shard.url, "arraybuffer")), shard.sha256);

  const requests = requestsFor(hub, shard);
  assert.equal(requests.length, 2, "the first download and one range request");
  assert.equal(requests[0].range, null);
  const resumedAt = Number(/^bytes=(\d+)-$/.exec(requests[1].range)?.[1]);
  assert.ok(resumedAt > 0 && resumedAt <= MiB, `resumed at byte ${requests[1].range}`);
  assert.equal(requests[1].status, 206);
  assert.equal(resumedAt + requests[1].bytes, shard.size, "the range request sent the rest, and only the rest");
  const stats = cache.stats();
  assert.equal(stats.resumedDownloads, 1);
  assert.equal(stats.downloads, 1);
  assert.equal(stats.bytesDownloaded, shard.size);
  assert.deepEqual(events.map((e) => e.kind), ["download-resumed"]);
  assert.match(events[0].message, new RegExp(`broke off at byte ${resumedAt}`));
  assert.equal(cos.store.get(shard.sha256)?.bytes.length, shard.size, "stored whole");
  assert.equal(await persistedValue(caches, shard.url), shard.sha256);
});

test("it resumes as often as resumeAttempts says, then fails naming the URL; nothing stored", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 2 * MiB });
  const shard = shardOf(hub);
  hub.setFault((req) => req.kind === "resolve", { resetAfterBytes: 64 * 1024 });
  for (const [attempts, message] of [[2, /not resumed: gave up after 2 resumed attempts/], [0, /not resumed: resuming is off/]]) {
    hub.log.length = 0;
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager(), resumeAttempts: attempts });
    await assert.rejects(cache.fetchWithCache(shard.url, "arraybuffer"), (error) => {
      assert.ok(error.message.includes(shard.url), error.message);
      assert.match(error.message, message);
      return true;
    });
    assert.equal(requestsFor(hub, shard).length, attempts + 1);
    assert.equal(cache.stats().resumedDownloads, attempts);
    assert.equal(cos.store.entries().length, 0, "nothing stored");
    assert.ok(cos.store.calls.every((call) => !cos.store.get(call.hash ?? "")?.writing), "nothing half-written");
    // The hash came from the listing before any byte: it may be persisted, never a wrong one.
    assert.ok([undefined, shard.sha256].includes(await persistedValue(caches, shard.url)));
  }
  await assert.rejects(cacheOn({ resumeAttempts: -1 }), /resumeAttempts must be a whole number/);
});

test("a file whose hash comes only from its content is not resumed", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const tokenizer = hub.model.files.find((f) => f.path === "tokenizer.json");
  hub.setFault((req) => req.kind === "resolve", { resetAfterBytes: 1024, times: 1 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  await assert.rejects(cache.fetchWithCache(tokenizer.url, "arraybuffer"), /tokenizer\.json.*not resumed: its hash is not known beforehand/s);
  assert.equal(requestsFor(hub, tokenizer).length, 1);
  assert.equal(cos.store.entries().length, 0);
  assert.equal(sha(await cache.fetchWithCache(tokenizer.url, "arraybuffer")), tokenizer.sha256, "a later load works");
});

test("an answer that does not continue the same file ends the load; nothing stored", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: MiB });
  const shard = shardOf(hub);
  const cases = {
    "the file changed": { headers: { ETag: "\"another-version\"" } },
    "the server ignored the range": { status: 200, body: Buffer.alloc(shard.size) },
    "the range request answered HTTP 416": { status: 416, body: "" },
  };
  for (const [reason, fault] of Object.entries(cases)) {
    hub.clearFaults();
    hub.setFault((req) => req.kind === "resolve" && !req.range, { resetAfterBytes: 256 * 1024, times: 1 });
    hub.setFault((req) => req.kind === "resolve" && Boolean(req.range), { ...fault, times: 1 });
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
    await assert.rejects(cache.fetchWithCache(shard.url, "arraybuffer"), (error) => {
      assert.ok(error.message.includes(shard.url), error.message);
      assert.ok(error.message.includes(reason), `${reason}: ${error.message}`);
      return true;
    });
    assert.equal(cache.stats().resumedDownloads, 0, reason);
    assert.equal(cos.store.entries().length, 0, reason);
    assert.ok([undefined, shard.sha256].includes(await persistedValue(caches, shard.url)), reason);
  }
});

test("an abort while the rest is being asked for: AbortError, nothing stored", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: MiB });
  const shard = shardOf(hub);
  hub.setFault((req) => req.kind === "resolve" && !req.range, { resetAfterBytes: 256 * 1024, times: 1 });
  hub.setFault((req) => req.kind === "resolve" && Boolean(req.range), { delayMs: 2000, times: 1 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const controller = new AbortController();
  const loading = cache.fetchWithCache(shard.url, "arraybuffer", controller.signal);
  // Abort once the range request is out (the hub has logged it).
  while (!hub.log.some((entry) => entry.range)) await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort();
  await assert.rejects(loading, { name: "AbortError" });
  // The caller's wait ends at once; the load's own clean-up (aborting the writable) follows.
  const halfWritten = () => cos.store.calls.some((call) => cos.store.get(call.hash ?? "")?.writing);
  for (let waited = 0; halfWritten() && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(!halfWritten(), "nothing half-written");
  assert.equal(cos.store.entries().length, 0);
  assert.deepEqual(events.map((e) => e.kind), [], "an abort is not reported as an error");
  hub.clearFaults();
  assert.equal(sha(await cache.fetchWithCache(shard.url, "arraybuffer")), shard.sha256, "a later load works");
});

test("a response handed to put() is not asked for again: the break-off is the caller's error", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: MiB });
  const shard = shardOf(hub);
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.resolveHash(shard.url);  // the hash is known: only the request is not ours
  hub.setFault((req) => req.kind === "resolve", { resetAfterBytes: 256 * 1024, times: 1 });
  hub.log.length = 0;
  const response = await fetch(shard.url);
  await assert.rejects(cache.put(shard.url, response), (error) => {
    assert.ok(error.message.includes(shard.url), error.message);
    assert.doesNotMatch(error.message, /not resumed/);
    return true;
  });
  assert.equal(requestsFor(hub, shard).length, 1, "no range request");
  assert.equal(cache.stats().resumedDownloads, 0);
  assert.equal(cos.store.entries().length, 0);
});
