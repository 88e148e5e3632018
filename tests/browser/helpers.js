// Helpers shared by the browser tests (not a test file: node --test picks only *.test.js).
import assert from "node:assert/strict";

import { evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { cosInitScript } from "../support/cos-page-polyfill.js";

/**
 * A hub site, a COS test backend shared by every origin, and Chromium with the COS polyfill in
 * each page; each is closed through `defer`. siteOptions: startSite's.
 */
export async function startCosWorld(defer, siteOptions, browserName = "chromium") {
  const hub = await startSite(siteOptions);
  defer(() => hub.close());
  const cos = await startCosBackend();
  defer(() => cos.close());
  const browser = await launchBrowser({ browser: browserName, initScripts: [cosInitScript({ backend: cos.url })] });
  defer(() => browser.close());
  return { hub, cos, browser };
}

/** A site on a second origin (no repos of its own, the same COS), with the counters reset. */
export async function secondOrigin({ hub, cos }, defer) {
  const other = await startSite({ shards: 0 });
  defer(() => other.close());
  assert.notEqual(new URL(other.url).origin, new URL(hub.url).origin);
  hub.resetCounters();
  cos.resetCounters();
  return other;
}

/** Every file of the hub's default model as /resolve/main/ URLs, plus its model-library wasm. */
export function modelUrls(hub) {
  return [...hub.model.files.map((file) => file.url), hub.model.wasm.url];
}

/** url → {sha256, size, lfs, path} for the hub's default model. */
export function modelTruth(hub) {
  const truth = new Map(hub.model.files.map((f) => [f.url, { sha256: f.sha256, size: f.size, lfs: f.lfs, path: f.path }]));
  const { wasm } = hub.model;
  truth.set(wasm.url, { sha256: wasm.sha256, size: wasm.size, lfs: false, path: null });
  return truth;
}

/** Runs a cleanup stack (last in, first out) after the test or suite `t`. */
export function cleanups(register) {
  const stack = [];
  register(async () => {
    while (stack.length) {
      try {
        await stack.pop()();
      } catch {
        // keep cleaning
      }
    }
  });
  return (fn) => stack.push(fn);
}

/**
 * In the page: creates a cache, resolves every URL (one resolveHashes call), then loads each
 * with fetchWithCache(url, "arraybuffer") and hashes the delivered bytes with WebCrypto (not our
 * wasm), so the check does not trust the code under test.
 * @returns {Promise<{storageKind: string, resolved: (string|null)[], afterResolve: object, stats: object,
 *   files: {url: string, size: number, sha256: string}[], events: {kind: string, message: string}[]}>}
 */
export function loadModelInPage(page, urls, options = {}) {
  return evaluateModule(page, "/js/index.js", async (m, { urls, options }) => {
    const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
    const events = [];
    const cache = await m.createCrossOriginCache({ ...options, onError: (e) => events.push({ kind: e.kind, message: e.message }) });
    const resolved = (await cache.resolveHashes(urls)).map((h) => h?.value ?? null);
    const afterResolve = cache.stats();
    const files = [];
    for (const url of urls) {
      const buffer = await cache.fetchWithCache(url, "arraybuffer");
      files.push({ url, size: buffer.byteLength, sha256: hex(await crypto.subtle.digest("SHA-256", buffer)) });
    }
    const result = { storageKind: cache.storageKind, resolved, afterResolve, stats: cache.stats(), files, events };
    cache.dispose();
    return result;
  }, { urls, options });
}

/** Names of the page origin's Cache API stores. */
export function cacheNames(page) {
  return page.evaluate(() => caches.keys());
}

export const sum = (values) => values.reduce((a, b) => a + b, 0);
