// The fallback store's write contract: bytes stream into the Cache API as they are written, and an
// entry is kept and sealed only when its writer vouched for exactly the entry's hash before
// closing. Anything else (no vouch, another hash, an abort) leaves no entry and no seal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { loadCore } from "../../js/core.js";
import { FallbackStore } from "../../js/fallback-store.js";
import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const NAME = "fallback-store-test";
const hashOf = (value) => ({ algorithm: "SHA-256", value });

async function storeWith() {
  const caches = new MemoryCacheStorage();
  const store = new FallbackStore(caches, NAME, await loadCore(), { estimate: async () => undefined });
  const entries = async () => (await (await caches.open(NAME)).keys()).length;
  const seals = async () => (await (await caches.open(`${NAME}-seals`)).keys()).length;
  return { caches, store, entries, seals };
}

async function write(store, value, chunks) {
  const handle = await store.requestFileHandle(hashOf(value), { create: true });
  const writable = await handle.createWritable();
  const writer = writable.getWriter();
  // Every chunk issued before any settles, as the cache does with writes in flight.
  await Promise.all(chunks.map((chunk) => writer.write(chunk)));
  return { writable, writer };
}

async function readBack(store, value) {
  const handle = await store.requestFileHandle(hashOf(value));
  return new Uint8Array(await (await handle.getFile()).arrayBuffer());
}

test("vouched for with the entry's hash: stored, sealed and served, bytes intact", async (t) => {
  const { store, entries, seals } = await storeWith();
  const chunks = [randomBytes(70_000), randomBytes(1), randomBytes(300_000)];
  const value = sha(Buffer.concat(chunks));
  const { writable, writer } = await write(store, value, chunks);
  writable.vouch(value);
  await writer.close();
  assert.equal(await entries(), 1);
  assert.equal(await seals(), 1);
  assert.equal(sha(await readBack(store, value)), value);
});

for (const [name, vouched] of [["not vouched for at all", undefined], ["vouched for with another hash", "0".repeat(64)]]) {
  test(`${name}: close is a DataError, no entry and no seal, a read is a miss`, async (t) => {
    const { store, entries, seals } = await storeWith();
    const bytes = randomBytes(100_000);
    const value = sha(bytes);
    const { writable, writer } = await write(store, value, [bytes]);
    if (vouched !== undefined) writable.vouch(vouched);
    await assert.rejects(writer.close(), (error) => error.name === "DataError" && error.message.includes(value));
    assert.equal(await entries(), 0);
    assert.equal(await seals(), 0);
    await assert.rejects(store.requestFileHandle(hashOf(value)), { name: "NotFoundError" });
  });
}

test("aborted mid-write: no entry, no seal", async (t) => {
  const { store, entries, seals } = await storeWith();
  const bytes = randomBytes(50_000);
  const value = sha(bytes);
  const { writable, writer } = await write(store, value, [bytes]);
  writable.vouch(value);
  await writer.abort(new Error("cut off"));
  assert.equal(await entries(), 0);
  assert.equal(await seals(), 0);
});

test("a Blob chunk is streamed through like bytes", async (t) => {
  const { store } = await storeWith();
  const bytes = randomBytes(200_000);
  const value = sha(bytes);
  const { writable, writer } = await write(store, value, [new Blob([bytes])]);
  writable.vouch(value);
  await writer.close();
  assert.equal(sha(await readBack(store, value)), value);
});

test("hasAllKeys asks the fallback store again: another tab's deletion is seen", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = hub.model.files.find((f) => f.lfs);
  const caches = new MemoryCacheStorage();
  const tabA = await cacheOn({ caches });
  const tabB = await cacheOn({ caches });
  for (const tab of [tabA, tabB]) await tab.cache.fetchWithCache(file.url, "arraybuffer");
  assert.equal(await tabB.cache.hasAllKeys([file.url]), true);
  await tabA.cache.deleteInCache(file.url);
  assert.equal(await tabB.cache.hasAllKeys([file.url]), false, "tab B sees the bytes are gone");
});
