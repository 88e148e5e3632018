// Secrets never leave the package in real Chromium, whose own messages differ from undici's
// (fetch of a URL with userinfo: "Failed to execute 'fetch' on 'Window': Request cannot be
// constructed from a URL that includes credentials: <the URL whole>"). Nothing a caller can see
// (rejections and their causes, onError and onProgress events, stats()) nor anything persisted in
// the Cache API may hold the password or the token.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { cleanups } from "./helpers.js";

for (const browserName of BROWSERS) test(`${browserName}: no password or token in rejections, causes, events, stats or the Cache API`, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite({ shards: 1 });
  defer(() => hub.close());
  const browser = await launchBrowser({ browser: browserName });  // the same-origin fallback store holds the bytes
  defer(() => browser.close());
  // Chromium's own console line for a failed load (404 of missing.bin) names the URL it fetched:
  // the browser's, out of any page script's reach.
  const page = await browser.open(hub.url + BLANK_PAGE, { ignore: [/status of 404 \(Not Found\)/] });
  const password = "pw-HUNTER2-secret";
  const token = "hf_QUERYTOKEN_12345";
  const tokenizer = hub.model.files.find((f) => f.path === "tokenizer.json");
  const shard = hub.model.files.find((f) => f.lfs);

  const seen = await evaluateModule(page, "/js/index.js", async (m, { password, token, tokenizerUrl, shardUrl, missingUrl }) => {
    const withUserinfo = (url) => url.replace("://", `://user:${password}@`);
    const errorTexts = (error) => {
      const texts = [];
      for (let at = error, depth = 0; at !== undefined && at !== null && depth < 20; at = at.cause, depth++) {
        texts.push(String(at), String(at?.message), String(at?.stack));
        try {
          texts.push(JSON.stringify(at));
        } catch {}
      }
      return texts;
    };
    const events = [];
    const progress = [];
    await caches.open("tvmjs-cos-hash-meta");  // its store exists, so URLs are looked up there too
    const cache = await m.createCrossOriginCache({ onError: (e) => events.push(e), onProgress: (e) => progress.push(e) });
    const rejections = [];
    const loaded = [];
    const settle = (promise) => promise.then((value) => value, (error) => { rejections.push(error); });
    loaded.push(await settle(cache.fetchWithCache(withUserinfo(tokenizerUrl), "arraybuffer")));
    await settle(cache.resolveHash(withUserinfo(shardUrl)));
    await settle(cache.deleteInCache(withUserinfo(tokenizerUrl)));
    loaded.push(await settle(cache.fetchWithCache(`${shardUrl}?token=${token}`, "arraybuffer")));
    await settle(cache.fetchWithCache(withUserinfo(missingUrl)));
    await settle(cache.fetchWithCache(`${missingUrl}?token=${token}`));
    await cache.flush();
    const persisted = [];
    for (const name of await caches.keys()) {
      const store = await caches.open(name);
      for (const request of await store.keys()) persisted.push(request.url, await (await store.match(request)).text());
    }
    return {
      loadedBytes: loaded.map((buffer) => buffer?.byteLength ?? null),
      rejections: rejections.map((error) => ({ message: error.message, texts: errorTexts(error) })),
      events: events.map((event) => [JSON.stringify(event), event.message, ...errorTexts(event.error)]),
      progress: progress.map((event) => JSON.stringify(event)),
      stats: JSON.stringify(cache.stats()),
      persisted,
    };
  }, { password, token, tokenizerUrl: tokenizer.url, shardUrl: shard.url, missingUrl: `${hub.url}/test-org/test-model/resolve/main/missing.bin` });

  assert.deepEqual(seen.loadedBytes, [tokenizer.size, shard.size], "the URLs with credentials load");
  assert.equal(seen.rejections.length, 2, JSON.stringify(seen.rejections));
  assert.ok(seen.progress.length > 0);
  const texts = [
    ...seen.rejections.flatMap((r) => r.texts), ...seen.events.flat(), ...seen.progress, seen.stats, ...seen.persisted,
  ];
  for (const text of texts) {
    for (const secret of [password, token]) assert.ok(!text.includes(secret), `shows ${secret}: ${text}`);
  }
  for (const rejection of seen.rejections) assert.match(rejection.message, /\*\*\*.*HTTP 404/);
  assert.ok(hub.log.every((entry) => !entry.url.includes(password)), "the userinfo never reached the hub in a URL");
  page.errors.assertNone();
});
