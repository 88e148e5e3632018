// The demo page (web-demo/, started by its own launcher as `npm start` does): it renders without
// console errors, loads the model (the table fills, every row done), the Reload button shows the
// warm path, the other origin reuses COS, and the file hasher agrees with node:crypto.
// Screenshots go to test-output/ (gitignored).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";

import { launchBrowser, REPO_ROOT } from "../support/browser.js";
import { startDemo } from "../../web-demo/server.js";
import { cleanups } from "./helpers.js";
import { sha256Hex } from "../support/test-data.js";

const OUTPUT = path.join(REPO_ROOT, "test-output");
const VIEWPORT = { width: 1280, height: 900 };

/** The table as data, from the rows' data-* attributes. */
const tableRows = (page) => page.$$eval("#files tbody tr", (rows) => rows.map((tr) => ({
  path: tr.dataset.path,
  status: tr.dataset.status,
  hash: tr.dataset.hash,
  hashSource: tr.dataset.hashSource,
  bytesSource: tr.dataset.bytesSource,
  loaded: Number(tr.dataset.loadedBytes),
})));

const settled = (page) => page.waitForSelector("body[data-state=done], body[data-state=error]", { timeout: 60_000 });

test("demo page with simulated COS: cold load, warm reload, the other origin, the file hasher", { timeout: 180_000 }, async (t) => {
  await mkdir(OUTPUT, { recursive: true });
  const defer = cleanups((fn) => t.after(fn));
  const demo = await startDemo({ port: 0, shards: 6, shardMiB: 2, cos: "simulated" });
  defer(() => demo.close());
  const browser = await launchBrowser({ contextOptions: { viewport: VIEWPORT } });
  defer(() => browser.close());
  const { hub, cos, model } = demo;
  const byName = new Map(model.files.map((f) => [f.name, f]));

  const page = await browser.open(demo.url);
  await page.waitForSelector("body[data-state=idle]");
  assert.equal(await page.getAttribute("body", "data-storage"), "cross-origin-storage");
  assert.match(await page.textContent("#storage-kind"), /Cross-Origin Storage/);
  assert.equal(await page.locator("#files tbody tr").count(), model.files.length);

  // Cold: one listing of the repo revision; LFS hashes from it, the others from their bytes; all from the network.
  hub.resetCounters();
  await page.click("#load");
  await settled(page);
  assert.equal(await page.getAttribute("body", "data-state"), "done", await page.textContent("#status"));
  const cold = await tableRows(page);
  assert.equal(cold.length, model.files.length);
  for (const row of cold) {
    const file = byName.get(row.path);
    assert.equal(row.status, "done", row.path);
    assert.equal(row.hash, file.sha256, `hash of ${row.path}`);
    assert.equal(row.loaded, file.size, `bytes of ${row.path}`);
    assert.equal(row.hashSource, file.lfs ? "batch" : "content", `hash source of ${row.path}`);
    assert.equal(row.bytesSource, "network", row.path);
  }
  assert.equal(hub.counters.tree, 1);
  assert.equal(hub.counters.raw, 0);
  assert.equal(await page.textContent("#c-resolution"), "1");
  assert.equal(cos.counts.created, model.files.length);
  await page.screenshot({ path: path.join(OUTPUT, "demo-cold.png"), fullPage: true });

  // Reload & load: the warm path, no resolution request, nothing downloaded.
  hub.resetCounters();
  await page.click("#reload");
  await page.waitForSelector("body[data-state=loading], body[data-state=done]");
  await settled(page);
  const warm = await tableRows(page);
  for (const row of warm) {
    assert.equal(row.status, "done", row.path);
    assert.equal(row.hash, byName.get(row.path).sha256);
    assert.equal(row.hashSource, "persisted", row.path);
    assert.equal(row.bytesSource, "cos", row.path);
  }
  assert.equal(await page.textContent("#c-resolution"), "0");
  assert.equal(await page.textContent("#c-downloaded"), "0 B");
  assert.equal(hub.counters.tree + hub.counters.pathsInfo + hub.counters.raw + hub.counters.resolve + hub.counters.wasm, 0);

  // The file hasher: wasm and WebCrypto agree with node:crypto.
  const bytes = Buffer.alloc(5 * 1024 * 1024 + 7);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  await page.setInputFiles("#file-input", { name: "sample.bin", mimeType: "application/octet-stream", buffer: bytes });
  await page.waitForSelector("body[data-hasher=match], body[data-hasher=mismatch], body[data-hasher=error]");
  const expected = sha256Hex(bytes);
  assert.equal(await page.getAttribute("body", "data-hasher"), "match");
  assert.equal(await page.getAttribute("#h-wasm", "data-hash"), expected);
  assert.equal(await page.getAttribute("#h-subtle", "data-hash"), expected);
  await page.screenshot({ path: path.join(OUTPUT, "demo.png"), fullPage: true });
  page.errors.assertNone("the demo page");

  // The same demo on the other origin: shards by one listing, bytes from COS.
  hub.resetCounters();
  const other = await browser.open(demo.secondUrl);
  await other.waitForSelector("body[data-state=idle]");
  await other.click("#load");
  await settled(other);
  const second = await tableRows(other);
  for (const row of second) {
    const file = byName.get(row.path);
    assert.equal(row.hash, file.sha256);
    assert.equal(row.hashSource, file.lfs ? "batch" : "content", row.path);
    assert.equal(row.bytesSource, file.lfs ? "cos" : "network", row.path);
  }
  assert.equal(hub.counters.tree, 1);
  for (const file of model.files.filter((f) => f.lfs)) assert.equal(hub.countFor(file.name).resolve, 0, `${file.name} not downloaded`);
  await other.screenshot({ path: path.join(OUTPUT, "demo-other-origin.png"), fullPage: true });
  other.errors.assertNone("the demo page on the other origin");
  t.diagnostic(`screenshots: ${path.relative(REPO_ROOT, OUTPUT)}/demo.png, demo-cold.png, demo-other-origin.png`);
});

test("demo page without COS: the fallback store, and Clear mappings", { timeout: 120_000 }, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const demo = await startDemo({ port: 0, shards: 2, shardMiB: 1 });
  defer(() => demo.close());
  const browser = await launchBrowser({ contextOptions: { viewport: VIEWPORT } });
  defer(() => browser.close());
  const page = await browser.open(demo.url);
  await page.waitForSelector("body[data-state=idle]");
  assert.equal(await page.getAttribute("body", "data-storage"), "fallback");
  await page.click("#load");
  await settled(page);
  assert.equal(await page.getAttribute("body", "data-state"), "done");

  // Clearing the mappings makes the next load resolve again (one batch), bytes still stored.
  await page.click("#clear");
  await page.waitForSelector("body[data-state=idle]");
  assert.equal(await page.evaluate(() => caches.has("cross-origin-cache-cos-hash-meta")), false);
  demo.hub.resetCounters();
  await page.click("#load");
  await settled(page);
  assert.equal(demo.hub.counters.tree, 1);
  const rows = await tableRows(page);
  for (const row of rows) {
    const file = demo.model.files.find((f) => f.name === row.path);
    assert.equal(row.hashSource, file.lfs ? "batch" : "content", row.path);
    assert.equal(row.bytesSource, file.lfs ? "fallback" : "network", row.path);
  }
  page.errors.assertNone("the demo page");
});

// With COS the shards stream, so a break-off is resumed with a range request; without COS a
// shard-sized file is read whole and asked for again whole (tests/browser/resume.test.js).
test("demo with --flaky and COS: every shard's download breaks off once, is resumed with a range request, and the row says so", { timeout: 120_000 }, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const demo = await startDemo({ port: 0, shards: 2, shardMiB: 1, flaky: true, cos: "simulated" });
  defer(() => demo.close());
  const browser = await launchBrowser({ contextOptions: { viewport: VIEWPORT } });
  defer(() => browser.close());
  const page = await browser.open(demo.url, { ignore: [/Failed to load resource/] });
  await page.waitForSelector("body[data-state=idle]");
  await page.click("#load");
  await settled(page);
  assert.equal(await page.getAttribute("body", "data-state"), "done");
  const shards = demo.model.files.filter((f) => f.lfs);
  const ranges = demo.hub.log.filter((entry) => entry.kind === "resolve" && entry.range);
  assert.deepEqual(ranges.map((entry) => entry.path).sort(), shards.map((f) => f.name).sort(), "one range request per shard");
  for (const file of shards) {
    const status = await page.textContent(`tr[data-path="${file.name}"] td.st`);
    assert.equal(status, "done (resumed ×1)", file.name);
  }
  const events = await page.$$eval("#events li", (items) => items.map((li) => li.textContent));
  assert.equal(events.filter((text) => text.startsWith("download-resumed:")).length, shards.length);
  page.errors.assertNone("the demo page");
});

test("demo page, loader in a worker: the worker borrows the page's COS; cold, warm reload, the other origin", { timeout: 180_000 }, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const demo = await startDemo({ port: 0, shards: 4, shardMiB: 1, cos: "simulated" });
  defer(() => demo.close());
  const browser = await launchBrowser({ contextOptions: { viewport: VIEWPORT } });
  defer(() => browser.close());
  const { hub, cos, model } = demo;
  const byName = new Map(model.files.map((f) => [f.name, f]));
  const lfsFiles = model.files.filter((f) => f.lfs);

  // The choice is made on the page (the select), not only by the URL.
  const page = await browser.open(demo.url);
  await page.waitForSelector("body[data-state=idle]");
  assert.equal(await page.getAttribute("body", "data-loader"), "page");
  await page.selectOption("#loader-place", "worker");
  await page.waitForSelector("body[data-loader=worker][data-state=idle]");
  assert.match(page.url(), /[?&]in=worker/);
  assert.equal(await page.getAttribute("body", "data-storage"), "cross-origin-storage", "the worker sees the page's COS");

  hub.resetCounters();
  await page.click("#load");
  await settled(page);
  assert.equal(await page.getAttribute("body", "data-state"), "done", await page.textContent("#status"));
  for (const row of await tableRows(page)) {
    const file = byName.get(row.path);
    assert.equal(row.hash, file.sha256, `hash of ${row.path}`);
    assert.equal(row.loaded, file.size, `bytes of ${row.path}`);
    assert.equal(row.hashSource, file.lfs ? "batch" : "content", row.path);
    assert.equal(row.bytesSource, "network", row.path);
  }
  assert.equal(hub.counters.tree, 1);
  assert.equal(cos.counts.created, model.files.length, "the worker's stores went into the page's COS");
  await page.screenshot({ path: path.join(OUTPUT, "demo-worker.png"), fullPage: true });

  // Reload & load keeps the worker: nothing asked of the hub, every file from COS.
  hub.resetCounters();
  await page.click("#reload");
  await page.waitForSelector("body[data-state=loading], body[data-state=done]");
  await settled(page);
  assert.equal(await page.getAttribute("body", "data-loader"), "worker");
  for (const row of await tableRows(page)) {
    assert.equal(row.hashSource, "persisted", row.path);
    assert.equal(row.bytesSource, "cos", row.path);
  }
  assert.equal(hub.counters.tree + hub.counters.pathsInfo + hub.counters.raw + hub.counters.resolve + hub.counters.wasm, 0);
  page.errors.assertNone("the demo page with its loader in a worker");

  // Another origin, in a worker from the start (?in=worker): LFS bytes from COS, none downloaded.
  hub.resetCounters();
  const other = await browser.open(`${demo.secondUrl}?in=worker`);
  await other.waitForSelector("body[data-state=idle][data-loader=worker]");
  await other.click("#load");
  await settled(other);
  for (const row of await tableRows(other)) {
    assert.equal(row.hash, byName.get(row.path).sha256);
    assert.equal(row.bytesSource, byName.get(row.path).lfs ? "cos" : "network", row.path);
  }
  for (const file of lfsFiles) assert.equal(hub.countFor(file.name).resolve, 0, `${file.name} not downloaded`);
  other.errors.assertNone("the demo page on the other origin, loader in a worker");
});

test("demo page without COS, loader in a worker: the worker's fallback store", { timeout: 120_000 }, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const demo = await startDemo({ port: 0, shards: 2, shardMiB: 1 });
  defer(() => demo.close());
  const browser = await launchBrowser({ contextOptions: { viewport: VIEWPORT } });
  defer(() => browser.close());
  const page = await browser.open(`${demo.url}?in=worker`);
  await page.waitForSelector("body[data-state=idle][data-loader=worker]");
  assert.equal(await page.getAttribute("body", "data-storage"), "fallback");
  await page.click("#load");
  await settled(page);
  assert.equal(await page.getAttribute("body", "data-state"), "done", await page.textContent("#status"));
  demo.hub.resetCounters();
  await page.click("#reload");
  await page.waitForSelector("body[data-state=loading], body[data-state=done]");
  await settled(page);
  for (const row of await tableRows(page)) {
    assert.equal(row.hashSource, "persisted", row.path);
    assert.equal(row.bytesSource, "fallback", row.path);
  }
  assert.equal(demo.hub.counters.resolve + demo.hub.counters.tree, 0);
  page.errors.assertNone("the demo page, loader in a worker, no COS");
});
