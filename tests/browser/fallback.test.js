// Without any Cross-Origin Storage manager the cache keeps bytes by hash in a same-origin fallback
// store in the browser's real Cache API; a reload in a new page is served from it.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, launchBrowser, startSite } from "../support/browser.js";
import { cacheNames, cleanups, loadModelInPage, modelTruth, modelUrls, sum } from "./helpers.js";

for (const browserName of BROWSERS) test(`${browserName}: no COS manager: the Cache API fallback store serves the reload`, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite();
  defer(() => hub.close());
  const browser = await launchBrowser({ browser: browserName });  // no init script: no navigator.crossOriginStorage
  defer(() => browser.close());
  const urls = modelUrls(hub);
  const truth = modelTruth(hub);
  const total = sum([...truth.values()].map((f) => f.size));
  const assertBytes = (result) => {
    for (const file of result.files) assert.equal(file.sha256, truth.get(file.url).sha256, `bytes of ${file.url}`);
  };

  const first = await browser.open(hub.url + BLANK_PAGE);
  assert.equal(await first.evaluate(() => "crossOriginStorage" in navigator), false);
  hub.resetCounters();
  const cold = await loadModelInPage(first, urls);
  assert.equal(cold.storageKind, "fallback");
  assertBytes(cold);
  assert.equal(hub.counters.tree, 1);
  assert.equal(hub.counters.resolve + hub.counters.wasm, urls.length, "each file downloaded once");
  assert.equal(cold.stats.stored, urls.length);
  assert.equal(cold.stats.storage, "fallback");
  assert.deepEqual(cold.events, []);
  const names = await cacheNames(first);
  assert.ok(names.includes("cross-origin-cache-cos-fallback"), `stores: ${names}`);
  assert.ok(names.includes("cross-origin-cache-cos-hash-meta"), `stores: ${names}`);
  const entries = await first.evaluate(async () => (await (await caches.open("cross-origin-cache-cos-fallback")).keys()).length);
  assert.equal(entries, urls.length, "one fallback entry per file");
  first.errors.assertNone();
  await first.close();

  hub.resetCounters();
  const page = await browser.open(hub.url + BLANK_PAGE);
  const warm = await loadModelInPage(page, urls);
  assertBytes(warm);
  assert.equal(warm.storageKind, "fallback");
  assert.equal(hub.counters.requests, hub.counters.static, "only the page and the package were fetched");
  assert.equal(hub.counters.tree + hub.counters.pathsInfo + hub.counters.raw + hub.counters.resolve + hub.counters.wasm, 0);
  assert.equal(warm.stats.hits.persisted, urls.length);
  assert.deepEqual(warm.stats.resolutionRequests, { listing: 0, pathsInfo: 0, pointer: 0 });
  assert.equal(warm.stats.downloads, 0);
  assert.equal(warm.stats.storageHits, urls.length);
  assert.equal(warm.stats.bytesFromStorage, total);
  assert.deepEqual(warm.events, []);
  page.errors.assertNone();
  t.diagnostic(`cold: ${cold.stats.downloads} downloads (${cold.stats.bytesDownloaded} bytes); ` +
    `reload: ${hub.counters.requests} hub requests (static only), ${warm.stats.storageHits} files from the fallback store`);
});
