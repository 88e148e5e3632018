// The persisted store's Cache API calls and the snapshot's reads and writes are bounded: past the
// store's timeout a call fails as any failed read or write does (persisted-read-failed: the next
// source answers; persist-failed: flush() resolves false), a timed-out write gives the site's Web
// Lock back, and dispose() settles whatever still waits on a storage that never answers. Before, a
// hung read or write kept its caller, and with Web Locks every tab's later write, waiting for ever.
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadCore } from "../../js/index.js";
import { PersistedStore } from "../../js/persisted-store.js";
import { RecordSnapshot } from "../../js/record-snapshot.js";
import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor } from "../support/cache-setup.js";
import { withLocks } from "../support/lock-manager.js";

const STORE = "cross-origin-cache-cos-hash-meta";
const TIMEOUT = 50;
const core = await loadCore();
const never = () => new Promise(() => {});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const isSnapshot = (key) => String(key?.url ?? key) === core.snapshotKey;

// How a call settled, or "pending" past `ms` (a bound a call left waiting for ever never meets).
async function settledWithin(promise, ms) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve({ status: "pending" }), ms); });
  const settled = promise.then((value) => ({ status: "fulfilled", value }), (reason) => ({ status: "rejected", reason }));
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

// A tab's snapshot over `persisted`, with the events it reports.
function tabSnapshot(t, persisted) {
  const resolver = new core.Resolver({ persist: true, snapshot: true });
  const events = [];
  const snapshot = new RecordSnapshot({
    key: core.snapshotKey, limit: core.maxSnapshotBytes, writeIntervalMs: core.snapshotWriteIntervalMs,
    persisted, live: () => resolver,
    errors: { kinds: core.errorKinds, store: (kind, store, error) => events.push({ kind, store, error }) },
  });
  t.after(() => {
    snapshot.close();
    resolver.delete();
  });
  return { snapshot, events };
}

test("each Cache API call of the persisted store that never answers rejects at its timeout with a TimeoutError", async () => {
  const hangs = {
    "a read (match)": ["match", (store) => store.read("https://x.example/a", 4096)],
    "a write (put)": ["put", (store) => store.write("https://x.example/a", "{}")],
    "a delete": ["delete", (store) => store.delete("https://x.example/a")],
    "a scan (keys)": ["keys", (store) => store.entries(4096).next()],
  };
  for (const [name, [method, call]] of Object.entries(hangs)) {
    const caches = new MemoryCacheStorage();
    (await caches.open(STORE))[method] = never;
    const outcome = await settledWithin(call(new PersistedStore(caches, STORE, { timeoutMs: TIMEOUT })), 5000);
    assert.equal(outcome.status, "rejected", `${name}: ${outcome.status}`);
    assert.equal(outcome.reason.name, "TimeoutError", name);
    assert.match(outcome.reason.message, new RegExp(`of ${STORE} within ${TIMEOUT} ms`), name);
  }
  const unopened = new MemoryCacheStorage();
  unopened.open = never;
  const opening = await settledWithin(new PersistedStore(unopened, STORE, { timeoutMs: TIMEOUT }).read("https://x.example/a", 4096), 5000);
  assert.equal(opening.reason?.name, "TimeoutError", `caches.open() never answers: ${opening.status}`);
});

test("a snapshot read that never answers fails at the timeout as a failed read: reported, and load() settles", async (t) => {
  const caches = new MemoryCacheStorage();
  const store = await caches.open(STORE);
  const match = store.match.bind(store);
  store.match = (key, ...rest) => (isSnapshot(key) ? never() : match(key, ...rest));
  const { snapshot, events } = tabSnapshot(t, new PersistedStore(caches, STORE, { timeoutMs: TIMEOUT }));
  const loaded = await settledWithin(snapshot.load(), 5000);
  assert.equal(loaded.status, "fulfilled", `load(): ${loaded.status}`);
  assert.deepEqual(events.map((e) => [e.kind, e.error.name]), [["persisted-read-failed", "TimeoutError"]]);
});

test("a snapshot write that never answers fails at the timeout; no write lands after it until it does, and dispose() lets the site go on", async (t) => {
  withLocks(t);
  const caches = new MemoryCacheStorage();
  const store = await caches.open(STORE);
  const put = store.put.bind(store);
  let snapshotPuts = 0;
  store.put = (key, response) => (isSnapshot(key) && snapshotPuts++ === 0 ? never() : put(key, response));
  // Two tabs: each its own view of the one store.
  const tab = tabSnapshot(t, new PersistedStore(caches, STORE, { timeoutMs: TIMEOUT }));
  const otherTab = tabSnapshot(t, new PersistedStore(caches, STORE, { timeoutMs: TIMEOUT }));

  const hung = await settledWithin(tab.snapshot.flush(), 5000);
  assert.deepEqual(hung, { status: "fulfilled", value: false }, "flush() says the snapshot was not written");
  assert.deepEqual(tab.events.map((e) => [e.kind, e.error.name]), [["persist-failed", "TimeoutError"]]);
  // The put may still land: until it has, no write may land after it (it would undo that write).
  assert.deepEqual(await settledWithin(tab.snapshot.flush(), 5000), { status: "fulfilled", value: false }, "this tab's next write waits its turn");
  assert.deepEqual(await settledWithin(otherTab.snapshot.flush(), 5000), { status: "fulfilled", value: false }, "the other tab waits no longer than its timeout");
  assert.deepEqual(otherTab.events.map((e) => [e.kind, e.error.name]), [["persist-failed", "TimeoutError"]]);
  // The tab goes away (dispose(), or its page closes): the site's lock is free again.
  tab.snapshot.close();
  assert.deepEqual(await settledWithin(otherTab.snapshot.flush(), 5000), { status: "fulfilled", value: true }, "the other tab writes");
  assert.ok(await store.match(core.snapshotKey), "the snapshot is stored");
});

test("with storageTimeout Infinity, dispose() settles a resolveHash waiting on a snapshot read that never answers", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  const caches = new MemoryCacheStorage();
  const store = await caches.open(STORE);
  const match = store.match.bind(store);
  let asked = false;
  store.match = (key, ...rest) => {
    if (!isSnapshot(key)) return match(key, ...rest);
    asked = true;
    return never();
  };
  const { cache, events } = await cacheOn({ caches, storageTimeout: Infinity });
  const resolving = cache.resolveHash(file.url);
  while (!asked) await sleep(5);
  cache.dispose();
  const outcome = await settledWithin(resolving, 5000);
  assert.equal(outcome.status, "rejected", `resolveHash after dispose(): ${outcome.status}`);
  assert.equal(outcome.reason.name, "AbortError");
  assert.equal(outcome.reason.message, "cross-origin-cache: the cache was disposed");
  assert.deepEqual(events, []);
});

test("with storageTimeout Infinity, dispose() settles a deleteInCache whose snapshot write never answers, and gives the Web Lock back to other tabs", async (t) => {
  withLocks(t);
  const hub = await hubFor(t, { shards: 2 });
  const [a, b] = hub.model.files.filter((f) => f.lfs);
  const caches = new MemoryCacheStorage();
  const tab = await cacheOn({ caches, listRepos: false, storageTimeout: Infinity });
  const otherTab = await cacheOn({ caches, listRepos: false, storageTimeout: Infinity });
  await tab.cache.resolveHashes([a.url, b.url]);
  await tab.cache.flush();
  await otherTab.cache.resolveHashes([a.url, b.url]);
  const store = await caches.open(STORE);
  const put = store.put.bind(store);
  let hung = false;
  store.put = (key, response) => {
    if (!isSnapshot(key) || hung) return put(key, response);
    hung = true;  // this tab's next snapshot write
    return never();
  };

  const deleting = tab.cache.deleteInCache(a.url);
  while (!hung) await sleep(5);
  const otherFlush = otherTab.cache.flush();  // waits for the lock the hung write holds
  tab.cache.dispose();
  const deleted = await settledWithin(deleting, 5000);
  assert.equal(deleted.status, "rejected", `deleteInCache after dispose(): ${deleted.status}`);
  assert.match(deleted.reason.message, /the cache was disposed/);
  assert.equal((await settledWithin(otherFlush, 5000)).status, "fulfilled", "the other tab's write");
  assert.deepEqual(otherTab.events, []);
});

test("a snapshot write that timed out and lands later does not undo a newer one: later writes wait for it", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  const caches = new MemoryCacheStorage();
  const store = await caches.open(STORE);
  const put = store.put.bind(store);
  let slowNext = false;
  store.put = async (key, response) => {
    if (slowNext && String(key?.url ?? key) === core.snapshotKey) {
      slowNext = false;
      await new Promise((resolve) => setTimeout(resolve, 8 * TIMEOUT));
    }
    return put(key, response);
  };
  const { cache } = await cacheOn({ caches, storageTimeout: TIMEOUT });
  await cache.fetchWithCache(file.url, "arraybuffer");
  slowNext = true;
  await cache.flush();  // times out; its put lands later
  const deletion = await cache.deleteInCache(file.url).then(() => "resolved", () => "rejected");
  await new Promise((resolve) => setTimeout(resolve, 12 * TIMEOUT));  // the late put has landed
  const offline = async () => { throw new TypeError("offline"); };
  if (deletion === "resolved") {
    const { cache: reloaded } = await cacheOn({ caches, fetch: offline });
    assert.equal(await reloaded.resolveHash(file.url), null, "a deletion that resolved is not undone");
  }
  // This tab's next write carries the deletion over whatever landed late.
  await cache.flush();
  const { cache: reloaded } = await cacheOn({ caches, fetch: offline });
  assert.equal(await reloaded.resolveHash(file.url), null);
});
