// A URL→hash record is a cache, never a verdict: when downloaded bytes disagree with a persisted,
// imported or snapshot record, the authority is asked again, the record is corrected where it is
// kept, the bytes are stored under their real hash and the load completes (reported as
// record-corrected). A caller's hint and an authority that still disagrees stay hard errors.
import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const WRONG = "0".repeat(63) + "1";
const lfsFile = (hub) => hub.model.files.find((f) => f.lfs);
const plainFile = (hub) => hub.model.files.find((f) => f.path === "mlc-chat-config.json");
const OWN = "cross-origin-cache-cos-hash-meta";
const TVMJS = "tvmjs-cos-hash-meta";

async function storedValue(caches, name, url) {
  const response = await (await caches.open(name)).match(url);
  return response ? JSON.parse(await response.text()).value : undefined;
}

const plant = {
  // Our own per-URL entry, as an older version (or a moved branch) left it.
  own: (caches, url) => caches.open(OWN).then((c) => c.put(url, new Response(JSON.stringify(
    { algorithm: "SHA-256", value: WRONG, source: "batch", storedAt: Date.now() })))),
  // tvmjs's store, which tvmjs writes for branch URLs and never revalidates.
  tvmjs: (caches, url) => caches.open(TVMJS).then((c) => c.put(url, new Response(JSON.stringify(
    { algorithm: "SHA-256", value: WRONG })))),
};

for (const [where, store] of [["our persisted store", "own"], ["tvmjs's store", "tvmjs"]]) {
  for (const which of ["lfs", "plain"]) {
    for (const storage of ["cos", "fallback", "none"]) {
      test(`a wrong record in ${where} (${which} file, ${storage}): corrected, load completes, next session clean`, async (t) => {
        const hub = await hubFor(t, { shards: 1 });
        const file = which === "lfs" ? lfsFile(hub) : plainFile(hub);
        const caches = new MemoryCacheStorage();
        const { cos } = stores();
        const setup = storage === "cos" ? { storage: cos.store.manager() }
          : storage === "fallback" ? {} : { fallback: false };
        await plant[store](caches, file.url);
        const { cache, events } = await cacheOn({ caches, ...setup });
        assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
        assert.deepEqual(events.map((e) => e.kind), ["record-corrected"]);
        assert.match(events[0].message, new RegExp(`${WRONG}.*${file.sha256}|${file.sha256}.*${WRONG}`));
        assert.equal((await cache.resolveHash(file.url)).value, file.sha256, "memory corrected");
        // A plain file's hash comes from bytes, persisted only once they are stored somewhere.
        const ownAfter = await storedValue(caches, OWN, file.url);
        if (which === "plain" && storage === "none") assert.equal(ownAfter, undefined, "the wrong record dropped");
        else assert.equal(ownAfter, file.sha256, "our store corrected");
        assert.notEqual(await storedValue(caches, TVMJS, file.url), WRONG, "tvmjs's wrong record is gone");
        if (storage === "cos") assert.ok(cos.store.entries().some((e) => e.hash === file.sha256), "stored under the real hash");
        await cache.flush();

        const reload = await cacheOn({ caches, ...setup });
        assert.equal(sha(await reload.cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
        assert.deepEqual(reload.events, [], "nothing left to correct");
        if (storage !== "none") assert.equal(reload.cache.stats().downloads, 0, "served from storage");
      });
    }
  }
}

test("a wrong snapshot record is corrected and the snapshot no longer carries it", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = lfsFile(hub);
  const caches = new MemoryCacheStorage();
  const { cos } = stores();
  const first = await cacheOn({ caches, storage: cos.store.manager() });
  await first.cache.resolveHash(file.url);
  await first.cache.flush();
  // Rewrite the snapshot so that it maps the file to a wrong hash, and drop the per-URL entry.
  const meta = await caches.open(OWN);
  for (const request of await meta.keys()) {
    const text = await (await meta.match(request)).text();
    if (text.includes(file.sha256)) await meta.put(request, new Response(text.replaceAll(file.sha256, WRONG)));
  }
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
  assert.deepEqual(events.map((e) => e.kind), ["record-corrected"]);
  await cache.flush();
  for (const request of await meta.keys()) {
    assert.ok(!(await (await meta.match(request)).text()).includes(WRONG), `${request.url} no longer has the wrong hash`);
  }
});

test("a record for another host's URL is corrected from the content itself", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const url = hub.model.wasm.url;
  const caches = new MemoryCacheStorage();
  await plant.own(caches, url);
  const { cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal(sha(await cache.fetchWithCache(url, "arraybuffer")), hub.model.wasm.sha256);
  assert.deepEqual(events.map((e) => e.kind), ["record-corrected"]);
  assert.equal(await storedValue(caches, OWN, url), hub.model.wasm.sha256);
});

test("a hint that disagrees with the bytes stays a hard error (the caller said so)", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = lfsFile(hub);
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), hints: { [file.url]: WRONG } });
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), new RegExp(WRONG));
  assert.ok(!events.some((e) => e.kind === "record-corrected"));
  assert.equal(cos.store.entries().length, 0);
});

test("bytes that disagree with the authority itself are refused: nothing stored, the record kept", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = lfsFile(hub);
  const { caches, cos } = stores();
  hub.setFault((info) => info.kind === "resolve" && info.path === file.path, { replaceBytes: Buffer.alloc(file.size, 7) });
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), new RegExp(file.sha256));
  assert.equal(cos.store.entries().length, 0);
  assert.equal((await cache.resolveHash(file.url)).value, file.sha256, "the hub's hash stands");
  assert.ok(!events.some((e) => e.kind === "record-corrected"), "the hub's own hash is not a cache to correct");
  assert.ok(hub.countFor(file.path).resolve <= 2, "asked the hub again at most once");
});

for (const [kind, fileOf] of [["an LFS file", lfsFile], ["a plain file", plainFile]]) {
  test(`a persisted record planted as a "hint" for ${kind} is ignored and reported: the bytes load, the record is rewritten`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    const file = fileOf(hub);
    const caches = new MemoryCacheStorage();
    const { cos } = stores();
    // A hint is the caller's verdict: were it taken from the store, no download could correct it.
    await (await caches.open(OWN)).put(file.url, new Response(JSON.stringify({ algorithm: "SHA-256", value: WRONG, source: "hint", storedAt: Date.now() })));
    const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
    assert.equal(sha(await cache.fetchWithCache(file.url, "arraybuffer")), file.sha256);
    assert.deepEqual(events.map((event) => event.kind), ["persisted-record-invalid"]);
    assert.match(events[0].message, /hints are never persisted/);
    await cache.flush();
    const persisted = JSON.parse(await (await (await caches.open(OWN)).match(file.url)).text());
    assert.equal(persisted.value, file.sha256);
    assert.notEqual(persisted.source, "hint");
  });
}

for (const storage of ["cos", "fallback"]) {
  test(`a persisted record swapped to another stored file's hash (${storage}): its size refutes it, the right file loads`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    const shard = lfsFile(hub);
    const tokenizer = hub.model.files.find((f) => f.path === "tokenizer.json");
    const caches = new MemoryCacheStorage();
    const { cos } = stores();
    const options = { caches, storage: storage === "cos" ? cos.store.manager() : undefined };
    const first = await cacheOn(options);
    await first.cache.addToCache(tokenizer.url);
    await first.cache.flush();
    // The shard's commit URL (never revalidated by age) now names tokenizer.json's stored bytes.
    await (await caches.open(OWN)).put(shard.commitUrl, new Response(JSON.stringify(
      { algorithm: "SHA-256", value: tokenizer.sha256, size: shard.size, source: "batch", storedAt: Date.now() })));
    const { cache, events } = await cacheOn(options);
    // Before: tokenizer.json's bytes were served for the shard, with no event.
    assert.equal(sha(await cache.fetchWithCache(shard.commitUrl, "arraybuffer")), shard.sha256);
    assert.ok(events.some((event) => event.kind === "record-corrected"), events.map((event) => event.kind).join());
    await cache.flush();
    assert.equal(JSON.parse(await (await (await caches.open(OWN)).match(shard.commitUrl)).text()).value, shard.sha256);
    assert.equal(cache.stats().bytesFromStorage, 0, "the other file's bytes were not counted as served");
  });
}

test("a plain file whose content reads as an LFS pointer, resolved by /raw/: loads, reported once, and loads again from storage", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const text = `version https://git-lfs.github.com/spec/v1\noid sha256:${"ab".repeat(32)}\nsize 1234\n`;
  hub.addRepo({ id: "test-org/lookalike", files: [{ path: "model.bin", bytes: text, lfs: false }] });
  const url = `${hub.url}/test-org/lookalike/resolve/main/model.bin`;
  const caches = new MemoryCacheStorage();
  const { cos } = stores();
  // batch: false, as when the hub has neither a listing nor paths-info: the pointer at /raw/ answers.
  const first = await cacheOn({ caches, storage: cos.store.manager(), batch: false });
  // Before: refused (expected abab…), and the pointer's hash persisted for good.
  assert.equal(sha(await first.cache.fetchWithCache(url, "arraybuffer")), sha(text));
  assert.deepEqual(first.events.map((event) => event.kind), ["record-corrected"]);
  await first.cache.flush();
  hub.resetCounters();
  const second = await cacheOn({ caches, storage: cos.store.manager(), batch: false });
  assert.equal(sha(await second.cache.fetchWithCache(url, "arraybuffer")), sha(text));
  assert.deepEqual(second.events, []);
  assert.equal(hub.counters.resolve, 0, "from storage, under its content's hash");
});

// For another host the bytes are the authority: a record learned from earlier bytes is replaced by
// later ones, never a reason to refuse them.
test("another host's file that changed during the session: the next download learns it, reported once", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const url = hub.model.wasm.url;
  const { cache, events } = await cacheOn({ caches: new MemoryCacheStorage(), fallback: false });
  assert.equal(sha(await cache.fetchWithCache(url, "arraybuffer")), hub.model.wasm.sha256);
  const changed = Buffer.from("the model library, rebuilt");
  hub.setFault((info) => info.kind === "wasm", { replaceBytes: changed });
  assert.equal(sha(await cache.fetchWithCache(url, "arraybuffer")), sha(changed));
  assert.deepEqual(events.map((e) => e.kind), ["record-corrected"]);
  assert.equal((await cache.resolveHash(url)).value, sha(changed));
});

test("put() of new bytes for another host's URL replaces its record, in the session and after a reload", async () => {
  const caches = new MemoryCacheStorage();
  const url = "https://models.example/v1/weights.bin";
  const first = await cacheOn({ caches });
  await first.cache.put(url, new Response("old version"));
  await first.cache.put(url, new Response("new version"));
  assert.equal(await (await first.cache.match(url)).text(), "new version");
  await first.cache.flush();
  const reload = await cacheOn({ caches });
  assert.equal(await (await reload.cache.match(url)).text(), "new version");
  await reload.cache.put(url, new Response("newer version"));
  assert.equal(await (await reload.cache.match(url)).text(), "newer version");
  assert.deepEqual([...first.events, ...reload.events], []);
});

test("a put() of other bytes landing while another host's download is in flight: both complete, the last one stands", async () => {
  const slowBody = (text, parts) => new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (parts-- > 0) controller.enqueue(new TextEncoder().encode(text));
      else controller.close();
    },
  });
  const { cache, events } = await cacheOn({ caches: new MemoryCacheStorage(), fetch: async () => new Response(slowBody("S", 10)) });
  const url = "https://models.example/v1/w.bin";
  const loading = cache.fetchWithCache(url).then((response) => response.text());
  await new Promise((resolve) => setTimeout(resolve, 50));
  await cache.put(url, new Response("PUT-BYTES"));
  assert.equal(await loading, "S".repeat(10));
  assert.equal(await (await cache.match(url)).text(), "S".repeat(10));
  assert.deepEqual(events, []);
});

test("a put() of a file's new bytes after its branch moved: refused once, then the hub is asked again and the next put stores them", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const repo = hub.addRepo({ id: "org/moved", files: [
    { path: "config.json", bytes: '{"a":1}' },
    { path: "onnx/model.onnx", bytes: Buffer.alloc(4096, 1), lfs: true },
  ] });
  const url = repo.files.find((f) => f.path === "onnx/model.onnx").url;
  const { caches, cos } = stores();
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager() });
  // transformers.js's flow: match() (a miss, which lists the revision), fetch, put().
  assert.equal(await cache.match(repo.files[0].url), undefined);
  hub.commit("org/moved", { "onnx/model.onnx": { bytes: Buffer.alloc(4096, 2), lfs: true } });
  assert.equal(await cache.match(url), undefined);
  await assert.rejects(cache.put(url, await fetch(url)), /the next load asks again/);
  // Its next from_pretrained: match, fetch, put.
  assert.equal(await cache.match(url), undefined);
  const fresh = Buffer.from(await (await fetch(url)).arrayBuffer());
  await cache.put(url, new Response(fresh));
  const served = await cache.match(url);
  assert.ok(served, "stored");
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), fresh);
  assert.ok(events.some((e) => e.kind === "record-corrected"), "the fresh answer corrected the old one");
});
