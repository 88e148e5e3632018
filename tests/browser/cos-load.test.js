// The fixture model loaded in real Chromium with a Cross-Origin Storage manager present (the test
// polyfill, one backend shared by two localhost origins): cold load, reload in a new page of the
// same profile, and a second origin. Hashes, bytes, the hub's and the COS backend's counters.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS } from "../support/browser.js";
import { cleanups, loadModelInPage, modelTruth, modelUrls, secondOrigin, startCosWorld, sum } from "./helpers.js";

for (const browserName of BROWSERS) describe(`${browserName}: with Cross-Origin Storage (polyfill shared by two origins)`, () => {
  let hub;
  let cos;
  let browser;
  let urls;
  let truth;
  const defer = cleanups(after);

  before(async () => {
    ({ hub, cos, browser } = await startCosWorld(defer, undefined, browserName));
    urls = modelUrls(hub);
    truth = modelTruth(hub);
  });

  const assertBytes = (result) => {
    for (const file of result.files) {
      assert.equal(file.sha256, truth.get(file.url).sha256, `bytes of ${file.url}`);
      assert.equal(file.size, truth.get(file.url).size, `size of ${file.url}`);
    }
  };
  const lfsFiles = () => hub.model.files.filter((f) => f.lfs);

  test("cold load: one listing of the repo revision, every file downloaded once and stored in COS", async (t) => {
    const page = await browser.open(hub.url + BLANK_PAGE);
    hub.resetCounters();
    const result = await loadModelInPage(page, urls);

    assert.equal(result.storageKind, "cross-origin-storage");
    assertBytes(result);
    // LFS files resolve from the batch answer; ordinary files have no SHA-256 before their bytes.
    assert.deepEqual(result.resolved, urls.map((url) => (truth.get(url).lfs ? truth.get(url).sha256 : null)));
    assert.equal(hub.counters.tree, 1, "one listing of the repo revision");
    assert.equal(hub.counters.pathsInfo, 0);
    assert.equal(hub.counters.raw, 0, "no LFS pointer requests");
    assert.equal(hub.counters.resolve, hub.model.files.length, "each hub file downloaded once");
    assert.equal(hub.counters.wasm, 1);
    for (const file of hub.model.files) assert.equal(hub.countFor(file.path).resolve, 1, file.path);
    assert.equal(hub.counters.bytes.resolve + hub.counters.bytes.wasm, sum([...truth.values()].map((f) => f.size)));

    const { stats } = result;
    assert.deepEqual(stats.resolutionRequests, { listing: 1, pathsInfo: 0, pointer: 0 });
    assert.equal(stats.hits.batch, lfsFiles().length);
    assert.equal(stats.hits.content, urls.length - lfsFiles().length);
    assert.equal(stats.downloads, urls.length);
    assert.equal(stats.stored, urls.length);
    assert.deepEqual(result.events, []);

    const entries = cos.entries();
    assert.equal(cos.counts.created, urls.length);
    assert.equal(entries.length, urls.length);
    for (const entry of entries) {
      assert.equal(entry.origins, "*", "the cache shares what it stores");
      assert.equal(entry.ownerOrigin, hub.url);
    }
    assert.deepEqual(entries.map((e) => e.hash).sort(), [...truth.values()].map((f) => f.sha256).sort());
    assert.equal(cos.counts.bytesWritten, sum([...truth.values()].map((f) => f.size)));
    page.errors.assertNone();
    t.diagnostic(`hub: ${hub.counters.tree} listing, ${hub.counters.tree} listing, ${hub.counters.resolve} resolve + ${hub.counters.wasm} wasm downloads; ` +
      `COS: ${cos.counts.created} entries created, ${cos.counts.write} write requests`);
    await page.close();
  });

  test("reload (new page, same profile): zero resolution requests, every byte from COS", async (t) => {
    hub.resetCounters();
    cos.resetCounters();
    const page = await browser.open(hub.url + BLANK_PAGE);
    const result = await loadModelInPage(page, urls);

    assertBytes(result);
    assert.deepEqual(result.resolved, urls.map((url) => truth.get(url).sha256), "every hash known before any byte");
    assert.equal(hub.counters.tree + hub.counters.pathsInfo, 0, "no listing, no paths-info");
    assert.equal(hub.counters.raw, 0, "no pointer");
    assert.equal(hub.counters.resolve, 0, "no /resolve/ download");
    assert.equal(hub.counters.wasm, 0);
    assert.equal(hub.counters.requests, hub.counters.static, "only the page and the package were fetched");
    const { stats } = result;
    assert.equal(stats.hits.persisted, urls.length);
    assert.deepEqual(stats.resolutionRequests, { listing: 0, pathsInfo: 0, pointer: 0 });
    assert.equal(stats.downloads, 0);
    assert.equal(stats.bytesDownloaded, 0);
    assert.equal(stats.storageHits, urls.length);
    assert.equal(stats.bytesFromStorage, sum([...truth.values()].map((f) => f.size)));
    assert.equal(cos.counts.getFile, urls.length);
    assert.equal(cos.counts.createWritable, 0);
    assert.deepEqual(result.events, []);
    page.errors.assertNone();
    t.diagnostic(`hub: ${hub.counters.requests} requests, all static; COS: ${cos.counts.getFile} reads, ${cos.counts.bytesRead} bytes`);
    await page.close();
  });

  test("second origin: LFS files resolve by one listing and come from COS without download", async (t) => {
    const other = await secondOrigin({ hub, cos }, defer);
    const page = await browser.open(other.url + BLANK_PAGE);
    const result = await loadModelInPage(page, urls);

    assertBytes(result);
    assert.equal(hub.counters.tree, 1, "its own persisted store is empty: one listing");
    assert.equal(hub.counters.raw, 0);
    for (const file of lfsFiles()) assert.equal(hub.countFor(file.path).resolve, 0, `${file.path} not downloaded`);
    const ordinary = hub.model.files.filter((f) => !f.lfs);
    assert.equal(hub.counters.resolve, ordinary.length, "ordinary files have no hash before their bytes: downloaded");
    assert.equal(hub.counters.wasm, 1);
    const { stats } = result;
    assert.deepEqual(stats.resolutionRequests, { listing: 1, pathsInfo: 0, pointer: 0 });
    assert.equal(stats.hits.batch, lfsFiles().length);
    assert.equal(stats.storageHits, lfsFiles().length);
    assert.equal(stats.bytesFromStorage, sum(lfsFiles().map((f) => f.size)));
    assert.equal(stats.downloads, ordinary.length + 1);
    assert.equal(cos.counts.created, 0, "nothing new: the entries exist");
    assert.equal(cos.entries().length, urls.length);
    const reads = cos.calls.filter((c) => c.step === "getFile");
    assert.equal(reads.length, lfsFiles().length);
    assert.ok(reads.every((c) => c.origin === other.url && !c.error), "read by the second origin");
    assert.deepEqual(result.events, []);
    page.errors.assertNone();
    t.diagnostic(`second origin ${other.url}: ${hub.counters.tree} listing, ${hub.counters.resolve} resolve + ` +
      `${hub.counters.wasm} wasm downloads, ${stats.storageHits} files (${stats.bytesFromStorage} bytes) from COS`);
    await page.close();
  });
});
