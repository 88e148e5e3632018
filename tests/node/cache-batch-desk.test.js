// Which resolutions share a listing or paths-info request is the core's decision (its desk), not
// the timing of the shim: resolutions asked together go together however long each took to get
// there, and a resolution asked alone meanwhile waits for the request on its way.
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, hubFor, stores } from "../support/cache-setup.js";

const resolutionRequests = (hub) => ({ tree: hub.counters.tree, pathsInfo: hub.counters.pathsInfo, raw: hub.counters.raw });

/** The caches, with each read of the persisted store delayed by 0-90 ms, differing per entry. */
function slowReads(caches) {
  return {
    open: async (name) => {
      const cache = await caches.open(name);
      const match = cache.match.bind(cache);
      cache.match = async (request, options) => {
        const url = String(request?.url ?? request);
        const delay = [...url].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 10 * 10;
        await new Promise((resolve) => setTimeout(resolve, delay));
        return match(request, options);
      };
      return cache;
    },
    has: (name) => caches.has(name),
    delete: (name) => caches.delete(name),
    keys: () => caches.keys(),
    match: (request, options) => caches.match(request, options),
  };
}

test("files asked together whose store reads end far apart: one paths-info request, for all of them", async (t) => {
  const hub = await hubFor(t, { shards: 6 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches: slowReads(caches), storage: cos.store.manager(), listRepos: false });
  const lfs = hub.model.files.filter((file) => file.lfs);
  const records = await cache.resolveHashes(lfs.map((file) => file.url));
  assert.deepEqual(records.map((record) => record.value), lfs.map((file) => file.sha256));
  assert.deepEqual(resolutionRequests(hub), { tree: 0, pathsInfo: 1, raw: 0 });
  const asked = hub.log.find((entry) => entry.kind === "pathsInfo").paths;
  assert.deepEqual([...asked].sort(), lfs.map((file) => file.path).sort(), "every path in the one request");
  assert.deepEqual(events, []);
});

test("a file asked alone while files asked together still read their stores: one listing serves both", async (t) => {
  const hub = await hubFor(t, { shards: 6 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches: slowReads(caches), storage: cos.store.manager() });
  const [alone, ...together] = hub.model.files.filter((file) => file.lfs);
  const group = cache.resolveHashes(together.map((file) => file.url));
  const single = cache.resolveHash(alone.url);
  assert.deepEqual((await group).map((record) => record.value), together.map((file) => file.sha256));
  assert.equal((await single).value, alone.sha256);
  assert.deepEqual(resolutionRequests(hub), { tree: 1, pathsInfo: 0, raw: 0 });
  assert.deepEqual(events, []);
});
