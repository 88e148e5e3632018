// Load and endurance in real Chromium and Firefox: many concurrent loads of the same files with a
// Cross-Origin Storage manager present (the test polyfill), round after round, on fresh and on
// persisted state; and thousands of resolve/match cycles that must leave no wasm object alive and
// stop growing the wasm memory.
//
// "Fresh state" in the first test is a new `scope` (an empty persisted URL→hash store) plus a new,
// empty COS backend that the page's polyfill is switched to, so the same three URLs are downloaded
// again. Bytes are checked with WebCrypto in the page, not with the package's wasm.
//
// The second test runs on the same-origin fallback store (no COS manager in its page): match()
// touches no wasm on either store, and each read through the polyfill costs two HTTP round trips
// to its backend (~10 ms), which would make 10,000 cycles take ~90 s instead of ~30 s.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { cosInitScript } from "../support/cos-page-polyfill.js";
import { TEST_CORE } from "../support/test-core.js";
import { cleanups } from "./helpers.js";

const KIB = 1024;
const ROUNDS = 100;
const FRESH_EVERY = 10;
const CONCURRENT = 64;
const CYCLES = 10_000;
const DISTINCT = 2_000;

/** The two LFS shards and tokenizer.json of the hub's default model. */
function loadFiles(hub) {
  const files = hub.model.files;
  const shards = files.filter((f) => f.lfs).slice(0, 2);
  const tokenizer = files.find((f) => f.path === "tokenizer.json");
  assert.equal(shards.length, 2, "the hub serves two LFS shards");
  assert.ok(tokenizer && !tokenizer.lfs, "the hub serves an ordinary tokenizer.json");
  return [...shards, tokenizer];
}

/**
 * Points the page's navigator.crossOriginStorage at `backend` (the polyfill's getter is
 * configurable, so installing it again replaces the previous one).
 */
async function useCosBackend(page, backend) {
  await page.evaluate(cosInitScript({ backend }));
  assert.equal(await page.evaluate(() => typeof navigator.crossOriginStorage?.requestFileHandle), "function");
}

/** Starts recording unhandled rejections in the page (window.__unhandled). */
function recordUnhandledRejections(page) {
  return page.evaluate(() => {
    window.__unhandled = [];
    window.addEventListener("unhandledrejection", (event) => {
      const reason = event.reason;
      window.__unhandled.push(String(reason?.stack ?? reason));
    });
  });
}

const unhandledRejections = (page) => page.evaluate(() => window.__unhandled);

const stat = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { mean: Math.round(mean), median: Math.round(sorted[Math.floor(sorted.length / 2)]), max: Math.round(sorted[sorted.length - 1]) };
};

for (const browserName of BROWSERS) describe(`load in ${browserName}`, () => {
  let hub;
  let browser;
  let files;
  const defer = cleanups(after);

  before(async () => {
    hub = await startSite({ shards: 2, shardSize: 64 * KIB });
    defer(() => hub.close());
    browser = await launchBrowser({ browser: browserName });
    defer(() => browser.close());
    files = loadFiles(hub);
  });

  test(`64 concurrent loads × 3 URLs, repeated 100 times, in ${browserName}`, { timeout: 180_000 }, async (t) => {
    const started = Date.now();
    const urls = files.map((f) => f.url);
    const expected = new Map(files.map((f) => [f.url, { sha256: f.sha256, size: f.size }]));
    const page = await browser.open(hub.url + BLANK_PAGE);
    await recordUnhandledRejections(page);
    // The test module (liveObjectCount) first: it becomes the page's default core, caches included.
    const liveStart = await evaluateModule(page, "/js/index.js", async (m, { glue, wasm }) =>
      (await m.loadCore({ wasmUrl: wasm, moduleFactory: (await import(glue)).default })).liveObjectCount(), TEST_CORE);

    let cos;
    let epoch = -1;
    defer(async () => cos?.close());
    hub.resetCounters();
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      const fresh = round % FRESH_EVERY === 0;
      if (fresh) {
        const previous = cos;
        cos = await startCosBackend();
        await useCosBackend(page, cos.url);
        await previous?.close();
        epoch++;
      }
      const resolveBefore = hub.counters.resolve;
      const listingsBefore = hub.counters.tree + hub.counters.pathsInfo;
      const result = await evaluateModule(page, "/js/index.js", async (m, { urls, scope, concurrent }) => {
        const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
        const events = [];
        const t0 = performance.now();
        const cache = await m.createCrossOriginCache({ scope, onError: (e) => events.push(`${e.kind}: ${e.message}`) });
        const loads = [];
        for (let i = 0; i < concurrent; i++) {
          for (const url of urls) {
            loads.push(cache.fetchWithCache(url, "arraybuffer").then(async (buffer) => ({
              url, size: buffer.byteLength, sha256: hex(await crypto.subtle.digest("SHA-256", buffer)),
            })));
          }
        }
        const settled = await Promise.allSettled(loads);
        const ms = performance.now() - t0;
        // url → {"<sha256>/<size>" | "error: …" → count}
        const outcomes = {};
        for (const [i, s] of settled.entries()) {
          const url = urls[i % urls.length];
          const key = s.status === "fulfilled" ? `${s.value.sha256}/${s.value.size}` : `error: ${s.reason?.message ?? s.reason}`;
          outcomes[url] ??= {};
          outcomes[url][key] = (outcomes[url][key] ?? 0) + 1;
        }
        const stats = cache.stats();
        cache.dispose();
        return { outcomes, stats, events, storageKind: cache.storageKind, ms };
      }, { urls, scope: `load-test-${epoch}`, concurrent: CONCURRENT });
      rounds.push({
        round,
        fresh,
        ...result,
        resolve: hub.counters.resolve - resolveBefore,
        listings: hub.counters.tree + hub.counters.pathsInfo - listingsBefore,
      });
    }
    const liveEnd = await evaluateModule(page, "/js/index.js", async (m) => (await m.loadCore()).liveObjectCount());
    const unhandled = await unhandledRejections(page);
    const elapsed = Date.now() - started;

    // Every one of the 100 × 64 × 3 loads delivered the right bytes.
    for (const r of rounds) {
      assert.equal(r.storageKind, "cross-origin-storage", `round ${r.round}`);
      for (const url of urls) {
        const want = `${expected.get(url).sha256}/${expected.get(url).size}`;
        assert.deepEqual(r.outcomes[url], { [want]: CONCURRENT }, `round ${r.round}: the ${CONCURRENT} loads of ${url}`);
      }
      assert.deepEqual(r.events, [], `round ${r.round}: no error reported through onError`);
    }
    const freshRounds = rounds.filter((r) => r.fresh);
    assert.equal(freshRounds.length, ROUNDS / FRESH_EVERY);
    assert.equal(hub.counters.resolve, freshRounds.length * urls.length, "one /resolve/ download per URL per fresh round, none otherwise");
    for (const r of rounds) {
      assert.equal(r.resolve, r.fresh ? urls.length : 0, `round ${r.round} (${r.fresh ? "fresh" : "persisted"}): /resolve/ downloads`);
      assert.equal(r.listings, r.fresh ? 1 : 0, `round ${r.round}: one listing when fresh, none when persisted`);
      assert.equal(r.stats.downloads, r.fresh ? urls.length : 0, `round ${r.round}: stats.downloads`);
      assert.equal(r.stats.storageHits, r.fresh ? 0 : urls.length, `round ${r.round}: stats.storageHits`);
    }
    assert.deepEqual(unhandled, [], "no unhandled rejection in the page");
    page.errors.assertNone();
    assert.equal(liveEnd, liveStart, "every cache disposed: no wasm object left alive");

    const freshMs = stat(freshRounds.map((r) => r.ms));
    const warmMs = stat(rounds.filter((r) => !r.fresh).map((r) => r.ms));
    t.diagnostic(`${ROUNDS} rounds × ${CONCURRENT} × ${urls.length} loads in ${elapsed} ms; ` +
      `/resolve/ downloads ${hub.counters.resolve} (= ${freshRounds.length} fresh rounds × ${urls.length}), ` +
      `listings ${hub.counters.tree}, paths-info ${hub.counters.pathsInfo}, raw ${hub.counters.raw}`);
    t.diagnostic(`round time in the page (ms): fresh mean ${freshMs.mean} / median ${freshMs.median} / max ${freshMs.max}; ` +
      `persisted mean ${warmMs.mean} / median ${warmMs.median} / max ${warmMs.max}`);
    t.diagnostic(`wasm live objects ${liveStart} → ${liveEnd}; unhandled rejections ${unhandled.length}; page errors ${page.errors.all().length}`);
    await page.close();
  });

  test(`10,000 resolve/match cycles leave no wasm objects and wasm memory stops growing (${browserName})`, { timeout: 180_000 }, async (t) => {
    const started = Date.now();
    const page = await browser.open(hub.url + BLANK_PAGE);  // no COS manager: the fallback store
    await recordUnhandledRejections(page);
    hub.resetCounters();
    const result = await evaluateModule(page, "/js/index.js", async (m, { files, cycles, distinct, testCore }) => {
      // The test module (liveObjectCount) first: it becomes the page's default core, caches included.
      const core = await m.loadCore({ wasmUrl: testCore.wasm, moduleFactory: (await import(testCore.glue)).default });
      const liveStart = core.liveObjectCount();
      const events = [];
      const cache = await m.createCrossOriginCache({ scope: "load-test-cycles", onError: (e) => events.push(`${e.kind}: ${e.message}`) });
      // The files' bytes in storage, so that match() of the LFS files' URLs answers from it.
      for (const file of files) await cache.fetchWithCache(file.url, "arraybuffer");
      const heap = {};
      let resolved = 0;
      let unresolved = 0;
      let matched = 0;
      let missed = 0;
      const wrong = [];
      const t0 = performance.now();
      for (let i = 1; i <= cycles; i++) {
        const v = i % distinct;
        const file = files[v % files.length];
        const url = `${file.url}?v=${v}`;
        const hash = await cache.resolveHash(url);
        if (hash) {
          resolved++;
          if (hash.value !== file.sha256) wrong.push(`${url}: resolved ${hash.value}`);
        } else {
          unresolved++;
        }
        const response = await cache.match(url);
        if (response) {
          matched++;
          const buffer = await response.arrayBuffer();
          if (buffer.byteLength !== file.size) wrong.push(`${url}: matched ${buffer.byteLength} bytes`);
        } else {
          missed++;
        }
        if (i % 1000 === 0) heap[i] = core.HEAPU8.byteLength;
      }
      const ms = performance.now() - t0;
      const liveBeforeDispose = core.liveObjectCount();
      const stats = cache.stats();
      cache.dispose();
      return {
        storageKind: cache.storageKind,
        liveStart, liveBeforeDispose, liveEnd: core.liveObjectCount(), heap, ms, stats, events,
        resolved, unresolved, matched, missed, wrong: wrong.slice(0, 10),
      };
    }, { files: files.map((f) => ({ url: f.url, sha256: f.sha256, size: f.size, lfs: f.lfs })), cycles: CYCLES, distinct: DISTINCT, testCore: TEST_CORE });
    const unhandled = await unhandledRejections(page);

    const lfs = files.filter((f) => f.lfs).length;
    assert.equal(result.storageKind, "fallback");
    assert.deepEqual(result.wrong, [], "every hash and every matched body is the file's");
    // An LFS file's URL resolves (from the batch answer) and matches its stored bytes; an ordinary
    // file's URL with a query has no hash before its own bytes: unresolved, and match() misses.
    let lfsCycles = 0;
    for (let i = 1; i <= CYCLES; i++) if (files[(i % DISTINCT) % files.length].lfs) lfsCycles++;
    assert.equal(result.resolved, lfsCycles);
    assert.equal(result.unresolved, CYCLES - lfsCycles);
    assert.equal(result.matched, lfsCycles);
    assert.equal(result.missed, CYCLES - lfsCycles);
    // The cache owns three: its resolver, storage ledger and body rate meter; every load's own objects are gone.
    assert.equal(result.liveBeforeDispose, result.liveStart + 3, "only the cache's resolver, storage ledger and body rate meter are alive: no hasher, resolution or transfer left behind");
    assert.equal(result.liveEnd, result.liveStart, "the live wasm object count returns to its start");
    assert.equal(result.heap[CYCLES], result.heap[1000], "wasm memory at 10,000 cycles equals that at 1,000");
    assert.deepEqual(result.events, []);
    assert.deepEqual(unhandled, [], "no unhandled rejection in the page");
    page.errors.assertNone();

    const mib = (n) => `${(n / (1024 * 1024)).toFixed(0)} MiB`;
    t.diagnostic(`${CYCLES} cycles (${DISTINCT} distinct URLs over ${files.length} files, ${lfs} LFS) in ${Math.round(result.ms)} ms ` +
      `(test ${Date.now() - started} ms): resolved ${result.resolved}, unresolved ${result.unresolved}, matched ${result.matched}, missed ${result.missed}`);
    t.diagnostic(`wasm live objects ${result.liveStart} → ${result.liveBeforeDispose} (cache alive) → ${result.liveEnd}; ` +
      `wasm memory ${Object.entries(result.heap).map(([i, n]) => `${i}: ${mib(n)}`).join(", ")}`);
    t.diagnostic(`hub: ${hub.counters.tree} listing, ${hub.counters.pathsInfo} paths-info, ${hub.counters.raw} raw, ${hub.counters.resolve} resolve; ` +
      `stats: hits ${JSON.stringify(result.stats.hits)}, storageHits ${result.stats.storageHits}, storageMisses ${result.stats.storageMisses}`);
    await page.close();
  });
});
