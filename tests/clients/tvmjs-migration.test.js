// Sharing Cross-Origin Storage with the real tvmjs `ArtifactCrossOriginStorageCache` (what web-llm's
// `cacheBackend: "cross-origin"` uses), in Chromium with a COS manager in the page:
//  - migration: entries tvmjs wrote (bytes in COS, URL → hash in "tvmjs-cos-hash-meta") are resolved
//    by our cache (default scope, importLegacy on) after a reload with zero hub requests;
//  - the other way: our cache with scope "tvmjs" writes what tvmjs then reads with zero hub requests.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { cosInitScript } from "../support/cos-page-polyfill.js";

const TVMJS = "/node_modules/@mlc-ai/web-runtime/lib/index.js";
const SHARDS = 4;

const hubWork = (hub) => ({ resolve: hub.counters.resolve, raw: hub.counters.raw, tree: hub.counters.tree, pathsInfo: hub.counters.pathsInfo, wasm: hub.counters.wasm });
const NO_HUB_WORK = { resolve: 0, raw: 0, tree: 0, pathsInfo: 0, wasm: 0 };

/** A hub site, a COS backend and a fresh Chromium profile with the COS polyfill, all closed after t. */
async function world(t) {
  let site;
  let cos;
  let browser;
  t.after(async () => {
    await browser?.close();
    await cos?.close();
    await site?.close();
  });
  site = await startSite({ shards: SHARDS, shardSize: 80 * 1024 });
  cos = await startCosBackend();
  browser = await launchBrowser({ initScripts: [cosInitScript({ backend: cos.url })] });
  const urls = [...site.model.files.map((f) => f.url), site.model.wasm.url];
  const expected = urls.map((url) => (url === site.model.wasm.url ? site.model.wasm.sha256 : site.model.files.find((f) => f.url === url).sha256));
  const open = async () => {
    const page = await browser.open(`${site.url}${BLANK_PAGE}`);
    await page.addScriptTag({ url: TVMJS });
    return page;
  };
  return { site, cos, browser, urls, expected, open };
}

/** In the page: loads every URL through tvmjs's ArtifactCrossOriginStorageCache; returns SHA-256 hex of each. */
function loadWithTvmjs(page, urls) {
  return page.evaluate(async (list) => {
    const hex = async (bytes) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const cache = new globalThis.tvmjs.ArtifactCrossOriginStorageCache("tvmjs");
    const out = [];
    for (const url of list) out.push(await hex(await cache.fetchWithCache(url, "arraybuffer")));
    return out;
  }, urls);
}

/** In the page: the tvmjs-cos-hash-meta store as {url: parsed JSON}. */
function tvmjsStore(page) {
  return page.evaluate(async () => {
    const out = {};
    if (!(await caches.has("tvmjs-cos-hash-meta"))) return out;
    const store = await caches.open("tvmjs-cos-hash-meta");
    for (const request of await store.keys()) out[request.url] = JSON.parse(await (await store.match(request)).text());
    return out;
  });
}

test("migration: what tvmjs's ArtifactCrossOriginStorageCache stored resolves in our cache with zero hub requests", async (t) => {
  const { site, cos, urls, expected, open } = await world(t);

  // ---- the app as it was: tvmjs's own COS cache
  const before = await open();
  assert.deepEqual(await loadWithTvmjs(before, urls), expected);
  const written = await tvmjsStore(before);
  assert.deepEqual(Object.keys(written).sort(), [...urls].sort(), "tvmjs persisted every URL");
  for (const [i, url] of urls.entries()) assert.deepEqual(written[url], { algorithm: "SHA-256", value: expected[i] });
  for (const value of expected) assert.ok(cos.entry(value), `tvmjs stored ${value} in COS`);
  t.diagnostic(`tvmjs cold load: ${JSON.stringify(hubWork(site))}`);
  await before.close();

  // ---- the app after switching to our cache (a reload: new page, same profile, same COS)
  site.resetCounters();
  cos.resetCounters();
  const after = await open();
  const result = await evaluateModule(after, "/js/index.js", async (m, list) => {
    const cache = await m.createCrossOriginCache();
    const resolved = (await cache.resolveHashes(list)).map((d) => d?.value ?? null);
    const afterResolve = cache.stats();
    const hashes = [];
    for (const url of list) {
      const bytes = await cache.fetchWithCache(url, "arraybuffer");
      hashes.push([...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join(""));
    }
    const own = await caches.open("cross-origin-cache-cos-hash-meta");
    return { scope: cache.scope, resolved, afterResolve, stats: cache.stats(), hashes, ownKeys: (await own.keys()).length };
  }, urls);
  assert.equal(result.scope, "cross-origin-cache");
  assert.deepEqual(result.resolved, expected, "every hash resolved");
  assert.equal(result.afterResolve.hits.imported, urls.length, "all of them from tvmjs's store");
  assert.deepEqual(result.afterResolve.resolutionRequests, { listing: 0, pathsInfo: 0, pointer: 0 });
  assert.deepEqual(result.hashes, expected);
  assert.equal(result.stats.storageHits, urls.length, "every byte from COS");
  assert.equal(result.stats.downloads, 0);
  assert.deepEqual(hubWork(site), NO_HUB_WORK, "zero hub requests");
  assert.equal(cos.counts.created, 0, "nothing written again");
  t.diagnostic(`own store after migration: ${result.ownKeys} keys; stats ${JSON.stringify(result.stats.hits)}`);
  before.errors.assertNone();
  after.errors.assertNone();
});

test("the other way: our cache with scope \"tvmjs\" pre-fills what tvmjs (web-llm's \"cross-origin\" backend) reads", async (t) => {
  const { site, cos, urls, expected, open } = await world(t);
  const base = `${site.url}/test-org/test-model/resolve/main/`;

  const ours = await open();
  const stats = await evaluateModule(ours, "/js/index.js", async (m, list) => {
    const cache = await m.createCrossOriginCache({ scope: "tvmjs" });
    for (const url of list) await cache.fetchWithCache(url, "arraybuffer");
    return cache.stats();
  }, urls);
  assert.equal(stats.stored, urls.length);
  const written = await tvmjsStore(ours);
  for (const [i, url] of urls.entries()) {
    assert.equal(written[url]?.algorithm, "SHA-256", `${url} persisted in tvmjs-cos-hash-meta`);
    assert.equal(written[url].value, expected[i]);
  }
  await ours.close();

  site.resetCounters();
  cos.resetCounters();
  const tvm = await open();
  // web-llm's hasModelInCache() with cacheBackend "cross-origin" is this call:
  const cached = await tvm.evaluate((url) => globalThis.tvmjs.hasTensorInCache(url, { cacheScope: "webllm/model", cacheType: "cross-origin" }), base);
  assert.equal(cached, true);
  assert.deepEqual(await loadWithTvmjs(tvm, urls), expected);
  assert.deepEqual(hubWork(site), NO_HUB_WORK, "tvmjs needed no pointer request and no download");
  assert.equal(cos.counts.created, 0);
  ours.errors.assertNone();
  tvm.errors.assertNone();
});
