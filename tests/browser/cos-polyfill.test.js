// The test COS (cos-page-polyfill.js + cos-page-backend.js) follows the draft's semantics in a real
// page, for two origins sharing one store. The other browser tests rely on it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, launchBrowser, startSite } from "../support/browser.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { cosInitScript } from "../support/cos-page-polyfill.js";
import { cleanups } from "./helpers.js";
import { sha256Hex as sha } from "../support/test-data.js";

const text = (s) => new TextEncoder().encode(s);

for (const browserName of BROWSERS) describe(`${browserName}: test COS in the page`, () => {
  let cos;
  let a;
  let b;
  let pageA;
  let pageB;
  const defer = cleanups(after);

  before(async () => {
    a = await startSite({ shards: 0 });
    defer(() => a.close());
    b = await startSite({ shards: 0 });
    defer(() => b.close());
    cos = await startCosBackend();
    defer(() => cos.close());
    const browser = await launchBrowser({ browser: browserName, initScripts: [cosInitScript({ backend: cos.url })] });
    defer(() => browser.close());
    pageA = await browser.open(a.url + BLANK_PAGE);
    pageB = await browser.open(b.url + BLANK_PAGE);
  });

  // Runs one COS operation in a page; returns {ok, value} or {error: name}.
  const run = (page, op, arg) => page.evaluate(async ({ op, arg }) => {
    const cos = navigator.crossOriginStorage;
    const hash = (value) => ({ algorithm: "SHA-256", value });
    const ops = {
      async read({ value, api = "requestFileHandle" }) {
        const handle = api === "requestFileHandles" ? (await cos.requestFileHandles([hash(value)]))[0] : await cos[api](hash(value));
        const file = await handle.getFile();
        return { size: file.size, text: await file.text(), isFile: file instanceof File };
      },
      async write({ value, parts, origins, blob = false }) {
        const options = origins === undefined ? { create: true } : { create: true, origins };
        const handle = await cos.requestFileHandle(hash(value), options);
        const writable = await handle.createWritable();
        for (const part of parts) await writable.write(blob ? new Blob([part]) : part);
        await writable.close();
        return true;
      },
      async request({ value, algorithm = "SHA-256" }) {
        await cos.requestFileHandle({ algorithm, value });
        return true;
      },
      async readWhileWriting({ value, other }) {
        const handle = await cos.requestFileHandle(hash(value), { create: true });
        const writable = await handle.createWritable();
        await writable.write(new TextEncoder().encode("half"));
        let seen;
        try {
          await (await cos.requestFileHandle(hash(value))).getFile();
          seen = "readable";
        } catch (error) {
          seen = error.name;
        }
        await writable.abort();
        return seen;
      },
      async big({ value, size, step }) {
        const handle = await cos.getFileHandle(hash(value), { create: true });
        const writable = await handle.createWritable();
        const chunk = new Uint8Array(step);
        for (let offset = 0; offset < size; offset += step) {
          const n = Math.min(step, size - offset);
          for (let i = 0; i < n; i++) chunk[i] = (offset + i) & 0xff;
          await writable.write(chunk.subarray(0, n));
        }
        await writable.close();
        const file = await (await cos.getFileHandle(hash(value))).getFile();
        return { size: file.size };
      },
    };
    try {
      return { ok: true, value: await ops[op](arg) };
    } catch (error) {
      return { ok: false, error: error?.name, isDomException: error instanceof DOMException };
    }
  }, { op, arg });

  test("invalid hashes are TypeErrors; a miss is a NotFoundError DOMException", async () => {
    assert.deepEqual(await run(pageA, "request", { value: "ABC" }), { ok: false, error: "TypeError", isDomException: false });
    assert.deepEqual(await run(pageA, "request", { value: "A".repeat(64) }), { ok: false, error: "TypeError", isDomException: false });
    assert.deepEqual(await run(pageA, "request", { value: "a".repeat(64), algorithm: "SHA-1" }), { ok: false, error: "TypeError", isDomException: false });
    assert.deepEqual(await run(pageA, "read", { value: "a".repeat(64) }), { ok: false, error: "NotFoundError", isDomException: true });
  });

  test("hash verified on close: wrong bytes are a DataError and leave no entry", async () => {
    const value = sha(text("expected bytes"));
    assert.deepEqual(await run(pageA, "write", { value, parts: ["other bytes"] }), { ok: false, error: "DataError", isDomException: true });
    assert.equal(cos.entry(value), undefined);
    assert.equal((await run(pageA, "read", { value })).error, "NotFoundError");
  });

  test("origins omitted: only the writing origin reads it, until another origin stores the same bytes", async () => {
    const body = "private to A, at first";
    const value = sha(text(body));
    assert.equal((await run(pageA, "write", { value, parts: [body] })).ok, true);
    assert.deepEqual((await run(pageA, "read", { value })).value, { size: body.length, text: body, isFile: true });
    assert.equal((await run(pageB, "read", { value })).error, "NotFoundError", "not visible to B");
    assert.equal(cos.entry(value).origins, undefined);
    // B proves it has the bytes by writing them: visibility widens to B, never narrows.
    assert.equal((await run(pageB, "write", { value, parts: [body] })).ok, true);
    assert.equal((await run(pageB, "read", { value })).value.text, body);
    assert.deepEqual(cos.entry(value).origins, [b.url]);
    assert.equal(cos.entries().filter((e) => e.hash === value).length, 1);
  });

  test("origins list and \"*\"; all three API shapes read the same entry", async () => {
    const listed = "listed for B";
    const listedHash = sha(text(listed));
    assert.equal((await run(pageA, "write", { value: listedHash, parts: [listed], origins: [b.url] })).ok, true);
    assert.equal((await run(pageB, "read", { value: listedHash })).value.text, listed);

    const shared = "shared with everyone";
    const sharedHash = sha(text(shared));
    assert.equal((await run(pageA, "write", { value: sharedHash, parts: [shared], origins: "*", blob: true })).ok, true);
    for (const api of ["getFileHandle", "requestFileHandle", "requestFileHandles"]) {
      assert.equal((await run(pageB, "read", { value: sharedHash, api })).value.text, shared, api);
    }
    const methods = new Set(cos.calls.filter((c) => c.hash === sharedHash && c.step === "request").map((c) => c.method));
    assert.deepEqual([...methods].sort(), ["getFileHandle", "requestFileHandle", "requestFileHandles"]);
    assert.equal((await run(pageA, "write", { value: sharedHash, parts: [shared], origins: 42 })).error, "TypeError");
  });

  test("an entry still being written is a NotAllowedError; abort drops it", async () => {
    const value = sha(text("never finished"));
    assert.deepEqual(await run(pageA, "readWhileWriting", { value }), { ok: true, value: "NotAllowedError" });
    assert.equal(cos.entry(value), undefined);
  });

  test("writes are streamed to the backend in 4 MiB requests", async () => {
    const size = 10 * 1024 * 1024 + 123;
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = i & 0xff;
    const value = sha(bytes);
    cos.resetCounters();
    assert.deepEqual(await run(pageA, "big", { value, size, step: 64 * 1024 }), { ok: true, value: { size } });
    assert.equal(cos.counts.write, 3, "10 MiB in 64 KiB writes → three requests of at most 4 MiB");
    assert.equal(cos.counts.bytesWritten, size);
    assert.equal(cos.entry(value).size, size);
  });
});
