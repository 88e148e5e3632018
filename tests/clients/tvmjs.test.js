// tvmjs (@mlc-ai/web-runtime, UMD build in a Chromium page) with our cache as its artifact cache,
// against the local hub, with a Cross-Origin Storage manager in the page (the shared polyfill and its
// localhost backend). No GPU and no TVM wasm runtime are available here, so tvmjs's own
// `Instance.prototype.fetchTensorCache` runs on a stand-in instance: the hub's tensor-cache.json
// lists shards without tensor records, so the real download/hasAllKeys/load loop runs in full and no
// tensor is ever created.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { cosInitScript } from "../support/cos-page-polyfill.js";

const TVMJS = "/node_modules/@mlc-ai/web-runtime/lib/index.js";
const SHARDS = 8;

let site;
let cos;
let browser;

before(async () => {
  site = await startSite({ shards: SHARDS, shardSize: 96 * 1024 });
  cos = await startCosBackend();
  browser = await launchBrowser({ initScripts: [cosInitScript({ backend: cos.url })] });
});

after(async () => {
  await browser?.close();
  await cos?.close();
  await site?.close();
});

/** Hub requests that fetch or resolve model files (static files of the page are not counted). */
const hubWork = (hub) => ({
  resolve: hub.counters.resolve, raw: hub.counters.raw, tree: hub.counters.tree, pathsInfo: hub.counters.pathsInfo, wasm: hub.counters.wasm,
});
const NO_HUB_WORK = { resolve: 0, raw: 0, tree: 0, pathsInfo: 0, wasm: 0 };

function modelBase() {
  return `${site.url}/test-org/test-model/resolve/main/`;
}
const shardUrls = () => site.model.files.filter((f) => f.path.startsWith("params_shard_")).map((f) => f.url);
const hashOf = (url) => (url === site.model.wasm.url ? site.model.wasm.sha256 : site.model.files.find((f) => f.url === url).sha256);

/** A new page with tvmjs (UMD → globalThis.tvmjs) loaded. */
async function tvmjsPage() {
  const page = await browser.open(`${site.url}${BLANK_PAGE}`);
  await page.addScriptTag({ url: TVMJS });
  assert.equal(await page.evaluate(() => typeof globalThis.tvmjs?.hasTensorInCache), "function");
  return page;
}

/**
 * Installs, in the page, `window.t` = {cache, counting, calls, instance, progress}: our cache, a
 * Proxy that records every method tvmjs calls on it, and a stand-in tvmjs Instance.
 */
async function setUpPage(page, cacheOptions) {
  return evaluateModule(page, "/js/index.js", async (m, options) => {
    const cache = await m.createCrossOriginCache(options);
    const calls = [];
    const counting = new Proxy(cache, {
      get(target, prop) {
        const value = target[prop];
        if (typeof value !== "function") return value;
        return (...args) => {
          calls.push({ method: String(prop), url: typeof args[0] === "string" ? args[0] : JSON.stringify(args[0]), storetype: args[1] ?? null });
          return value.apply(target, args);
        };
      },
    });
    const progress = [];
    const instance = Object.create(globalThis.tvmjs.Instance.prototype);
    Object.assign(instance, { initProgressCallback: [(report) => progress.push(report)], env: { logger: () => {} }, cacheMetadata: {} });
    window.t = { cache, counting, calls, instance, progress };
    return cache.storageKind;
  }, cacheOptions ?? {});
}

async function sha256Hex(page, urls) {
  return page.evaluate(async (list) => {
    const out = [];
    for (const url of list) {
      const bytes = await window.t.cache.fetchWithCache(url, "arraybuffer");
      const digest = await crypto.subtle.digest("SHA-256", bytes);
      out.push([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""));
    }
    return out;
  }, urls);
}

const callsOf = (calls, method) => calls.filter((c) => c.method === method);
const countCalls = (calls) => Object.fromEntries([...new Set(calls.map((c) => c.method))].map((m) => [m, callsOf(calls, m).length]));

test("hasTensorInCache, tvmjs's fetchTensorCache and deleteTensorCache through our cache (COS present)", async (t) => {
  const page = await tvmjsPage();
  assert.equal(await setUpPage(page), "cross-origin-storage");
  const base = modelBase();
  const shards = shardUrls();
  const jsonUrl = `${base}tensor-cache.json`;

  // ---- cold: not in cache, and answering that downloads nothing
  site.resetCounters();
  const cold = await page.evaluate((url) => globalThis.tvmjs.hasTensorInCache(url, { artifactCache: window.t.counting }), base);
  assert.equal(cold, false);
  assert.equal(site.counters.resolve, 0, "hasTensorInCache downloaded nothing");
  assert.ok(site.counters.tree <= 1);
  assert.equal(site.counters.pathsInfo, 0);
  t.diagnostic(`cold hasTensorInCache: ${JSON.stringify(hubWork(site))}`);

  // ---- tvmjs's own tensor-cache loading path
  site.resetCounters();
  await page.evaluate(() => { window.t.calls.length = 0; });
  const loaded = await page.evaluate(async (url) => {
    await window.t.instance.fetchTensorCache(url, { deviceType: 1, deviceId: 0 }, { artifactCache: window.t.counting });
    return { metadata: window.t.instance.cacheMetadata, calls: window.t.calls, progress: window.t.progress.map((p) => p.progress) };
  }, base);
  assert.deepEqual(loaded.metadata, { ParamSize: SHARDS, ParamBytes: SHARDS * 96 * 1024, BitsPerParam: 4 });
  assert.deepEqual(callsOf(loaded.calls, "fetchWithCache").filter((c) => c.storetype === "json").map((c) => c.url), [jsonUrl]);
  assert.deepEqual(callsOf(loaded.calls, "hasAllKeys").map((c) => JSON.parse(c.url)), [shards]);
  assert.deepEqual(callsOf(loaded.calls, "addToCache").map((c) => c.url).sort(), [...shards].sort(), "every shard added through our cache");
  assert.ok(callsOf(loaded.calls, "addToCache").every((c) => c.storetype === "arraybuffer"));
  assert.deepEqual(callsOf(loaded.calls, "fetchWithCache").filter((c) => c.storetype === "arraybuffer").map((c) => c.url), shards,
    "every shard read back through our cache, in order");
  assert.equal(loaded.progress.at(-1), 1);
  for (const url of shards) assert.equal(site.countFor(new URL(url).pathname.split("/").pop()).resolve, 1, `${url} downloaded once`);
  assert.equal(site.counters.resolve, SHARDS + 1, "the shards and tensor-cache.json, once each");
  assert.equal(site.counters.raw, 0);
  t.diagnostic(`fetchTensorCache cold: hub ${JSON.stringify(hubWork(site))}, calls ${JSON.stringify(countCalls(loaded.calls))}`);
  for (const url of shards) assert.ok(cos.entry(hashOf(url)), `${url} is in COS`);
  assert.deepEqual(await sha256Hex(page, shards), shards.map(hashOf));

  // ---- warm: hasTensorInCache is true and tvmjs loads again without the hub
  site.resetCounters();
  await page.evaluate(() => { window.t.calls.length = 0; });
  const warm = await page.evaluate((url) => globalThis.tvmjs.hasTensorInCache(url, { artifactCache: window.t.counting }), base);
  assert.equal(warm, true);
  const again = await page.evaluate(async (url) => {
    window.t.calls.length = 0;
    await window.t.instance.fetchTensorCache(url, { deviceType: 1, deviceId: 0 }, { artifactCache: window.t.counting });
    return window.t.calls;
  }, base);
  assert.equal(callsOf(again, "addToCache").length, 0, "cacheOnly: tvmjs skips the download loop");
  assert.equal(callsOf(again, "fetchWithCache").length, SHARDS + 1);
  t.diagnostic(`fetchTensorCache warm: hub ${JSON.stringify(hubWork(site))}, calls ${JSON.stringify(countCalls(again))}`);
  assert.deepEqual(hubWork(site), NO_HUB_WORK);

  // ---- a reload: a new page and a new cache object, same profile and COS
  const reloaded = await tvmjsPage();
  await setUpPage(reloaded);
  site.resetCounters();
  const afterReload = await reloaded.evaluate((url) => globalThis.tvmjs.hasTensorInCache(url, { artifactCache: window.t.counting }), base);
  assert.equal(afterReload, true);
  await reloaded.evaluate((url) => window.t.instance.fetchTensorCache(url, { deviceType: 1, deviceId: 0 }, { artifactCache: window.t.counting }), base);
  assert.deepEqual(hubWork(site), NO_HUB_WORK, "a reload resolves from the persisted map and reads COS");

  // ---- deleteTensorCache: our URL→hash mappings of the shards go (tensor-cache.json's stays)
  const deleted = await reloaded.evaluate(async (url) => {
    window.t.calls.length = 0;
    await globalThis.tvmjs.deleteTensorCache(url, { artifactCache: window.t.counting });
    const store = await caches.open("cross-origin-cache-cos-hash-meta");
    return { calls: window.t.calls, keys: (await store.keys()).map((r) => r.url) };
  }, base);
  assert.deepEqual(callsOf(deleted.calls, "deleteInCache").map((c) => c.url).sort(), [...shards].sort());
  for (const url of shards) assert.ok(!deleted.keys.includes(url), `${url} forgotten`);
  assert.ok(deleted.keys.includes(jsonUrl));
  // Sites cannot delete COS entries: the bytes stay, so asking again re-resolves (one listing of
  // the repo revision) and finds them.
  site.resetCounters();
  const afterDelete = await reloaded.evaluate((url) => globalThis.tvmjs.hasTensorInCache(url, { artifactCache: window.t.counting }), base);
  assert.equal(afterDelete, true);
  assert.deepEqual(hubWork(site), { ...NO_HUB_WORK, tree: 1 });
  page.errors.assertNone();
  reloaded.errors.assertNone();
  await page.close();
  await reloaded.close();
});

test("without COS (our Cache API fallback store), deleteTensorCache makes hasTensorInCache false", async () => {
  const page = await tvmjsPage();
  assert.equal(await setUpPage(page, { storage: null, scope: "fallback-test" }), "fallback");
  const base = modelBase();
  const shards = shardUrls();
  assert.equal(await page.evaluate((url) => globalThis.tvmjs.hasTensorInCache(url, { artifactCache: window.t.counting }), base), false);
  site.resetCounters();
  await page.evaluate((url) => window.t.instance.fetchTensorCache(url, { deviceType: 1, deviceId: 0 }, { artifactCache: window.t.counting }), base);
  assert.equal(site.counters.resolve, SHARDS + 1);
  assert.deepEqual(await sha256Hex(page, shards), shards.map(hashOf));
  assert.equal(await page.evaluate((url) => globalThis.tvmjs.hasTensorInCache(url, { artifactCache: window.t.counting }), base), true);
  const stats = await page.evaluate(async (url) => {
    await globalThis.tvmjs.deleteTensorCache(url, { artifactCache: window.t.counting });
    return window.t.cache.stats();
  }, base);
  assert.equal(stats.storage, "fallback");
  assert.equal(await page.evaluate((url) => globalThis.tvmjs.hasTensorInCache(url, { artifactCache: window.t.counting }), base), false);
  page.errors.assertNone();
  await page.close();
});
