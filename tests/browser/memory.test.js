// A 256 MiB LFS file stored through a real page into COS: the renderer never holds it.
//
// What is measured, and why several numbers:
//  - renderer RSS (VmRSS from /proc, every 50 ms, for each page renderer of the browser's process
//    tree). In Chromium any streamed fetch() raises RSS for a while: each chunk is a fresh
//    ArrayBuffer that V8 collects lazily, so RSS is not flat even for a bare fetch (measured here
//    without any DevTools client: +47-183 MiB for 256 MiB, +463 MiB for 1 GiB), and that slack
//    alone took the store's rise from +194 to +273 MiB between runs (2 of 7 runs over the file's
//    size). So in Chromium a GC is forced over CDP every 100 ms while RSS is sampled: the rise is
//    then what the load holds at once, plus at most 100 ms of garbage (measured: store +86-90 MiB,
//    bare fetch +18-76 MiB, 6 runs each). The same 256 MiB is first read by a plain
//    fetch()-and-discard in a fresh browser, as context for the reader; it is reported, not
//    asserted on;
//  - the V8 heap plus ArrayBuffer backing stores (CDP Runtime.getHeapUsage) before the load and
//    after a forced GC: what the load RETAINED, independent of GC timing.
// Asserted: retained < 16 MiB, and the renderer's RSS rise < half the file's size in Chromium (it
// is never held whole, nor half of it) and < the file's size in Firefox, where no GC can be forced
// (see below). The numbers are test diagnostics.
// In Firefox the renderers are its "tab" content processes; the retained heap is not measured there
// (WebDriver BiDi has no heap-usage command), and the COS polyfill sends its staging buffer itself
// (a fresh Blob per 4 MiB request piles up there until a GC).
// Firefox 153 applies no backpressure to a fetch() body: its content process takes in the response
// as fast as the network sends it, whether the page reads it or not, so whatever the store has not
// yet consumed sits in the renderer; over this hub's loopback the network outruns the store, so that
// was about the whole file (store +271-293 MiB; a bare page's fetch() left unread for 4 s +265 MiB,
// and no way of reading the body lowered it). So Firefox's downloads are paced by the store
// (pacedDownloads "auto", src/download_resume.h): 32 MiB range requests, each asked for once the
// bytes before it are written. Measured here, on a machine loaded by other work (load 6 on 2 cores),
// 256 MiB, renderer RSS rise:
//  - Firefox, this test, paced (8 range requests): +119, +179, +204, +215, +217, +218, +242, +244 MiB
//    (median +216), store 6.0-8.7 s; the store alone (a fresh browser per run): paced +114-240 MiB (median +174, 12 runs), unpaced
//    +273-293 MiB (4 runs). 1 GiB: paced +274 MiB, unpaced +940 MiB, both ~30 s. The margin to the
//    bound is thin (worst seen 244 of 256 MiB): what is left is page-side garbage waiting for a GC,
//    not the fetch buffer (reading the stored file back, no download at all: +156-182 MiB; paced
//    into a store that discards the bytes: +86-175 MiB);
//  - segment sizes, the store alone, paced: 16 MiB +119-229 (median +170, 9 runs), 32 MiB as above,
//    64 MiB +180-256 (median +217, 9 runs); over the hub's "broadband" profile (12.5 MB/s) the
//    store took 26.8-29.6 s with 16 MiB, 23.0-24.9 s with 32, 23.5-23.7 s with 64 and 23.5-24.9 s
//    unpaced (renderer +66-115 MiB in all, the network being slower than the store);
//  - Chromium is not paced by default (it applies backpressure): this test, before GCs were forced,
//    +198, +202, +214 MiB
//    (median +202), store 4.8-5.4 s; the store alone, unpaced +243-266 MiB, paced by the option
//    +154-198 MiB, 3.5-4.7 s against 3.9-5.0 s (3 runs each).
import { test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, evaluateModule, isPageRenderer, launchBrowser, mib, sampleRss, startSite } from "../support/browser.js";
import { firefoxProcessType, isFirefoxPageProcess } from "../support/firefox.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { cosInitScript } from "../support/cos-page-polyfill.js";
import { seededBytes } from "../../local-hub/index.js";
import { cleanups } from "./helpers.js";

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;
const REPO = "test-org/big-model";

/**
 * Runs `action` while sampling the RSS of the browser's processes; returns the rise of each kind.
 * With a CDP session (Chromium), a GC is forced every 100 ms meanwhile, so the rise is what the
 * action holds rather than when V8 gets round to collecting.
 */
async function measured(browser, action, cdp = null) {
  const isRenderer = browser.name === "firefox" ? isFirefoxPageProcess : isPageRenderer;
  // Chromium's network service is a process of its own; Firefox's "socket" process.
  const isNetwork = (p) => p.cmdline.join(" ").includes("NetworkService") || firefoxProcessType(p) === "socket";
  const labelled = async () => [
    ...(browser.pid ? [{ pid: browser.pid, label: "browser" }] : []),
    ...(await browser.processes())
      .filter((p) => isRenderer(p) || isNetwork(p))
      .map((p) => ({ pid: p.pid, label: isRenderer(p) ? "renderer" : "network" })),
  ];
  const sampler = sampleRss(labelled, 50);
  await new Promise((resolve) => setTimeout(resolve, 150));  // a few samples of the starting point
  const started = Date.now();
  let result;
  let series;
  let collecting = Promise.resolve();  // one forced GC at a time
  const collector = cdp
    ? setInterval(() => { collecting = collecting.then(() => cdp.send("HeapProfiler.collectGarbage")).catch(() => {}); }, 100)
    : null;
  try {
    result = await action();
  } finally {
    clearInterval(collector);
    await collecting;
    series = await sampler.stop();
  }
  const rise = (label) => Math.max(0, ...[...series.values()].filter((s) => s.label === label).map((s) => s.peak - s.first));
  return { result, ms: Date.now() - started, renderer: rise("renderer"), browserProcess: rise("browser"), network: rise("network") };
}

async function heapUsage(cdp, collect = true) {
  if (collect) await cdp.send("HeapProfiler.collectGarbage");
  const usage = await cdp.send("Runtime.getHeapUsage");
  return usage.usedSize + (usage.backingStorageSize ?? 0);
}

for (const browserName of BROWSERS) test(`${browserName}: a 256 MiB file stored through the page keeps the renderer's memory flat`, { timeout: 240_000 }, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite({ shards: 1 });
  defer(() => hub.close());
  hub.addRepo({ id: REPO, files: [{ path: "big.bin", size: SIZE, generate: seededBytes(7, "big.bin") }] });
  const info = await hub.fileInfo(REPO, "big.bin");  // the hub hashes its generated file once, up front
  const url = info.url;

  // Context: what a plain streamed fetch() of the same bytes does to a fresh renderer.
  const plain = await (async () => {
    const browser = await launchBrowser({ browser: browserName });
    try {
      const page = await browser.open(hub.url + BLANK_PAGE);
      const cdp = browserName === "chromium" ? await browser.context.newCDPSession(page) : null;
      return await measured(browser, () => page.evaluate(async (url) => {
        const reader = (await fetch(url)).body.getReader();
        let n = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return n;
          n += value.byteLength;
        }
      }, url), cdp);
    } finally {
      await browser.close();
    }
  })();
  assert.equal(plain.result, SIZE);

  const cos = await startCosBackend();
  defer(() => cos.close());
  const browser = await launchBrowser({ browser: browserName, initScripts: [cosInitScript({ backend: cos.url, sendAs: browserName === "firefox" ? "bytes" : "blob" })] });
  defer(() => browser.close());
  const page = await browser.open(hub.url + BLANK_PAGE);
  const cdp = browserName === "chromium" ? await browser.context.newCDPSession(page) : null;
  const segmentBytes = await evaluateModule(page, "/js/index.js", async (m) => {
    window.testCache = await m.createCrossOriginCache();
    await m.sha256(new Uint8Array(1));
    return (await m.loadCore()).pacedSegmentBytes;
  });
  // Firefox's downloads are paced by the store ("auto"); Chromium applies backpressure itself.
  const paced = browserName === "firefox";
  hub.resetCounters();
  const heapBefore = cdp ? await heapUsage(cdp) : 0;
  const store = await measured(browser, () => page.evaluate(async (url) => {
    await window.testCache.addToCache(url);
    return window.testCache.stats();
  }, url), cdp);
  const heapAfter = cdp ? await heapUsage(cdp) : 0;

  const stats = store.result;
  assert.equal(stats.downloads, 1);
  assert.equal(stats.bytesDownloaded, SIZE);
  assert.equal(stats.stored, 1);
  assert.equal(stats.hits.batch, 1, "hash known from the listing before the bytes: streamed straight into COS");
  assert.equal(hub.counters.tree, 1);
  const downloads = hub.log.filter((entry) => entry.kind === "resolve" && entry.path === "big.bin");
  assert.deepEqual(downloads.map((entry) => entry.status), paced ? Array(Math.ceil(SIZE / segmentBytes)).fill(206) : [200],
    "paced: one range request per segment");
  assert.equal(hub.counters.bytes.resolve, SIZE);
  const entry = cos.entry(info.sha256);
  assert.ok(entry && !entry.writing, "stored in COS under the file's SHA-256");
  assert.equal(entry.size, SIZE);
  assert.equal(cos.counts.bytesWritten, SIZE);
  assert.equal(cos.counts.write, SIZE / (4 * MIB), "sent in 4 MiB requests as it arrived");

  // Read it back from COS in a new page and hash the stream: the bytes are right.
  await page.close();
  hub.resetCounters();
  const reader = await browser.open(hub.url + BLANK_PAGE);
  const readBack = await measured(browser, () => evaluateModule(reader, "/js/index.js", async (m, url) => {
    const cache = await m.createCrossOriginCache();
    const body = (await cache.fetchWithCache(url)).body.getReader();
    const hasher = await m.createSha256();
    let n = 0;
    for (;;) {
      const { done, value } = await body.read();
      if (done) break;
      hasher.update(value);
      n += value.byteLength;
    }
    return { hex: hasher.digest(), size: n, stats: cache.stats() };
  }, url));
  assert.equal(readBack.result.hex, info.sha256);
  assert.equal(readBack.result.size, SIZE);
  assert.equal(readBack.result.stats.storageHits, 1);
  assert.equal(hub.counters.resolve, 0, "no download on read-back");

  const retained = heapAfter - heapBefore;
  const forced = cdp ? " (a GC forced every 100 ms)" : "";
  const report = [
    `plain fetch of 256 MiB (context): renderer RSS${forced} +${mib(plain.renderer)} in ${plain.ms} ms`,
    `store through the cache into COS${paced ? ` (paced, ${downloads.length} range requests)` : ""}: ` +
      `renderer RSS${forced} +${mib(store.renderer)}, browser process +${mib(store.browserProcess)}, ` +
      `network service +${mib(store.network)}, in ${store.ms} ms; ` +
      (cdp ? `retained after GC (V8 heap + ArrayBuffers) ${mib(retained)}` : "retained heap not measured (no heap API over WebDriver BiDi)"),
    `read back from COS and hash in the page: renderer RSS +${mib(readBack.renderer)}, browser process +${mib(readBack.browserProcess)}, in ${readBack.ms} ms`,
  ];
  for (const line of report) t.diagnostic(line);

  if (cdp) assert.ok(retained < 16 * MIB, `the load retained ${mib(retained)}`);
  // Holding the file would raise RSS by at least its size. In Chromium the GCs forced meanwhile
  // leave only what the load holds at once (measured +86-90 MiB), so half the size is the bound.
  // Firefox's rise is mostly garbage waiting for a GC (+119-250 MiB, see above): the size itself.
  const bound = cdp ? SIZE / 2 : SIZE;
  assert.ok(store.renderer < bound, `renderer RSS rose ${mib(store.renderer)} for a ${mib(SIZE)} file (bound ${mib(bound)})`);
  reader.errors.assertNone();
});
