// The fallback store serves only entries this package completed and verified: bytes someone else
// put under an entry's key, or a write that did not finish, are a miss (fetched and stored again).
import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";
import { withLocks } from "../support/lock-manager.js";

const lfsFile = (hub) => hub.model.files.find((f) => f.lfs);
const FALLBACK = "cross-origin-cache-cos-fallback";
const entryKey = (hash) => `https://cross-origin-cache.invalid/sha256/${hash}`;

async function loadTwice(t, tamper) {
  const hub = await hubFor(t, { shards: 1 });
  const file = lfsFile(hub);
  const caches = new MemoryCacheStorage();
  const first = await cacheOn({ caches });
  assert.equal(sha(await first.cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.equal(first.cache.stats().stored, 1);
  await tamper(await caches.open(FALLBACK), file, caches);
  const second = await cacheOn({ caches });  // a reload
  const downloadsBefore = hub.counts?.resolve ?? 0;
  const bytes = await second.cache.fetchWithCache(file.url, "arraybuffer");
  return { hub, file, caches, bytes, second, downloadsBefore };
}

test("an untampered entry is served from the fallback store on reload", async (t) => {
  const { file, bytes, second } = await loadTwice(t, async () => {});
  assert.equal(sha(bytes), file.sha256);
  assert.equal(second.cache.stats().storageHits, 1);
  assert.equal(second.cache.stats().downloads, 0);
});

test("bytes other code of the origin put under an entry's key are a miss, never served", async (t) => {
  const { file, bytes, second, caches } = await loadTwice(t, async (cache, f) => {
    await cache.put(entryKey(f.sha256), new Response("not the file"));
  });
  assert.equal(sha(bytes), file.sha256, "the right bytes, from the network");
  assert.equal(second.cache.stats().storageHits, 0);
  assert.equal(second.cache.stats().downloads, 1);
  // Stored again, sealed: a third load is served from storage.
  const third = await cacheOn({ caches });
  assert.equal(sha(await third.cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.equal(third.cache.stats().storageHits, 1);
});

test("same-sized foreign bytes under an entry's key, with the old write's header copied, are still a miss", async (t) => {
  const { file, bytes, second } = await loadTwice(t, async (cache, f) => {
    const stored = await cache.match(entryKey(f.sha256));
    const size = (await stored.clone().arrayBuffer()).byteLength;
    // Same headers (write id included) but other bytes of another length.
    await cache.put(entryKey(f.sha256), new Response(new Uint8Array(size + 1), { headers: stored.headers }));
  });
  assert.equal(sha(bytes), file.sha256);
  assert.equal(second.cache.stats().storageHits, 0);
});

test("an entry written by someone else with no seal at all (a cut-off or foreign write) is a miss", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = lfsFile(hub);
  const caches = new MemoryCacheStorage();
  // Another library of the origin wrote the right key with wrong bytes before we ever ran.
  await (await caches.open(FALLBACK)).put(entryKey(file.sha256), new Response("truncated"));
  const { cache } = await cacheOn({ caches });
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.equal(cache.stats().storageHits, 0);
  assert.equal(await cache.match(file.url).then((r) => r.arrayBuffer()).then(sha), file.sha256);
});

test("a planted seal of 150 MB is a miss like any bad seal: read no further than a seal can be", async (t) => {
  const { file, bytes, second } = await loadTwice(t, async (cache, f, caches) => {
    const seals = await caches.open(`${FALLBACK}-seals`);
    const [sealKey] = (await seals.keys()).map((request) => request.url).filter((url) => url.endsWith(f.sha256));
    assert.ok(sealKey, "the first load sealed its entry");
    await seals.put(sealKey, new Response(`{"write":"${"0".repeat(150e6)}"}`));
  });
  assert.equal(sha(bytes), file.sha256);
  assert.equal(second.cache.stats().storageHits, 0);
  assert.equal(second.cache.stats().downloads, 1);
  assert.deepEqual(second.events, [], "a miss, not a storage failure");
});

test("two writes of the same bytes whose seals land out of order: the entry that stays is sealed", async (t) => {
  const hub = await hubFor(t, { shards: 0 });
  const bytes = Buffer.alloc(1 << 20, 7);
  const repo = hub.addRepo({ id: "test-org/twins", files: [{ path: "a.bin", bytes, lfs: true }, { path: "b.bin", bytes, lfs: true }] });
  hub.setFault((info) => info.kind === "resolve" && info.path === "b.bin", { delayMs: 150 });
  const caches = new MemoryCacheStorage();
  const open = caches.open.bind(caches);
  let sealPuts = 0;
  caches.open = async (name) => {
    const cache = await open(name);
    if (name === `${FALLBACK}-seals` && !cache.slowFirstPut) {
      cache.slowFirstPut = true;
      const put = cache.put.bind(cache);
      // The first seal takes a while to land; the second write's bytes land meanwhile.
      cache.put = async (request, response) => {
        if (sealPuts++ === 0) await new Promise((resolve) => setTimeout(resolve, 600));
        return put(request, response);
      };
    }
    return cache;
  };
  const { cache, events } = await cacheOn({ caches });
  await Promise.all(repo.files.map((f) => cache.fetchWithCache(f.url, "arraybuffer")));
  assert.deepEqual(events, []);
  const reload = await cacheOn({ caches });
  assert.equal(await reload.cache.hasAllKeys(repo.files.map((f) => f.url)), true);
  for (const f of repo.files) assert.equal(sha(await reload.cache.fetchWithCache(f.url, "arraybuffer")), sha(bytes));
  assert.equal(reload.cache.stats().downloads, 0, "the reload reads the one sealed entry");
});

test("two tabs storing the same bytes under two URLs: with Web Locks the entry that stays is the sealed one", async (t) => {
  withLocks(t);
  const hub = await hubFor(t, { shards: 0 });
  const bytes = Buffer.alloc(1 << 20, 7);
  const repo = hub.addRepo({ id: "org/twins", files: [{ path: "a.bin", bytes, lfs: true }, { path: "b.bin", bytes, lfs: true }] });
  const [a, b] = repo.files;
  const caches = new MemoryCacheStorage();
  // Tab A's seal lands late: tab B's entry and seal land meanwhile.
  const seals = await caches.open(`${FALLBACK}-seals`);
  const put = seals.put.bind(seals);
  let first = true;
  seals.put = async (...args) => {
    if (first) {
      first = false;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    return put(...args);
  };
  const tabA = await cacheOn({ caches });
  const tabB = await cacheOn({ caches });
  const loadA = tabA.cache.fetchWithCache(a.url, "arraybuffer");
  await new Promise((resolve) => setTimeout(resolve, 100));
  const loadB = tabB.cache.fetchWithCache(b.url, "arraybuffer");
  for (const loaded of await Promise.all([loadA, loadB])) assert.equal(sha(loaded), sha(bytes));
  hub.resetCounters();
  const reload = await cacheOn({ caches });
  assert.equal(await reload.cache.hasAllKeys([a.url, b.url]), true);
  assert.equal(sha(await reload.cache.fetchWithCache(a.url, "arraybuffer")), sha(bytes));
  assert.equal(hub.counters.resolve, 0, "served from the fallback store");
});

test("a tab whose seal step never ends holds the site's seal turn no longer than another tab's storageTimeout", { timeout: 30000 }, async (t) => {
  withLocks(t);
  const hub = await hubFor(t, { shards: 1 });
  const file = lfsFile(hub);
  const caches = new MemoryCacheStorage();
  // Tab A's view of the origin's Cache API: a put into the seals store never answers.
  const tabA = Object.create(caches);
  let hung = false;
  tabA.open = async (name) => {
    const cache = await caches.open(name);
    if (!name.endsWith("-seals")) return cache;
    return new Proxy(cache, {
      get(target, prop) {
        if (prop === "put") return () => { hung = true; return new Promise(() => {}); };
        const value = target[prop];
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  for (const name of ["has", "keys", "delete"]) tabA[name] = caches[name].bind(caches);
  const a = await cacheOn({ caches: tabA, storageTimeout: 200 });
  a.cache.fetchWithCache(file.url, "arraybuffer").catch(() => {});
  while (!hung) await new Promise((resolve) => setTimeout(resolve, 20));
  a.cache.dispose();
  const b = await cacheOn({ caches, storageTimeout: 200 });
  assert.equal(sha(await b.cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.equal(b.cache.stats().stored, 1);
});
