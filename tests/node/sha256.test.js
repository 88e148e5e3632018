import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { createSha256, loadCore, parseLfsPointer, sha256 } from "../../js/index.js";
import { seededRandom, sha256Hex as nodeSha256 } from "../support/test-data.js";
import { loadTestCore, testCoreOptions } from "../support/test-core.js";

test("sha256 and createSha256 equal node:crypto for 200 random sizes and chunkings", async () => {
  const random = seededRandom(20261126);  // seeded so a failure can be replayed
  for (let i = 0; i < 200; i++) {
    // Sizes from 0 B to 4 MiB, skewed small so block boundaries are well covered.
    const size = i < 130 ? Math.floor(random() * 300) : Math.floor(random() ** 2 * 4 * 1024 * 1024);
    const bytes = randomBytes(size);
    const expected = nodeSha256(bytes);
    assert.equal(await sha256(bytes), expected, `one-shot, ${size} bytes`);
    const hasher = await createSha256();
    let offset = 0;
    while (offset < size) {
      const take = Math.min(size - offset, 1 + Math.floor(random() * (random() < 0.5 ? 100 : 300000)));
      hasher.update(bytes.subarray(offset, offset + take));
      offset += take;
    }
    assert.equal(hasher.digest(), expected, `chunked, ${size} bytes`);
  }
});

test("accepts ArrayBuffer and other views", async () => {
  const bytes = randomBytes(1000);
  const expected = nodeSha256(bytes);
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  assert.equal(await sha256(copy), expected);
  assert.equal(await sha256(new DataView(copy)), expected);
  assert.equal(await sha256(new Uint32Array(copy, 0, 250)), expected);
  await assert.rejects(sha256("abc"), TypeError);
});

test("a hasher cannot be used after digest()", async () => {
  const hasher = await createSha256();
  hasher.update(new Uint8Array([1, 2, 3]));
  assert.equal(hasher.digest(), nodeSha256(Buffer.from([1, 2, 3])));
  assert.throws(() => hasher.digest(), /already called/);
  assert.throws(() => hasher.update(new Uint8Array(1)), /already called/);
});

test("parseLfsPointer returns oid and size, or null", async () => {
  const oid = "a".repeat(64);
  assert.deepEqual(await parseLfsPointer(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 12345\n`), { oid, size: 12345 });
  assert.deepEqual(await parseLfsPointer(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid.toUpperCase()}\nsize 1\n`), { oid, size: 1 });
  assert.equal(await parseLfsPointer('{"model_type": "llama"}'), null);
  assert.equal(await parseLfsPointer(`version https://git-lfs.github.com/spec/v1\r\noid sha256:${oid}\r\nsize 1\r\n`), null);
});

test("C++ exceptions cross the boundary as Error with the C++ message", async () => {
  const core = await loadTestCore();  // makeHashDescriptor is a test-only binding
  assert.throws(() => core.parseArtifactUrl("ftp://example.com/x"), (error) => error instanceof Error && /http/i.test(error.message));
  assert.throws(() => core.makeHashDescriptor("SHA-512", "a".repeat(64)), (error) => error instanceof Error && /SHA-512/.test(error.message));
  // The module still works after an exception.
  assert.equal(core.makeHashDescriptor("sha256", "A".repeat(64)).value, "a".repeat(64));
});

test("no live embind objects remain after 10,000 hashes", async () => {
  const core = await loadTestCore();  // liveObjectCount is a test-only binding
  const before = core.liveObjectCount();
  const open = await createSha256(testCoreOptions);
  assert.equal(core.liveObjectCount(), before + 1, "the counter sees a live hasher");
  open.digest();
  for (let i = 0; i < 10000; i++) {
    const hasher = await createSha256(testCoreOptions);
    hasher.update(new Uint8Array([i & 255]));
    hasher.digest();
  }
  assert.equal(core.liveObjectCount(), before);
});

test("the package's module has no test-only bindings", async () => {
  const core = await loadCore({ wasmUrl: new URL("../../dist/core.wasm", import.meta.url) });
  assert.notEqual(core, await loadTestCore());
  for (const name of ["liveObjectCount", "makeHashDescriptor"]) assert.equal(core[name], undefined, name);
});
