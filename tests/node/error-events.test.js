// onError events name their subject: a URL (redacted), one or more hashes, or a Cache API store,
// with exactly the matching field. Nothing is misfiled: no `url` holds a hash or a store name.
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadCore } from "../../js/index.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";

const STORE = "cross-origin-cache-cos-hash-meta";
const HEX = /^[0-9a-f]{64}$/;
const lfsFiles = (hub) => hub.model.files.filter((f) => f.lfs);
const sri = (hex) => `sha256-${Buffer.from(hex, "hex").toString("base64")}`;

/** The shape every event has, whatever its kind. */
function assertShape(core, event) {
  const where = JSON.stringify(event);
  assert.ok(Object.values(core.errorKinds).includes(event.kind), `kind from the core's list: ${where}`);
  assert.ok(["url", "hash", "store"].includes(event.subject), `subject: ${where}`);
  assert.deepEqual(Object.keys(event).sort(), ["error", "kind", "message", "subject", event.subject].sort(), `fields: ${where}`);
  assert.ok(event.error instanceof Error);
  assert.equal(event.message, event.error.message);
  const value = event[event.subject];
  assert.equal(typeof value, "string");
  if (event.subject === "url") {
    assert.match(value, /^https?:\/\//, `a url: ${where}`);
    assert.doesNotMatch(value, HEX);
    assert.ok(!value.endsWith("-cos-hash-meta"), `a url, not a store: ${where}`);
  } else if (event.subject === "hash") {
    for (const hash of value.split(" ")) assert.match(hash, HEX, `hashes: ${where}`);
  } else {
    assert.doesNotMatch(value, /:\/\//, `a store name: ${where}`);
  }
}

test("events about a URL carry url alone, with its secrets redacted", async (t) => {
  const core = await loadCore();
  const hub = await hubFor(t, { shards: 2 });
  const [file, other] = lfsFiles(hub);
  const token = "hf_EVENTSECRET_42";
  const { caches, cos } = stores();
  // pointer-fetch-failed: the pointer request of a URL with a token fails.
  hub.setFault((info) => info.kind === "raw" && info.url.includes(file.path), { status: 500, body: "" });
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), batch: false });
  const tokenUrl = `${file.url}?token=${token}`;
  assert.equal(await cache.resolveHash(tokenUrl), null);
  assert.deepEqual(events.map((e) => e.kind), [core.errorKinds.pointerFetchFailed]);
  assert.equal(events[0].subject, "url");
  assert.ok(events[0].url.startsWith(file.url), events[0].url);
  assert.ok(events[0].url.includes("***"), events[0].url);
  for (const event of events) {
    assertShape(core, event);
    assert.ok(!JSON.stringify(event).includes(token) && !event.message.includes(token), JSON.stringify(event));
  }

  // persisted-record-invalid: a per-URL entry that is not a record.
  await (await caches.open(STORE)).put(other.url, new Response("not a record"));
  events.length = 0;
  const { cache: second, events: secondEvents } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal((await second.resolveHash(other.url)).value, other.sha256);
  const invalid = secondEvents.filter((e) => e.kind === core.errorKinds.persistedRecordInvalid);
  assert.equal(invalid.length, 1, JSON.stringify(secondEvents));
  assert.deepEqual({ subject: invalid[0].subject, url: invalid[0].url }, { subject: "url", url: other.url });
  secondEvents.forEach((event) => assertShape(core, event));
});

test("bytes unlike their hash: the core's cos-hash-mismatch, about the URL", async (t) => {
  const core = await loadCore();
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.path === "tokenizer.json");
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), hints: { [file.url]: sri("0".repeat(64)) } });
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), /expected/);
  assert.deepEqual(events.map((e) => [e.kind, e.subject, e.url]), [["cos-hash-mismatch", "url", file.url]]);
  events.forEach((event) => assertShape(core, event));
});

test("events about the record snapshot name its store, not a url", async (t) => {
  const core = await loadCore();
  const hub = await hubFor(t, { shards: 2 });
  const files = lfsFiles(hub);
  const { caches, cos } = stores();
  const store = await caches.open(STORE);
  await store.put(core.snapshotKey, new Response("{\"version\":1,\"records\":"));
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.resolveHashes(files.map((f) => f.url));
  assert.deepEqual(events.map((e) => [e.kind, e.subject, e.store]), [["persisted-snapshot-invalid", "store", STORE]]);
  assert.equal("url" in events[0], false);

  // Its write fails: persist-failed, about the store.
  events.length = 0;
  store.failPut = (request) => (request.url.includes(core.snapshotKey) ? new DOMException("full", "QuotaExceededError") : undefined);
  await cache.flush();
  // The write reads the stored snapshot first: still the bad one, already reported.
  assert.deepEqual(events.map((e) => [e.kind, e.subject, e.store]), [["persist-failed", "store", STORE]]);
  events.forEach((event) => assertShape(core, event));
});

test("hasAllKeys failures name the hashes it asked for, space-separated", async (t) => {
  const core = await loadCore();
  const hub = await hubFor(t, { shards: 2 });
  const files = lfsFiles(hub);
  let failing = false;
  const { caches, cos } = stores({ faults: ({ step, create }) => (failing && step === "request" && !create ? new DOMException("broken", "UnknownError") : undefined) });
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.resolveHashes(files.map((f) => f.url));
  failing = true;
  assert.equal(await cache.hasAllKeys(files.map((f) => f.url)), false);
  assert.deepEqual(events.map((e) => [e.kind, e.subject]), [["cos-failed", "hash"]]);
  assert.deepEqual(events[0].hash.split(" ").sort(), files.map((f) => f.sha256).sort());
  events.forEach((event) => assertShape(core, event));

  // One hash alone is named as it is.
  events.length = 0;
  assert.equal(await cache.hasAllKeys([files[0].url]), false);
  assert.deepEqual(events.map((e) => [e.kind, e.subject, e.hash]), [["cos-failed", "hash", files[0].sha256]]);
});
