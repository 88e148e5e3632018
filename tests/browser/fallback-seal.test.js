// In Chromium's real Cache API, the fallback store serves only entries it sealed after verifying
// them: bytes put under an entry's key by other code of the origin are a miss, fetched again.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, launchBrowser, startSite } from "../support/browser.js";
import { cleanups, loadModelInPage, modelTruth, modelUrls } from "./helpers.js";

for (const browserName of BROWSERS) test(`${browserName}: no COS manager: a foreign entry under a fallback key is a miss, never served`, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite();
  defer(() => hub.close());
  const browser = await launchBrowser({ browser: browserName });
  defer(() => browser.close());
  const urls = modelUrls(hub);
  const truth = modelTruth(hub);
  const victim = urls.find((url) => truth.get(url).lfs);

  const first = await browser.open(hub.url + BLANK_PAGE);
  const cold = await loadModelInPage(first, urls);
  assert.equal(cold.stats.stored, urls.length);
  // Other code of the origin writes the key of one entry: same headers, other bytes.
  await first.evaluate(async (hash) => {
    const store = await caches.open("cross-origin-cache-cos-fallback");
    const key = `https://cross-origin-cache.invalid/sha256/${hash}`;
    const old = await store.match(key);
    await store.put(key, new Response("not the model file", { headers: old.headers }));
  }, truth.get(victim).sha256);
  await first.close();

  hub.resetCounters();
  const page = await browser.open(hub.url + BLANK_PAGE);
  const warm = await loadModelInPage(page, urls);
  for (const file of warm.files) assert.equal(file.sha256, truth.get(file.url).sha256, `bytes of ${file.url}`);
  assert.equal(warm.stats.storageHits, urls.length - 1, "every other file from the store");
  assert.equal(warm.stats.downloads, 1, "the tampered one downloaded again");
  assert.equal(hub.countFor(truth.get(victim).path).resolve, 1);
  page.errors.assertNone();
});
