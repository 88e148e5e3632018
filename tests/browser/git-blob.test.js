// In real browsers, with the real Cache API: a hub file not in Git LFS whose body was tampered with
// on the way (its real ETag kept) is refused by the git blob id the hub named, computed with
// WebCrypto; the fallback store and the record store keep nothing of it, and the hub's own bytes
// load afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import { BLANK_PAGE, BROWSERS, evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { cleanups } from "./helpers.js";

const gitBlobId = (bytes) => createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

for (const browserName of BROWSERS) test(`${browserName}: a plain file tampered with under its real ETag is refused by its git blob id; nothing is kept`, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite({ shards: 1 });
  defer(() => hub.close());
  const browser = await launchBrowser({ browser: browserName });
  defer(() => browser.close());
  const file = hub.model.files.find((f) => f.path === "tokenizer.json");
  const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
  const bad = Buffer.from(bytes);
  bad[bad.length >> 1] ^= 0xff;
  hub.setFault((req) => req.kind === "resolve" && req.path === file.path, { replaceBytes: bad, times: 1 });

  const load = async (page) => evaluateModule(page, "/js/index.js", async (m, { url }) => {
    const cache = await m.createCrossOriginCache({ storage: null });
    try {
      const body = new Uint8Array(await cache.fetchWithCache(url, "arraybuffer"));
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
      return { ok: true, storage: cache.storageKind, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("") };
    } catch (error) {
      return { ok: false, storage: cache.storageKind, message: error.message };
    } finally {
      cache.dispose();
    }
  }, { url: file.url });
  // Every Cache API cache of the origin, with the URLs of its entries.
  const entries = async (page) => page.evaluate(async () => {
    const kept = {};
    for (const name of await caches.keys()) kept[name] = (await (await caches.open(name)).keys()).map((request) => request.url);
    return kept;
  });

  const page = await browser.open(hub.url + BLANK_PAGE, { ignore: [/Failed to load resource/i] });
  const refused = await load(page);
  assert.equal(refused.storage, "fallback");
  assert.equal(refused.ok, false);
  assert.equal(refused.message, `cross-origin-cache: content of ${file.url} has git blob id ${gitBlobId(bad)}, expected ${gitBlobId(bytes)} (the ETag)`);
  const kept = await entries(page);
  for (const [name, urls] of Object.entries(kept)) {
    if (name.includes("fallback")) assert.deepEqual(urls, [], `${name} keeps bytes`);
    assert.ok(!urls.some((url) => url.includes("tokenizer.json")), `${name} keeps a record of tokenizer.json: ${urls}`);
  }

  // A new page: the hub's own bytes load, and are kept this time.
  const again = await browser.open(hub.url + BLANK_PAGE);
  const loaded = await load(again);
  assert.equal(loaded.ok, true, loaded.message);
  assert.equal(loaded.sha256, sha256(bytes));
  const after = await entries(again);
  assert.equal(after["cross-origin-cache-cos-fallback"].length, 1);
  assert.equal(after["cross-origin-cache-cos-fallback-seals"].length, 1);
});
