// Tabs of a site write one snapshot entry; with Web Locks (which browsers give pages and workers)
// each tab's read, merge and write is one step, so a deletion in one tab and a write in another
// that overlap never bring the deleted URL back. Node has no Web Locks: the test gives it a lock
// manager with the API's shape (request(name, callback), one holder per name at a time).
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadCore } from "../../js/index.js";
import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor } from "../support/cache-setup.js";
import { withLocks } from "../support/lock-manager.js";

const STORE = "cross-origin-cache-cos-hash-meta";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("a deletion in one tab and a snapshot write in another that overlap: the deleted URL stays deleted", async (t) => {
  const locks = withLocks(t);

  const hub = await hubFor(t, { shards: 3 });
  const { snapshotKey } = await loadCore();
  const [x, y, z] = hub.model.files.filter((f) => f.lfs);
  const caches = new MemoryCacheStorage();
  const tabA = await cacheOn({ caches, listRepos: false });
  await tabA.cache.resolveHashes([x.url, y.url]);
  await tabA.cache.flush();
  const tabB = await cacheOn({ caches, listRepos: false });
  await tabB.cache.resolveHashes([x.url, y.url]);  // from the snapshot
  await tabB.cache.resolveHash(z.url);              // learned: tab B has a write pending
  // Slow reads and B's write, so the two tabs' read-merge-writes overlap unless they take turns.
  const store = await caches.open(STORE);
  const put = store.put.bind(store);
  const match = store.match.bind(store);
  store.match = async (key, ...rest) => {
    const found = await match(key, ...rest);
    if (String(key?.url ?? key) === snapshotKey) await sleep(20);
    return found;
  };
  store.put = async (key, response) => {
    if ((await response.clone().text()).includes(z.url)) await sleep(60);
    return put(key, response);
  };
  await Promise.all([tabA.cache.deleteInCache(x.url), tabB.cache.flush()]);
  store.put = put;
  store.match = match;

  const snapshot = JSON.parse(await (await match(snapshotKey)).text());
  assert.ok(!snapshot.records.some(([url]) => url === x.url), "the deleted URL is not back in the snapshot");
  assert.ok(snapshot.records.some(([url]) => url === z.url), "tab B's new record is kept");
  const reload = await cacheOn({ caches, listRepos: false, fetch: async () => { throw new TypeError("offline"); } });
  assert.equal((await reload.cache.resolveHashDetails([x.url]))[0], null, "a reload does not find it");
  assert.ok(locks.requests.length >= 3, "each snapshot write took the lock");
});
