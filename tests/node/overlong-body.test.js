// A body that runs past the size recorded with its hash (a hostile hub, a body compressed into a
// bomb, a file that grew since its record was kept) is read no further than one byte past that
// size: it is refused, or refutes a cached record, without being held in memory or written into
// storage to its end, which for a body that never ends would be never. A file not in LFS, whose
// hash comes from its bytes, is bounded the same way by the size the hub named for it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";

import { STORAGES, cacheOn, fallbackEntries, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const MiB = 1024 * 1024;
const REPO = "test-org/test-model";
const HOSTILE = 128 * MiB;
// What may be read past the limit: the rest of the chunk that crossed it (the hub sends 64 KiB).
const SLACK = MiB;
const lfsFile = (hub) => hub.model.files.find((file) => file.lfs);

const BODIES = {
  "an endless body (no Content-Length)": { replaceBytes: Buffer.alloc(HOSTILE, 7), headers: { "Content-Length": null } },
  "a gzip bomb (its Content-Length the compressed size)": { replaceBytes: gzipSync(Buffer.alloc(HOSTILE, 7)), headers: { "Content-Encoding": "gzip" } },
};

for (const [storageName, setup] of Object.entries(STORAGES)) {
  for (const [bodyName, fault] of Object.entries(BODIES)) {
    test(`${storageName}, ${bodyName} for a 1 MiB file: refused after at most its size and a chunk, nothing kept`, async (t) => {
      const hub = await hubFor(t, { shards: 1, shardSize: MiB });
      const shard = lfsFile(hub);
      hub.setFault((req) => req.kind === "resolve", fault);
      const made = stores();
      const { cache, events } = await cacheOn(setup(made));
      await assert.rejects(cache.fetchWithCache(shard.url, "arraybuffer"), (error) => {
        assert.match(error.message, new RegExp(`runs past the ${shard.size} bytes recorded with ${shard.sha256} \\(batch\\): cut off at ${shard.size + 1} bytes`));
        assert.doesNotMatch(error.message, /has SHA-256/, "not judged by the hash of a part");
        return true;
      });
      const stats = cache.stats();
      assert.ok(stats.bytesDownloaded > shard.size && stats.bytesDownloaded <= shard.size + SLACK,
        `read ${stats.bytesDownloaded} bytes of a ${HOSTILE}-byte body`);
      assert.equal(stats.downloads, 1, "bytes that are not the file are not asked for again");
      assert.equal(stats.stored, 0);
      assert.equal(made.cos.store.entries().length, 0);
      assert.equal(await fallbackEntries(made.caches), 0);
      assert.deepEqual(events.map((event) => event.kind), ["cos-hash-mismatch"]);
    });
  }
}

test("a file that grew since its record was persisted: the record is refuted at its size, the new file loads", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: MiB });
  const shard = lfsFile(hub);
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal((await cache.resolveHash(shard.url)).value, shard.sha256);
  await cache.flush();

  // A new commit on main makes the shard 8 MiB; the persisted record still says 1 MiB.
  const grown = Buffer.alloc(8 * MiB, 3);
  hub.commit(REPO, { [shard.path]: { bytes: grown, lfs: true } });
  const { cache: reloaded, events } = await cacheOn({ caches, storage: cos.store.manager() });
  assert.equal(sha(await reloaded.fetchWithCache(shard.url, "arraybuffer")), sha(grown));
  const stats = reloaded.stats();
  assert.equal(stats.downloads, 2, "the refuted record's download, then the new file's");
  assert.ok(stats.bytesDownloaded <= shard.size + SLACK + grown.length,
    `the first download stopped at the old size: ${stats.bytesDownloaded} bytes read in all`);
  assert.deepEqual(cos.store.entries().map((entry) => entry.hash), [sha(grown)]);
  assert.ok(events.some((event) => event.kind === "record-corrected"), "the correction is reported");
});

// A few KiB of brotli for many MiB of bytes (as a hostile server would send GiBs).
const brotliBomb = (size) => brotliCompressSync(Buffer.alloc(size, 7), {
  params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4, [zlibConstants.BROTLI_PARAM_LGWIN]: 24 },
});

const ENCODED = {
  gzip: () => gzipSync(Buffer.alloc(HOSTILE, 7)),
  "br, gzip": () => gzipSync(brotliBomb(HOSTILE)),
};
for (const [encoding, bomb] of Object.entries(ENCODED)) {
  test(`the fallback store, a ${encoding} bomb whose encoded size is the recorded size: streamed, not read whole, refused after its size and a chunk`, async (t) => {
    // Its Content-Length is the recorded size, but counts encoded bytes: read whole
    // (response.blob()), all of it would be decoded and held before its size was judged.
    const body = bomb();
    const hub = await hubFor(t, { shards: 1, shardSize: body.length });
    const shard = lfsFile(hub);
    hub.setFault((req) => req.kind === "resolve", { replaceBytes: body, headers: { "Content-Encoding": encoding } });
    const { caches } = stores();
    const { cache, events } = await cacheOn({ caches });
    await assert.rejects(cache.fetchWithCache(shard.url, "arraybuffer"),
      new RegExp(`runs past the ${shard.size} bytes recorded with ${shard.sha256} \\(batch\\): cut off at ${shard.size + 1} bytes`));
    const stats = cache.stats();
    assert.ok(stats.bytesDownloaded > shard.size && stats.bytesDownloaded <= shard.size + SLACK,
      `read ${stats.bytesDownloaded} bytes of a body decoding to ${HOSTILE}`);
    assert.equal(stats.stored, 0);
    assert.equal(await fallbackEntries(caches), 0);
    assert.deepEqual(events.map((event) => event.kind), ["cos-hash-mismatch"]);
  });
}

// A hub file not in LFS (a config), whose hash comes from its bytes: the hub named its size.
const plainFile = (hub) => hub.model.files.find((file) => !file.lfs && file.path === "mlc-chat-config.json");
const PLAIN_BODIES = {
  "an endless body (no Content-Length)": () => ({ replaceBytes: Buffer.alloc(HOSTILE, 7), headers: { "Content-Length": null } }),
  "a brotli bomb (its Content-Length the compressed size)": () => ({ replaceBytes: brotliBomb(HOSTILE), headers: { "Content-Encoding": "br" } }),
};
// Where the hub named the size: what the message calls it, the cache's options, the request counted.
const SIZE_SOURCES = {
  listing: { options: {}, counter: "tree" },
  "paths-info answer": { options: { listRepos: false }, counter: "pathsInfo" },
  "/raw/ answer": { options: { batch: false }, counter: "raw" },
};

async function refusedPastNamedSize(t, setup, fault, source) {
  const hub = await hubFor(t, { shards: 1, shardSize: MiB });
  const plain = plainFile(hub);
  hub.setFault((req) => req.kind === "resolve" && req.path === plain.path, fault);
  const made = stores();
  const { cache, events } = await cacheOn({ ...setup(made), ...SIZE_SOURCES[source].options });
  await assert.rejects(cache.fetchWithCache(plain.url, "arraybuffer"),
    new RegExp(`runs past the ${plain.size} bytes the ${source} named for it: cut off at ${plain.size + 1} bytes`));
  const stats = cache.stats();
  // The answer may be older than the file: asked for again once, and the file downloaded again.
  assert.equal(stats.downloads, 2);
  assert.equal(hub.counters[SIZE_SOURCES[source].counter], 2);
  assert.ok(stats.bytesDownloaded <= 2 * (plain.size + SLACK), `read ${stats.bytesDownloaded} bytes of two ${HOSTILE}-byte bodies`);
  assert.equal(stats.stored, 0);
  assert.equal(made.cos.store.entries().length, 0);
  assert.equal(await fallbackEntries(made.caches), 0);
  assert.deepEqual(events.map((event) => event.kind), ["cos-hash-mismatch"]);
  assert.equal(await cache.resolveHash(plain.url), null, "nothing learned from them");
}

for (const [storageName, setup] of Object.entries(STORAGES)) {
  for (const [bodyName, fault] of Object.entries(PLAIN_BODIES)) {
    test(`${storageName}, ${bodyName} for a plain file the listing sized: refused after at most its size and a chunk, each time`, async (t) => {
      await refusedPastNamedSize(t, setup, fault(), "listing");
    });
  }
}

for (const source of ["paths-info answer", "/raw/ answer"]) {
  test(`the size a ${source} named bounds a plain file's endless body as the listing's does`, async (t) => {
    await refusedPastNamedSize(t, STORAGES["Cross-Origin Storage"], PLAIN_BODIES["an endless body (no Content-Length)"](), source);
  });
}
