// The persisted snapshot: one Cache API entry with every URL→hash record, read once on a reload
// instead of one entry per URL; merged across tabs, repaired when bad, never a secret or a hint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

import { loadCore } from "../../js/index.js";
import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";

const STORE = "cross-origin-cache-cos-hash-meta";
const { snapshotKey } = await loadCore();
const storedSnapshot = async (caches) => {
  const response = await (await caches.open(STORE)).match(snapshotKey);
  return response ? JSON.parse(await response.text()) : null;
};
/** A hub of `shards` LFS files, resolved by a cache whose snapshot of them is written. */
async function resolvedAndWritten(t, shards) {
  const hub = await hubFor(t, { shards });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const files = hub.model.files.filter((f) => f.lfs);
  await cache.resolveHashes(files.map((f) => f.url));
  await cache.flush();
  return { hub, caches, cos, cache, files, store: await caches.open(STORE) };
}
const snapshotUrls = async (caches) => ((await storedSnapshot(caches))?.records ?? []).map(([url]) => url).sort();

test("a reload resolves every URL from one read of the store", async (t) => {
  const hub = await hubFor(t, { shards: 8 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const urls = hub.model.files.map((f) => f.url);
  for (const url of urls) await cache.fetchWithCache(url, "arraybuffer");
  await cache.flush();
  assert.deepEqual(await snapshotUrls(caches), [...urls].sort());

  hub.resetCounters();
  const counts = caches.countsFor(STORE);
  const matchesBefore = counts.matches;
  const { cache: reloaded, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const resolved = await reloaded.resolveHashes(urls);
  assert.deepEqual(resolved.map((r) => r.value), hub.model.files.map((f) => f.sha256));
  assert.equal(counts.matches - matchesBefore, 1, "one Cache API read for all of them");
  assert.equal(reloaded.stats().hits.persisted, urls.length);
  assert.equal(hub.counters.requests, 0);
  assert.deepEqual(events, []);
  // One at a time (match, fetchWithCache) it is the same single read.
  const { cache: third } = await cacheOn({ caches, storage: cos.store.manager() });
  const before = counts.matches;
  for (const url of urls) assert.ok(await third.resolveHash(url));
  assert.equal(counts.matches - before, 1);
});

test("without flush() the snapshot is written within about a second of a change", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const [file] = hub.model.files.filter((f) => f.lfs);
  await cache.resolveHash(file.url);
  assert.equal(await storedSnapshot(caches), null, "not at once: a load learns records one by one");
  // Polled, not a fixed sleep: a loaded machine may run the timer late.
  const started = Date.now();
  while ((await storedSnapshot(caches)) === null && Date.now() - started < 10000) await sleep(50);
  assert.ok(Date.now() - started >= 500, "written after the interval (1 s from the change), not at once");
  assert.deepEqual(await snapshotUrls(caches), [file.url]);
  const puts = caches.countsFor(STORE).puts;
  await sleep(1200);
  assert.equal(caches.countsFor(STORE).puts, puts, "nothing new, nothing written");
});

test("two tabs on one store: each snapshot keeps the other's records", async (t) => {
  const hub = await hubFor(t, { shards: 4 });
  const { caches, cos } = stores();
  const [a, b, c] = hub.model.files.filter((f) => f.lfs);
  const { cache: first } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  const { cache: second } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  await first.resolveHash(a.url);
  await second.resolveHash(b.url);
  await first.flush();
  await second.flush();
  assert.deepEqual(await snapshotUrls(caches), [a.url, b.url].sort());
  await first.resolveHash(c.url);
  await first.flush();
  assert.deepEqual(await snapshotUrls(caches), [a.url, b.url, c.url].sort());
});

test("a URL another tab deleted stays deleted when this tab writes its snapshot", async (t) => {
  const hub = await hubFor(t, { shards: 4 });
  const { caches, cos } = stores();
  const [a, b, c] = hub.model.files.filter((f) => f.lfs);
  const { cache: first } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  await first.resolveHashes([a.url, b.url]);
  await first.flush();
  const { cache: second } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  assert.ok(await second.resolveHash(a.url));
  await second.deleteInCache(a.url);
  assert.deepEqual(await snapshotUrls(caches), [b.url]);
  // The first tab still holds a's record in memory, learns c, and writes.
  await first.resolveHash(c.url);
  await first.flush();
  assert.deepEqual(await snapshotUrls(caches), [b.url, c.url].sort());
  hub.resetCounters();
  const { cache: reloaded } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  const details = await reloaded.resolveHashDetails([a.url, b.url, c.url]);
  assert.deepEqual(details.map((d) => d.source), ["batch", "persisted", "persisted"]);
  assert.equal(hub.counters.pathsInfo, 1, "the deleted one was resolved again");
});

test("a deletion wins over another tab's pending write of what it learned before", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const [a, b] = hub.model.files.filter((f) => f.lfs);
  const { cache: deleter } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  await deleter.resolveHashes([a.url, b.url]);
  await deleter.flush();
  // The other tab learns a from its per-URL entry (no snapshot to read: it was lost), so a is
  // among what its pending snapshot write will carry...
  await (await caches.open(STORE)).delete(snapshotKey);
  const { cache: slow } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  const fresh = await slow.resolveHashDetails([a.url]);
  assert.equal(fresh[0].source, "persisted");
  // ...when the first tab deletes a.
  await deleter.deleteInCache(a.url);
  assert.deepEqual(await snapshotUrls(caches), [b.url]);
  await slow.flush();
  assert.deepEqual(await snapshotUrls(caches), [b.url], "a stays out of the snapshot");
  assert.deepEqual((await storedSnapshot(caches)).deleted.map(([url]) => url), [a.url], "the deletion is remembered for a while");
  const { cache: reloaded } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  const details = await reloaded.resolveHashDetails([a.url, b.url]);
  assert.deepEqual(details.map((d) => d.source), ["batch", "persisted"]);
});

test("deletions made while a snapshot is being written all stay deleted", async (t) => {
  // tvmjs's deleteTensorCache deletes every shard at once; here the calls are staggered so that
  // some come while the snapshot of the first is being written.
  const { caches, cos, cache, files, store } = await resolvedAndWritten(t, 8);
  const put = store.put.bind(store);
  store.put = async (...args) => {
    await sleep(25);
    return put(...args);
  };
  const deletions = [];
  for (const file of files) {
    deletions.push(cache.deleteInCache(file.url));
    await sleep(5);
  }
  await Promise.all(deletions);
  assert.deepEqual(await snapshotUrls(caches), []);
  const { cache: reloaded } = await cacheOn({ caches, storage: cos.store.manager() });
  const details = await reloaded.resolveHashDetails(files.map((f) => f.url));
  assert.ok(details.every((d) => d.source !== "persisted"), JSON.stringify(details.map((d) => d.source)));
});

test("a bad snapshot is reported once, the per-URL entries answer, and the next write repairs it", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const files = hub.model.files.filter((f) => f.lfs);
  await cache.resolveHashes(files.map((f) => f.url));
  await (await caches.open(STORE)).put(snapshotKey, new Response("{\"version\":1,\"records\":[[\"https://x.example/a\",{\"value\":\"zz\"}]"));

  hub.resetCounters();
  const { cache: reloaded, events } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.deepEqual((await reloaded.resolveHashes(files.map((f) => f.url))).map((r) => r.value), files.map((f) => f.sha256));
  assert.equal(hub.counters.requests, 0, "the per-URL entries answered");
  assert.deepEqual(events.map((e) => e.kind), ["persisted-snapshot-invalid"]);
  assert.equal(events[0].subject, "store");
  assert.equal(events[0].store, STORE);
  await reloaded.flush();
  assert.deepEqual(await snapshotUrls(caches), files.map((f) => f.url).sort());

  // Entries of a valid snapshot that are not records are skipped, the rest used.
  const good = await storedSnapshot(caches);
  good.records.push(["https://x.example/b", { value: "nope" }]);
  await (await caches.open(STORE)).put(snapshotKey, new Response(JSON.stringify(good)));
  const { cache: third, events: thirdEvents } = await cacheOn({ caches, storage: cos.store.manager() });
  await third.resolveHashes(files.map((f) => f.url));
  assert.equal(third.stats().hits.persisted, files.length);
  assert.deepEqual(thirdEvents.map((e) => e.kind), ["persisted-snapshot-invalid"]);
  assert.match(thirdEvents[0].message, /1 persisted snapshot entry ignored/);
});

test("stored times written as JSON floats are read as numbers: a fresh one is used; a stale or negative one is not; an overflowing one refuses the snapshot", async (t) => {
  const { caches, cos, files, store } = await resolvedAndWritten(t, 4);
  // JSON.stringify writes whole numbers without a fraction or exponent; these are written by hand.
  const snapshot = await storedSnapshot(caches);
  const withTimes = (times) => {
    const byUrl = new Map(snapshot.records);
    files.forEach((file, i) => { byUrl.get(file.url).storedAt = `@time${i}@`; });
    return times.reduce((text, time, i) => text.replace(`"@time${i}@"`, time), JSON.stringify(snapshot));
  };
  const reload = async (times) => {
    // Only the snapshot answers: the per-URL entries go.
    for (const request of await store.keys()) await store.delete(request);
    await store.put(snapshotKey, new Response(withTimes(times)));
    const { cache: reloaded, events } = await cacheOn({ caches, storage: cos.store.manager() });
    const details = await reloaded.resolveHashDetails(files.map((f) => f.url));
    assert.deepEqual(details.map((d) => d.value), files.map((f) => f.sha256));
    return { sources: details.map((d) => d.source), events };
  };

  const now = `${(Date.now() / 1e3).toFixed(3)}e3`;  // milliseconds, as 1.7e12-style text
  const read = await reload([now, "1.0e3", "-1.5e3", "2.5e-3"]);
  assert.deepEqual(read.sources.map((source) => source === "persisted"), [true, false, false, false], read.sources.join());
  assert.deepEqual(read.events.map((e) => e.kind), ["persisted-snapshot-invalid"]);
  assert.match(read.events[0].message, /1 persisted snapshot entry ignored/, "the negative time");

  const overflow = await reload([now, now, now, "1e400"]);
  assert.ok(overflow.sources.every((source) => source !== "persisted"), overflow.sources.join());
  assert.match(overflow.events[0].message, /snapshot is not valid JSON/);
});

test("the snapshot never holds a URL with credentials, a hint, or anything when persistence is off", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const [a, b] = hub.model.files.filter((f) => f.lfs);
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), hints: { [b.url]: b.sha256 } });
  await cache.resolveHash(`${a.url}?token=hf_secret`);
  await cache.resolveHash(b.url);
  await cache.resolveHash(a.url);
  await cache.flush();
  const text = JSON.stringify(await storedSnapshot(caches));
  assert.ok(!text.includes("hf_secret"), text);
  assert.deepEqual(await snapshotUrls(caches), [a.url]);

  const { cache: memoryOnly } = await cacheOn({ caches: undefined, storage: cos.store.manager() });
  await memoryOnly.resolveHash(a.url);
  await memoryOnly.flush();  // nothing to write to: resolves without error
});

test("dispose() with a write pending: nothing reported, nothing unhandled", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const caches = new MemoryCacheStorage();
  const { cache, events } = await cacheOn({ caches, storage: null });
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  await cache.resolveHash(hub.model.files.find((f) => f.lfs).url);
  cache.dispose();
  await sleep(1300);
  assert.deepEqual(unhandled, []);
  assert.deepEqual(events, []);
  assert.equal(await storedSnapshot(caches), null);
});

test("scope \"tvmjs\" shares tvmjs's store: no snapshot, so what tvmjs deletes stays deleted", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const [a, b] = hub.model.files.filter((f) => f.lfs);
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), scope: "tvmjs", listRepos: false });
  await cache.resolveHashes([a.url, b.url]);
  await cache.flush();
  const store = await caches.open("tvmjs-cos-hash-meta");
  assert.deepEqual((await store.keys()).map((r) => r.url).sort(), [a.url, b.url].sort(), "per-URL entries only");
  // tvmjs's deleteInCache removes its entry; a reload of ours must not find it elsewhere.
  await store.delete(a.url);
  hub.resetCounters();
  const { cache: reloaded } = await cacheOn({ caches, storage: cos.store.manager(), scope: "tvmjs", listRepos: false });
  const details = await reloaded.resolveHashDetails([a.url, b.url]);
  assert.deepEqual(details.map((d) => d.source), ["batch", "persisted"]);
  assert.equal(hub.counters.pathsInfo, 1, "the deleted one was resolved again");
});

test("deleteInCache whose snapshot write does not happen rejects, rather than leave the record for a reload", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  for (const failure of ["the snapshot write fails", "dispose() during the deletion"]) {
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
    await cache.fetchWithCache(file.url, "arraybuffer");
    await cache.flush();
    const store = await caches.open("cross-origin-cache-cos-hash-meta");
    if (failure === "the snapshot write fails") {
      store.put = async () => { throw new DOMException("the store is full", "QuotaExceededError"); };
      await assert.rejects(cache.deleteInCache(file.url), /the persisted snapshot could not be written, so a reload may still find its record/);
    } else {
      const remove = store.delete.bind(store);
      store.delete = async (...args) => { const removed = await remove(...args); cache.dispose(); return removed; };
      await assert.rejects(cache.deleteInCache(file.url), /the cache was disposed/);
    }
  }
});

test("deleteInCache whose per-URL entry cannot be deleted rejects, rather than leave the record for a reload", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.fetchWithCache(file.url, "arraybuffer");
  await cache.flush();
  const store = await caches.open(STORE);
  const remove = store.delete.bind(store);
  store.delete = async () => { throw new DOMException("the store refused", "UnknownError"); };
  await assert.rejects(cache.deleteInCache(file.url), /its persisted entry could not be deleted, so a reload may still find its record/);
  assert.deepEqual(events.map((e) => e.kind), ["persist-failed"]);
  store.delete = remove;
});

test("deleteInCache removes the URL's record from tvmjs's store too: a reload does not import it back", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  const { caches, cos } = stores();
  // tvmjs (or prepareWebLLMModel) recorded the URL in its own store.
  const tvmjs = await caches.open("tvmjs-cos-hash-meta");
  await tvmjs.put(file.url, new Response(JSON.stringify({ algorithm: "SHA-256", value: file.sha256 })));
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  await cache.fetchWithCache(file.url, "arraybuffer");
  await cache.deleteInCache(file.url);
  assert.equal(await tvmjs.match(file.url), undefined);
  hub.resetCounters();
  const { cache: reloaded } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  const [details] = await reloaded.resolveHashDetails([file.url]);
  assert.equal(details.source, "batch", "resolved again, not imported");
});

// A per-URL entry whose write was under way when its URL was deleted lands after the deletion.
function slowPutsOf(caches, url) {
  let slow = false;
  let entered;
  const open = caches.open.bind(caches);
  caches.open = async (name) => {
    const cache = await open(name);
    if (name === STORE && !cache.slowed) {
      cache.slowed = true;
      const put = cache.put.bind(cache);
      cache.put = async (key, response) => {
        if (slow && String(key?.url ?? key) === url) {
          slow = false;
          entered();
          await sleep(200);
        }
        return put(key, response);
      };
    }
    return cache;
  };
  return () => {
    slow = true;
    return new Promise((resolve) => { entered = resolve; });
  };
}

test("another tab's per-URL write that lands after a deletion does not bring the URL back", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const [a] = hub.model.files.filter((f) => f.lfs);
  const { caches, cos } = stores();
  const slowNext = slowPutsOf(caches, a.url);
  const { cache: deleter } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  const { cache: writer } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false });
  const writing = slowNext();
  const learning = writer.resolveHash(a.url);
  await writing;
  await deleter.resolveHash(a.url);
  await deleter.deleteInCache(a.url);
  await learning;
  assert.ok(await (await caches.open(STORE)).match(a.url), "the late write landed");
  const offline = async () => { throw new TypeError("offline"); };
  const { cache: reloaded, events } = await cacheOn({ caches, storage: cos.store.manager(), listRepos: false, fetch: offline });
  assert.equal(await reloaded.resolveHash(a.url), null);
  assert.equal(await (await caches.open(STORE)).match(a.url), undefined, "the late entry is dropped once read");
  assert.deepEqual(events.filter((e) => e.kind !== "batch-failed" && e.kind !== "pointer-fetch-failed"), []);
});

test("this tab's per-URL write that lands after the URL was deleted is deleted again", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  // Its hash comes from its bytes: the load writes the record last, after storing the bytes.
  const plain = hub.model.files.find((f) => f.path === "tokenizer.json");
  const { caches, cos } = stores();
  const slowNext = slowPutsOf(caches, plain.url);
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const writing = slowNext();
  const loading = cache.fetchWithCache(plain.url, "arraybuffer");
  await writing;
  await cache.deleteInCache(plain.url);
  await loading;
  assert.equal(await (await caches.open(STORE)).match(plain.url), undefined);
  await cache.flush();
  assert.deepEqual(await snapshotUrls(caches), []);
});
