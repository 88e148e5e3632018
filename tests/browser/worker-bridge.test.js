// A page exposes its Cross-Origin Storage (the test polyfill, one backend for two localhost origins)
// to a dedicated worker that has none: the worker's createCrossOriginCache() loads the model
// through it, a reload serves every byte from COS, a second origin downloads no LFS file, error
// names survive, a worker terminated mid-write leaves no entry, and navigator.crossOriginStorage
// can be installed in the worker.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, launchBrowser, startSite } from "../support/browser.js";
import { cleanups, modelTruth, modelUrls, secondOrigin, startCosWorld, sum } from "./helpers.js";
import { pageWithWorker } from "./worker-page.js";
import { sha256Hex as sha } from "../support/test-data.js";

for (const browserName of BROWSERS) describe(`${browserName}: Cross-Origin Storage exposed to a dedicated worker`, () => {
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
    assert.equal(result.files.length, urls.length);
    for (const file of result.files) {
      assert.equal(file.sha256, truth.get(file.url).sha256, `bytes of ${file.url}`);
      assert.equal(file.size, truth.get(file.url).size, `size of ${file.url}`);
    }
  };
  const lfsFiles = () => hub.model.files.filter((f) => f.lfs);

  test("cold load in the worker: stored in the page's COS, each file downloaded once", async (t) => {
    const { page, ask } = await pageWithWorker(browser, hub.url + BLANK_PAGE);
    assert.equal(await ask("hasOwnCos"), false, "the worker has no COS of its own");
    hub.resetCounters();
    cos.resetCounters();
    const result = await ask("load", { urls });

    assert.equal(result.storageKind, "cross-origin-storage");
    assertBytes(result);
    assert.equal(hub.counters.tree, 1, "one listing of the repo revision");
    assert.equal(hub.counters.resolve + hub.counters.wasm, urls.length, "each file downloaded once");
    assert.equal(result.stats.stored, urls.length);
    assert.equal(cos.counts.created, urls.length, "every file stored in the page's COS");
    assert.deepEqual(cos.entries().map((e) => e.hash).sort(), [...truth.values()].map((f) => f.sha256).sort());
    for (const entry of cos.entries()) assert.equal(entry.ownerOrigin, hub.url, "stored by the page's origin");
    assert.equal(cos.counts.bytesWritten, sum([...truth.values()].map((f) => f.size)));
    assert.deepEqual(await ask("strangers"), [], "the worker's own handler saw no bridge message");
    assert.deepEqual(await page.evaluate(() => window.strangers), [], "the page's own handler saw none either");
    page.errors.assertNone();
    t.diagnostic(`worker: createCrossOriginCache ${result.createdMs.toFixed(0)} ms; ${cos.counts.created} entries, ` +
      `${cos.counts.write} write requests, ${cos.counts.bytesWritten} bytes through the bridge`);
    await page.close();
  });

  test("reload (new page, new worker): every byte from COS, zero hub downloads", async (t) => {
    hub.resetCounters();
    cos.resetCounters();
    const { page, ask } = await pageWithWorker(browser, hub.url + BLANK_PAGE);
    const result = await ask("load", { urls });

    assertBytes(result);
    assert.equal(result.storageKind, "cross-origin-storage");
    assert.equal(hub.counters.resolve + hub.counters.wasm, 0, "no download");
    assert.equal(hub.counters.tree + hub.counters.pathsInfo + hub.counters.raw, 0, "hashes from the persisted store");
    assert.equal(result.stats.storageHits, urls.length);
    assert.equal(result.stats.bytesFromStorage, sum([...truth.values()].map((f) => f.size)));
    assert.equal(cos.counts.getFile, urls.length);
    assert.equal(cos.counts.createWritable, 0);
    page.errors.assertNone();
    t.diagnostic(`reload: ${hub.counters.requests} hub requests (all static), ${cos.counts.getFile} reads from COS`);
    await page.close();
  });

  test("second origin: the worker downloads no LFS file", async (t) => {
    const other = await secondOrigin({ hub, cos }, defer);
    const { page, ask } = await pageWithWorker(browser, other.url + BLANK_PAGE);
    const result = await ask("load", { urls });

    assertBytes(result);
    for (const file of lfsFiles()) assert.equal(hub.countFor(file.path).resolve, 0, `${file.path} not downloaded`);
    assert.equal(result.stats.storageHits, lfsFiles().length);
    const reads = cos.calls.filter((c) => c.step === "getFile");
    assert.ok(reads.length >= lfsFiles().length && reads.every((c) => c.origin === other.url), "read by the second origin");
    assert.equal(cos.counts.created, 0, "nothing new stored");
    page.errors.assertNone();
    t.diagnostic(`second origin: ${hub.counters.resolve + hub.counters.wasm} downloads (ordinary files only), ` +
      `${result.stats.storageHits} files from COS`);
    await page.close();
  });

  test("error names survive the bridge", async () => {
    const { page, ask } = await pageWithWorker(browser, hub.url + BLANK_PAGE);
    const names = await ask("errors", { missing: sha("never stored") });
    assert.deepEqual(names, {
      missing: "DOMException:NotFoundError",
      missingOlderName: "DOMException:NotFoundError",
      badHash: "TypeError:TypeError",
    });
    page.errors.assertNone();
    await page.close();
  });

  test("a worker terminated mid-write leaves no entry", async (t) => {
    const { page, ask } = await pageWithWorker(browser, hub.url + BLANK_PAGE);
    const size = 1024 * 1024;
    const value = sha(Buffer.alloc(size * 2, 7));  // the worker writes only half of these bytes
    cos.resetCounters();
    assert.equal(await ask("writeAndHang", { value, size }), "written");
    assert.equal(cos.entry(value)?.writing, true, "the entry is being written");
    const terminated = Date.now();
    await page.evaluate(() => window.testWorker.terminate());
    for (let i = 0; i < 100 && cos.entry(value); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(cos.entry(value), undefined, "the page aborted the write");
    assert.equal(cos.counts.abort, 1);
    t.diagnostic(`aborted ${Date.now() - terminated} ms after terminate()`);
    page.errors.assertNone();
    await page.close();
  });

  test("installCrossOriginStorage(): navigator.crossOriginStorage in the worker reads and writes the page's COS", async () => {
    const { page, ask } = await pageWithWorker(browser, hub.url + BLANK_PAGE);
    const stored = lfsFiles()[0];
    const bytes = new TextEncoder().encode("written by a library in the worker");
    const result = await ask("installed", { stored: stored.sha256, bytes: [...bytes] });
    assert.equal(result.before, "undefined");
    assert.equal(result.installed, true);
    assert.deepEqual(result.methods, ["getFileHandle", "requestFileHandle", "requestFileHandles"]);
    assert.deepEqual(result.read, { isFile: true, size: stored.size, sha256: stored.sha256 });
    assert.equal(result.written, sha(bytes));
    assert.equal(cos.entry(sha(bytes))?.writing, false, "stored in the page's COS");
    assert.equal(result.missing, "DOMException:NotFoundError");
    page.errors.assertNone();
    await page.close();
  });
});

for (const browserName of BROWSERS) describe(`${browserName}: a page without Cross-Origin Storage`, () => {
  test("exposed: the worker uses its own fallback store at once; not exposed: after a bounded wait", async (t) => {
    const defer = cleanups((fn) => t.after(fn));
    const hub = await startSite({ shards: 0 });
    defer(() => hub.close());
    const browser = await launchBrowser({ browser: browserName });
    defer(() => browser.close());
    const urls = modelUrls(hub);

    const told = await pageWithWorker(browser, hub.url + BLANK_PAGE);
    const fallback = await told.ask("load", { urls });
    assert.equal(fallback.storageKind, "fallback");
    assert.ok(fallback.createdMs < 900, `told at once, created in ${fallback.createdMs} ms`);
    assert.equal(fallback.stats.stored, urls.length, "stored in the origin's Cache API fallback store");
    await told.page.close();

    const silent = await pageWithWorker(browser, hub.url + BLANK_PAGE, { expose: false });
    hub.resetCounters();
    const waited = await silent.ask("load", { urls });
    assert.equal(waited.storageKind, "fallback");
    assert.ok(waited.createdMs >= 900 && waited.createdMs < 3000, `waited ${waited.createdMs} ms for a page that never exposed`);
    assert.equal(hub.counters.resolve + hub.counters.wasm, 0, "the fallback store the first worker filled serves this one");
    assert.ok(JSON.parse((await silent.page.evaluate(() => window.strangers))[0] ?? "{}")["cross-origin-cache:cos-bridge"],
      "the unexposed page was asked for a handshake once");
    t.diagnostic(`page told no COS: ${fallback.createdMs.toFixed(0)} ms; page silent: ${waited.createdMs.toFixed(0)} ms`);
    await silent.page.close();
  });
});
