// In real browsers, a caller's X-Api-Key never follows a redirect to another origin: fetch()
// drops only Authorization there, so the cache sends such a request with redirect: "manual" and
// the browser's opaque redirect fails the download with a clear error. With Authorization alone
// the redirect is followed, as Hugging Face's /resolve/ to its CDN needs.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";

import { BLANK_PAGE, BROWSERS, evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { cleanups } from "./helpers.js";

const API_KEY = "sekrit-api-key-123";

/** Another origin (127.0.0.1 against the hub's localhost) that passes every request on to the hub, noting its headers. */
async function otherOrigin(hub) {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, headers: req.headers });
    const upstream = http.request(new URL(req.url, hub.url), { method: req.method, headers: { ...req.headers, host: new URL(hub.url).host } }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

for (const browserName of BROWSERS) test(`${browserName}: X-Api-Key never follows a redirect to another origin; Authorization alone does`, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite({ shards: 1 });
  defer(() => hub.close());
  const other = await otherOrigin(hub);
  defer(() => other.close());
  const browser = await launchBrowser({ browser: browserName });
  defer(() => browser.close());
  const page = await browser.open(hub.url + BLANK_PAGE, { ignore: [/CORS|redirect|Failed to load resource/i] });
  const shard = hub.model.files.find((f) => f.lfs);
  const redirectOnce = () => hub.setFault((req) => req.kind === "resolve" && req.method === "GET",
    { status: 302, headers: { Location: other.url + new URL(shard.url).pathname }, body: "", times: 1 });

  redirectOnce();
  const withKey = await evaluateModule(page, "/js/index.js", async (m, { url, key }) => {
    const cache = await m.createCrossOriginCache({ storage: null, fallback: false });
    try {
      await cache.fetchWithCache(new Request(url, { headers: { "X-Api-Key": key } }), "arraybuffer");
      return { ok: true };
    } catch (error) {
      return { ok: false, message: error.message };
    }
  }, { url: shard.url, key: API_KEY });
  assert.equal(withKey.ok, false);
  assert.match(withKey.message, /a redirect not followed: the request carries a credential header other than Authorization/);
  assert.ok(!withKey.message.includes(API_KEY));
  assert.deepEqual(other.seen, [], "neither a preflight nor the request reached the other origin");

  hub.clearFaults();
  redirectOnce();
  const withToken = await evaluateModule(page, "/js/index.js", async (m, { url }) => {
    const cache = await m.createCrossOriginCache({ storage: null, fallback: false });
    const bytes = await cache.fetchWithCache(new Request(url, { headers: { Authorization: "Bearer hf_token" } }), "arraybuffer");
    return bytes.byteLength;
  }, { url: shard.url });
  assert.equal(withToken, shard.size);
  const gets = other.seen.filter((request) => request.method === "GET");
  assert.equal(gets.length, 1, "the redirect was followed");
  assert.equal(gets[0].headers.authorization, undefined, "the browser dropped Authorization");
});
