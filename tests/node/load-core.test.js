// loadCore() from an http(s) URL, as in a browser: the .wasm is asked for before the Emscripten
// loader runs, compiled as it streams when labelled application/wasm and from its bytes when not,
// and a failed fetch rejects naming the URL instead of leaving the load pending for ever.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import test from "node:test";
import { loadCore } from "../../js/index.js";
import createCoreModule from "../../dist/core.js";
import { sha256Hex } from "../support/test-data.js";

const WASM = readFileSync(new URL("../../dist/core.wasm", import.meta.url));

/** A server for /core.wasm whose answer each test picks through the query: ?type=…, ?status=…, ?drop. */
async function wasmServer(t) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    requests.push(url.search);
    if (url.searchParams.has("drop")) return req.socket.destroy();
    const status = Number(url.searchParams.get("status") ?? 200);
    res.writeHead(status, { "Content-Type": url.searchParams.get("type") ?? "application/wasm" });
    res.end(status === 200 ? WASM : "no such file");
  });
  await new Promise((resolve) => server.listen(0, "localhost", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { requests, url: (query) => `http://localhost:${server.address().port}/core.wasm?${query}` };
}

/** The loaded module works: it hashes "abc" right. */
async function hashesRight(core) {
  const bytes = new TextEncoder().encode("abc");
  const hasher = new core.Sha256();
  try {
    core.scratchView(bytes.byteLength).set(bytes);
    hasher.updateFromScratch(bytes.byteLength);
    assert.equal(hasher.finishHex(), sha256Hex("abc"));
  } finally {
    hasher.delete();
  }
}

test("a .wasm labelled application/wasm is compiled as it streams", async (t) => {
  const server = await wasmServer(t);
  let streamed = 0;
  const original = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = (...args) => { streamed++; return original.apply(WebAssembly, args); };
  t.after(() => { WebAssembly.instantiateStreaming = original; });
  await hashesRight(await loadCore({ wasmUrl: server.url("type=application/wasm") }));
  assert.equal(streamed, 1);
  assert.equal(server.requests.length, 1, "one request for the .wasm");
});

test("a .wasm with another Content-Type, or application/wasm with parameters, is compiled from its bytes, asked for once", async (t) => {
  const server = await wasmServer(t);
  for (const type of ["application/octet-stream", 'Application/WASM ; charset="binary"']) {
    await hashesRight(await loadCore({ wasmUrl: server.url(`type=${encodeURIComponent(type)}`) }));
  }
  assert.equal(server.requests.length, 2);
});

test("the .wasm is asked for before the loader runs", async (t) => {
  const server = await wasmServer(t);
  const order = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (...args) => { order.push("fetch"); return realFetch(...args); };
  t.after(() => { globalThis.fetch = realFetch; });
  const moduleFactory = (args) => { order.push("loader"); return createCoreModule(args); };
  await hashesRight(await loadCore({ wasmUrl: server.url("order"), moduleFactory }));
  assert.deepEqual(order, ["fetch", "loader"]);
});

for (const [name, query, expected] of [
  ["an error status", "status=404", /could not load its core from http:\/\/localhost:\d+\/core\.wasm: it answered 404/],
  ["a dropped connection", "drop", /could not load its core from http:\/\/localhost:\d+\/core\.wasm: /],
]) {
  test(`${name} rejects the load naming the URL, and a later load asks again`, async (t) => {
    const server = await wasmServer(t);
    await assert.rejects(loadCore({ wasmUrl: server.url(query) }), expected);
    await assert.rejects(loadCore({ wasmUrl: server.url(query) }), expected);
    assert.equal(server.requests.length, 2, "a failed load is not remembered");
  });
}

test("a failed load of a signed .wasm URL names it without its query or userinfo", async (t) => {
  const server = await wasmServer(t);
  const signed = server.url("status=403&X-Amz-Signature=SIG_SECRET_1&token=TOKEN_SECRET_2").replace("://", "://user:PW_SECRET_3@");
  const error = await loadCore({ wasmUrl: signed }).then(() => null, (reason) => reason);
  assert.match(error?.message ?? "", /could not load its core from http:\/\/localhost:\d+\/core\.wasm: /);
  assert.doesNotMatch(error.message, /SECRET/);
  assert.doesNotMatch(String(error.cause?.message ?? error.cause), /SECRET/);
});
