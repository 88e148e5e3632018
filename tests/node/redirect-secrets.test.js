// A caller's credential headers reach only the file's own origin, redirects included. fetch()
// drops Authorization when a redirect leaves the origin, and nothing else: a request that carries
// another credential header (X-Api-Key, ...) is sent with redirect: "manual", so a redirect fails
// the download with a clear error instead of handing the header to the server it names.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";

import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const API_KEY = "sekrit-api-key-123";
const TOKEN = "hf_secret_token_456";

/** Another origin (127.0.0.1 against the hub's localhost) that serves the hub's files, noting each request's headers. */
async function otherOrigin(t, hub) {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    http.get(new URL(req.url, hub.url), (upstream) => {
      res.writeHead(upstream.statusCode, upstream.headers);
      upstream.pipe(res);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${server.address().port}`, seen };
}

async function redirectedDownload(t) {
  const hub = await hubFor(t, { shards: 1 });
  const other = await otherOrigin(t, hub);
  const file = hub.model.files.find((entry) => entry.lfs);
  hub.setFault((req) => req.kind === "resolve" && req.method === "GET",
    { status: 302, headers: { Location: other.url + new URL(file.url).pathname }, body: "", times: 1 });
  return { hub, other, file };
}

test("a download that redirects to another origin, asked for with X-Api-Key: refused with why, the key never sent there", async (t) => {
  const { other, file } = await redirectedDownload(t);
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const request = new Request(file.url, { headers: { "X-Api-Key": API_KEY, Authorization: `Bearer ${TOKEN}` } });
  await assert.rejects(cache.fetchWithCache(request, "arraybuffer"), (error) => {
    assert.match(error.message, /HTTP 302, a redirect, not followed: the request carries a credential header other than Authorization/);
    assert.doesNotMatch(error.message, new RegExp(`${API_KEY}|${TOKEN}`));
    return true;
  });
  // Before: the other origin was sent x-api-key (fetch keeps every header but Authorization).
  assert.deepEqual(other.seen, [], "nothing reached the other origin");
  assert.equal(cos.store.entries().length, 0);
});

test("a download that redirects to another origin, asked for with Authorization only: followed, the token dropped by fetch", async (t) => {
  const { other, file } = await redirectedDownload(t);
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  const request = new Request(file.url, { headers: { Authorization: `Bearer ${TOKEN}`, "X-Custom": "kept" } });
  assert.equal(sha(await cache.fetchWithCache(request, "arraybuffer")), file.sha256);
  assert.equal(other.seen.length, 1, "the redirect was followed");
  assert.equal(other.seen[0].authorization, undefined);
  assert.equal(other.seen[0]["x-custom"], "kept", "a header that is no credential goes along, as fetch sends it");
});
