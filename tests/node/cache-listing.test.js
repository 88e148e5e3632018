// Tree listings: one request per model repo revision answers for every file of it, whatever order
// and timing the files are asked in; pages beyond the first fall back to paths-info.
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, hubFor, modelUrls, stores } from "../support/cache-setup.js";
import { sha256Hex } from "../support/test-data.js";

const resolutionRequests = (hub) => ({ tree: hub.counters.tree, pathsInfo: hub.counters.pathsInfo, raw: hub.counters.raw });

test("files asked one at a time, as web-llm does (configs, then the tensor cache, then shards): one listing", async (t) => {
  const hub = await hubFor(t, { shards: 6 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const order = [...hub.model.files].sort((a, b) => Number(a.lfs) - Number(b.lfs));
  for (const file of order) {
    const bytes = await cache.fetchWithCache(file.url, "arraybuffer");
    assert.equal(bytes.byteLength, file.size);
  }
  assert.deepEqual(resolutionRequests(hub), { tree: 1, pathsInfo: 0, raw: 0 });
  assert.equal(hub.counters.resolve, order.length, "each file downloaded once");
  assert.equal(hub.log.find((entry) => entry.kind === "tree").url, "/api/models/test-org/test-model/tree/main?recursive=true");
  const stats = cache.stats();
  assert.deepEqual(stats.resolutionRequests, { listing: 1, pathsInfo: 0, pointer: 0 });
  assert.equal(stats.hits.batch, order.filter((f) => f.lfs).length);
  assert.deepEqual(events, []);

  // Every file answered by the listing was persisted when asked: a reload asks the hub nothing.
  hub.resetCounters();
  const { cache: reloaded } = await cacheOn({ caches, storage: cos.store.manager() });
  for (const file of order) await reloaded.fetchWithCache(file.url, "arraybuffer");
  assert.equal(hub.counters.requests, 0);
  assert.equal(reloaded.stats().hits.persisted, order.length);
});

test("a file asked while the listing is on its way waits for it instead of asking again", async (t) => {
  const hub = await hubFor(t, { shards: 4 });
  hub.setFault((req) => req.kind === "tree", { delayMs: 200 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const [first, second, third] = hub.model.files.filter((f) => f.lfs);
  const early = cache.resolveHash(first.url);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const late = Promise.all([cache.resolveHash(second.url), cache.resolveHash(third.url)]);
  assert.deepEqual((await early).value, first.sha256);
  assert.deepEqual((await late).map((r) => r.value), [second.sha256, third.sha256]);
  assert.deepEqual(resolutionRequests(hub), { tree: 1, pathsInfo: 0, raw: 0 });
});

test("files past the listing's first page: one paths-info request for those asked together", async (t) => {
  const hub = await hubFor(t, { shards: 8, treePageSize: 4 });
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  const urls = modelUrls(hub).filter((url) => url !== hub.model.wasm.url);
  const resolved = await cache.resolveHashes(urls);
  for (const [i, url] of urls.entries()) {
    const file = hub.model.files.find((f) => f.url === url);
    assert.equal(resolved[i]?.value ?? null, file.lfs ? file.sha256 : null, file.path);
  }
  assert.deepEqual(resolutionRequests(hub), { tree: 1, pathsInfo: 1, raw: 0 });
  const pathsAsked = hub.log.find((entry) => entry.kind === "pathsInfo").paths;
  const listed = hub.log.find((entry) => entry.kind === "tree").paths;
  assert.equal(listed.length, 4, "the first page");
  for (const path of pathsAsked) assert.ok(!listed.includes(path), `${path} was listed yet asked again`);
  assert.deepEqual(events, []);
});

test("a listing for a branch is used within maxAge; after it the revision is listed again", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const realNow = Date.now;
  let now = realNow();
  Date.now = () => now;
  t.after(() => { Date.now = realNow; });
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: 60000 });
  const [a, b] = hub.model.files.filter((f) => f.lfs);
  await cache.resolveHash(a.url);
  hub.commit("test-org/test-model", { [b.path]: { bytes: Buffer.from("new bytes of b"), lfs: true } });
  now += 30000;
  assert.equal((await cache.resolveHash(b.url)).value, b.sha256, "within maxAge: the listing's (older) hash");
  assert.equal(hub.counters.tree, 1);
  now += 60001;
  const fresh = await cache.resolveHash(b.url);
  assert.equal(hub.counters.tree, 2, "listed again after maxAge");
  assert.equal(fresh.value, sha256Hex("new bytes of b"));
});

test("a commit URL's listing never expires; credentials in the URL are never persisted", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: 0 });
  const [a, b] = hub.model.files.filter((f) => f.lfs);
  assert.equal((await cache.resolveHash(a.commitUrl)).value, a.sha256);
  assert.equal((await cache.resolveHash(b.commitUrl)).value, b.sha256);
  assert.equal(hub.counters.tree, 1);
  const withToken = `${b.url}?token=hf_secret`;
  assert.equal((await cache.resolveHash(withToken)).value, b.sha256);
  const keys = (await (await caches.open("cross-origin-cache-cos-hash-meta")).keys()).map((r) => r.url ?? String(r));
  assert.ok(keys.every((key) => !key.includes("hf_secret")), keys.join(" "));
});

test("resolveHashDetails says where each hash came from, with its size and commit", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const [shard] = hub.model.files.filter((f) => f.lfs);
  const plain = hub.model.files.find((f) => !f.lfs);
  const [first, none] = await cache.resolveHashDetails([shard.url, plain.url]);
  assert.deepEqual(first, { algorithm: "SHA-256", value: shard.sha256, size: shard.size, commit: hub.model.commit, source: "batch" });
  assert.equal(none, null, "a plain file's hash comes from its bytes");
  assert.equal((await cache.resolveHashDetails([shard.url]))[0].source, "memory");
  const { cache: reloaded } = await cacheOn({ caches, storage: cos.store.manager() });
  const [again] = await reloaded.resolveHashDetails([new URL(shard.url)]);
  assert.deepEqual(again, { ...first, source: "persisted" });
});

test("a paths-info request names a path with control characters as JSON escapes, and the hub's answer resolves it", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const bodies = [];
  const fetchSpy = (url, init = {}) => {
    if (String(url).includes("/paths-info/")) bodies.push(init.body);
    return fetch(url, init);
  };
  const { caches } = stores();
  const { cache } = await cacheOn({ caches, storage: null, listRepos: false, fetch: fetchSpy });
  const shard = hub.model.files.find((f) => f.lfs);
  const odd = `${shard.url.slice(0, shard.url.lastIndexOf("/") + 1)}odd%01name%1F.bin`;
  await cache.resolveHashes([odd, shard.url]).catch(() => {});
  assert.equal(bodies.length, 1, "one paths-info request for both");
  // Escaped as JSON requires (lowercase \u00XX, as nlohmann-json writes), and read back as the path.
  assert.match(bodies[0], /"odd\\u0001name\\u001f\.bin"/);
  assert.deepEqual(JSON.parse(bodies[0]).paths.sort(), ["odd\u0001name\u001f.bin", shard.path].sort());
});
