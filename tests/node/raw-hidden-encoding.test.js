// A /raw/ answer's length is the file's size only where it cannot be a compressed body's: a
// cross-origin answer hides a Content-Encoding it does not expose, and a 200's Content-Length then
// counts compressed bytes. Taken as the file's size, it refused the file's real bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";

import { cacheOn, stores } from "../support/cache-setup.js";

test("a plain file whose /raw/ answer is a compressed 200 with its encoding hidden is served, not cut at the compressed length", async (t) => {
  const content = Buffer.from(JSON.stringify({ words: Array.from({ length: 60 }, (_, i) => `word${i % 7}`) }));
  const blob = createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
  const compressed = gzipSync(content);
  assert.ok(compressed.length < content.length);
  const server = createServer((req, res) => {
    const headers = { ETag: `"${blob}"`, "X-Repo-Commit": "a".repeat(40) };
    if (req.url.includes("/raw/")) {
      // The server ignores the range and compresses.
      res.writeHead(200, { ...headers, "Content-Encoding": "gzip", "Content-Length": compressed.length });
      res.end(compressed);
    } else {
      res.writeHead(200, { ...headers, "Content-Length": content.length });
      res.end(content);
    }
  });
  await new Promise((resolve) => server.listen(0, "localhost", resolve));
  t.after(() => server.close());
  const url = `http://localhost:${server.address().port}/org/m/resolve/main/vocab.json`;
  // What a page sees of a cross-origin answer that does not expose Content-Encoding.
  const hiding = async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input.url ?? input).includes("/raw/")) return response;
    const headers = new Headers(response.headers);
    headers.delete("Content-Encoding");
    return new Response(response.body, { status: response.status, headers });
  };
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), batch: false, fetch: hiding });
  assert.deepEqual(Buffer.from(await cache.fetchWithCache(url, "arraybuffer")), content);
  assert.deepEqual(events.map((e) => e.kind), []);
});
