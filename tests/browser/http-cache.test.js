// Bytes the cache stores (in COS or its fallback store) are fetched with `cache: "no-store"`, so
// Chromium's HTTP cache does not keep a second copy of a multi-GB file.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { cleanups } from "./helpers.js";

test("a stored file leaves no copy in Chromium's HTTP cache", { timeout: 120_000 }, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite({ shards: 1, shardSize: 1024 * 1024 });
  defer(() => hub.close());
  const browser = await launchBrowser();
  defer(() => browser.close());
  // The check below expects a miss, which Chromium logs.
  const page = await browser.open(hub.url + BLANK_PAGE, { ignore: [/ERR_CACHE_MISS/] });
  const shard = hub.model.files.find((f) => f.lfs);
  const config = hub.model.files.find((f) => f.path === "mlc-chat-config.json");

  const result = await evaluateModule(page, "/js/index.js", async (m, { shardUrl, configUrl }) => {
    const inHttpCache = (url) => fetch(url, { cache: "only-if-cached", mode: "same-origin" }).then((r) => r.ok, () => false);
    // Control: a plain fetch is kept by the HTTP cache, so the check below can fail.
    await (await fetch(configUrl)).arrayBuffer();
    const control = await inHttpCache(configUrl);
    const cache = await m.createCrossOriginCache({ scope: "http-cache-test" });
    const bytes = await cache.fetchWithCache(shardUrl, "arraybuffer");
    return { control, size: bytes.byteLength, storage: cache.storageKind, shardCached: await inHttpCache(shardUrl) };
  }, { shardUrl: shard.url, configUrl: config.url });

  assert.equal(result.control, true, "a plain fetch of the hub is kept by the HTTP cache");
  assert.equal(result.storage, "fallback");
  assert.equal(result.size, shard.size);
  assert.equal(result.shardCached, false, "the stored shard is not in the HTTP cache too");
  page.errors.assertNone();
});
