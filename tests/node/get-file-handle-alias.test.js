// installGetFileHandleAlias: a manager with only the older names gains the draft's getFileHandle;
// a real getFileHandle is never replaced, and nothing happens without a manager.
import { test } from "node:test";
import assert from "node:assert/strict";

import { installGetFileHandleAlias } from "../../js/index.js";
import { createMemoryCos } from "../support/memory-cos.js";

for (const api of ["requestFileHandle", "requestFileHandles"]) {
  test(`a ${api}-only manager gains getFileHandle, which reads and misses as ${api} does`, async () => {
    const { store } = createMemoryCos({ api });
    const manager = store.manager();
    const hash = store.add("aliased");
    assert.equal(typeof manager.getFileHandle, "undefined");
    assert.equal(installGetFileHandleAlias(manager), true);
    assert.equal(await (await (await manager.getFileHandle(hash)).getFile()).text(), "aliased");
    assert.deepEqual(store.calls.filter((c) => c.step === "request").map((c) => c.method), [api], "answered by the older method");
    await assert.rejects(manager.getFileHandle({ algorithm: "SHA-256", value: "0".repeat(64) }), (e) => e.name === "NotFoundError");
    assert.equal(installGetFileHandleAlias(manager), false, "a second call finds getFileHandle and leaves it");
  });
}

test("a real getFileHandle is never replaced; no manager, or one with no COS method, is left alone", () => {
  const manager = createMemoryCos().store.manager();
  const own = manager.getFileHandle;
  assert.equal(installGetFileHandleAlias(manager), false);
  assert.equal(manager.getFileHandle, own);
  assert.equal(installGetFileHandleAlias(), false, "Node has no navigator.crossOriginStorage");
  assert.equal(installGetFileHandleAlias(null), false);
  const other = {};
  assert.equal(installGetFileHandleAlias(other), false);
  assert.equal("getFileHandle" in other, false);
  const frozen = Object.freeze({ requestFileHandle: async () => ({}) });
  assert.equal(installGetFileHandleAlias(frozen), false, "a frozen manager keeps its shape");
});
