// Paced downloads (pacedDownloads: true; "auto" paces only in Firefox): a large file whose hash is
// known is taken as consecutive bounded range requests from a real HTTP server, each asked for
// only once storage has every byte before it; the joined bytes are verified whole. A server that
// ignores ranges is read in one body; one whose file changes between segments fails the load
// with nothing stored.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { seededBytes } from "../../local-hub/index.js";
import { loadCore } from "../../js/core.js";

const MiB = 1024 * 1024;
const REPO = "test-org/paced";
const { pacedSegmentBytes: SEGMENT } = await loadCore();
// Two whole segments and a short last one.
const SIZE = 2 * SEGMENT + 3 * MiB + 7;

async function hubWithFile(t) {
  const hub = await hubFor(t, { shards: 1 });
  hub.addRepo({ id: REPO, files: [{ path: "big.bin", size: SIZE, generate: seededBytes(3, "big.bin") }] });
  return { hub, file: await hub.fileInfo(REPO, "big.bin") };
}

const downloadsOf = (hub) => hub.log.filter((entry) => entry.kind === "resolve" && entry.path === "big.bin");
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const halfWritten = (cos) => cos.store.calls.some((call) => cos.store.get(call.hash ?? "")?.writing);

test("paced: consecutive bounded ranges, each asked for once storage has the bytes before it; stored verified", async (t) => {
  const { hub, file } = await hubWithFile(t);
  // Writes near each segment's end are slow: a next range asked for before they settle shows.
  const { caches, cos } = stores({ writeMs: ({ offset }) => (offset % SEGMENT > SEGMENT - MiB ? 20 : 0) });
  const settled = () => cos.store.calls.filter((call) => call.step === "write" && call.done).reduce((sum, call) => sum + call.bytes, 0);
  const settledWhenAsked = [];
  hub.setFault((req) => {
    if (req.kind === "resolve" && req.range) settledWhenAsked.push(settled());
    return false;
  }, {});
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), pacedDownloads: true });
  await cache.addToCache(file.url);

  const requests = downloadsOf(hub);
  assert.equal(requests.length, Math.ceil(SIZE / SEGMENT), "one request per segment");
  assert.deepEqual(requests.map((r) => r.range), [
    `bytes=0-${SEGMENT - 1}`,
    `bytes=${SEGMENT}-${2 * SEGMENT - 1}`,
    `bytes=${2 * SEGMENT}-${SIZE - 1}`,
  ]);
  assert.deepEqual(requests.map((r) => r.status), [206, 206, 206]);
  assert.deepEqual(requests.map((r) => r.bytes), [SEGMENT, SEGMENT, SIZE - 2 * SEGMENT]);
  assert.deepEqual(settledWhenAsked, [0, SEGMENT, 2 * SEGMENT], "each range asked for once the bytes before it were stored");
  const stats = cache.stats();
  assert.equal(stats.downloads, 1);
  assert.equal(stats.resumedDownloads, 0);
  assert.equal(stats.bytesDownloaded, SIZE);
  assert.equal(stats.stored, 1);
  assert.deepEqual(events, []);
  const entry = cos.store.get(file.sha256);
  assert.ok(entry && !entry.writing, "stored under the file's SHA-256");
  assert.equal(entry.bytes.length, SIZE);
  assert.equal(sha256(entry.bytes), file.sha256, "the joined bytes are the file's");
});

test("not paced by default in Node, nor when the file fits in one segment", async (t) => {
  const { hub, file } = await hubWithFile(t);
  hub.addRepo({ id: "test-org/small", files: [{ path: "big.bin", size: 3 * MiB, generate: seededBytes(4, "small") }] });
  const small = await hub.fileInfo("test-org/small", "big.bin");
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.addToCache(file.url);
  const { cache: paced } = await cacheOn({ caches, storage: cos.store.manager(), pacedDownloads: true });
  await paced.addToCache(small.url);
  assert.deepEqual(downloadsOf(hub).map((r) => [r.range, r.status]), [[null, 200], [null, 200]]);
  assert.equal(cos.store.get(file.sha256)?.bytes.length, SIZE);
  assert.equal(cos.store.get(small.sha256)?.bytes.length, 3 * MiB);
  await assert.rejects(cacheOn({ pacedDownloads: "yes" }), /pacedDownloads must be "auto", true or false/);
});

test("a server that ignores ranges: the whole file in one body, stored verified", async (t) => {
  const { hub, file } = await hubWithFile(t);
  hub.setFault((req) => req.kind === "resolve", { ignoreRange: true });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), pacedDownloads: true });
  await cache.addToCache(file.url);
  const requests = downloadsOf(hub);
  assert.deepEqual(requests.map((r) => [r.range, r.status, r.bytes]), [[`bytes=0-${SEGMENT - 1}`, 200, SIZE]]);
  assert.equal(cache.stats().bytesDownloaded, SIZE);
  assert.deepEqual(events, []);
  const entry = cos.store.get(file.sha256);
  assert.ok(entry && !entry.writing);
  assert.equal(sha256(entry.bytes), file.sha256);
});

test("a file that changes between segments fails the load cleanly: nothing stored, nothing half-written", async (t) => {
  const { hub, file } = await hubWithFile(t);
  // The second range request finds a new version on the branch (same size, other bytes and ETag).
  hub.setFault((req) => {
    if (req.kind === "resolve" && req.range?.startsWith(`bytes=${SEGMENT}-`)) {
      hub.commit(REPO, { "big.bin": { size: SIZE, generate: seededBytes(5, "big.bin") } });
    }
    return false;
  }, {});
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), pacedDownloads: true });
  await assert.rejects(cache.addToCache(file.url), (error) => {
    assert.ok(error.message.includes(file.url), error.message);
    assert.match(error.message, /the range bytes=\d+-\d+ did not continue the download: the file changed/);
    return true;
  });
  assert.equal(downloadsOf(hub).length, 2, "no range asked for after the refused one");
  assert.equal(cos.store.entries().length, 0, "nothing stored");
  for (let waited = 0; halfWritten(cos) && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(!halfWritten(cos), "nothing half-written");
  assert.equal(cache.stats().stored, 0);
});

test("a file that changes between segments with no ETag to tell: the hash of the joined bytes fails the load, nothing stored", async (t) => {
  const { hub, file } = await hubWithFile(t);
  hub.setFault((req) => {
    if (req.kind === "resolve" && req.range?.startsWith(`bytes=${SEGMENT}-`) && hub.describe(REPO).files[0].sha256 === file.sha256) {
      hub.commit(REPO, { "big.bin": { size: SIZE, generate: seededBytes(5, "big.bin") } });
    }
    return req.kind === "resolve";
  }, { headers: { ETag: null } });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), pacedDownloads: true });
  await assert.rejects(cache.addToCache(file.url), new RegExp(`big\\.bin has SHA-256 [0-9a-f]{64}, expected ${file.sha256}`));
  assert.equal(downloadsOf(hub).length, 3, "every segment passed its range check");
  assert.deepEqual(events.map((e) => e.kind), ["cos-hash-mismatch"]);
  assert.equal(cos.store.entries().length, 0, "nothing stored");
  for (let waited = 0; halfWritten(cos) && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(!halfWritten(cos), "nothing half-written");
});

for (const [name, body] of [["an empty body", ""], ["a one-byte body", "x"]]) {
  test(`a server that answers each range with a right Content-Range and ${name}: resumed up to the cap, then failed, nothing stored`, async (t) => {
    const { hub, file } = await hubWithFile(t);
    hub.setFault((req) => req.kind === "resolve" && req.range != null, {
      status: 206, body, headers: { "Content-Range": `bytes 0-${SEGMENT - 1}/${SIZE}` },
    });
    const { caches, cos } = stores();
    const resumeAttempts = 2;
    const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), pacedDownloads: true, resumeAttempts });
    await assert.rejects(cache.addToCache(file.url),
      new RegExp(`the range from byte 0 ended at byte ${body.length}, before byte ${SEGMENT}.*not resumed`));
    // Before: the same range was asked for again without end (about 5,600 requests in 3 s).
    assert.ok(downloadsOf(hub).length <= 1 + resumeAttempts, `${downloadsOf(hub).length} range requests`);
    assert.equal(cos.store.entries().length, 0);
    assert.ok(!halfWritten(cos));
    assert.ok(events.every((event) => event.kind === "download-resumed"), events.map((event) => event.kind).join());
  });
}
