// A hub file not in Git LFS (tokenizer.json, configs) has no SHA-256 before its bytes arrive, so
// its hash is learned from them. The hub names its git blob id, in the listing and in the ETag of
// its download: bytes that are not that blob (a body tampered with on the way that keeps the real
// ETag, a put() of other bytes) are refused, and nothing of them is stored or recorded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";

import { STORAGES, cacheOn, fallbackEntries, hubFor, stores } from "../support/cache-setup.js";
import { loadTestCore } from "../support/test-core.js";
import { gitBlobDigest } from "../../js/sha256.js";

// tokenizer.json as the hub serves it, with its bytes and git blob id (read before any fault).
async function plainFile(hub) {
  const file = hub.model.files.find((candidate) => candidate.path === "tokenizer.json");
  assert.equal(file.lfs, false);
  const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
  return { ...file, bytes, oid: gitBlobId(bytes) };
}

function gitBlobId(bytes, algorithm = "sha1") {
  return createHash(algorithm).update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

// The file's bytes with one byte changed: same size, another blob.
function tampered(file) {
  const bytes = Buffer.from(file.bytes);  // a copy
  bytes[bytes.length >> 1] ^= 0xff;
  return bytes;
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

for (const [storageName, setup] of Object.entries(STORAGES)) {
  test(`${storageName}: a plain file's body tampered with under its real ETag is refused at once, nothing kept`, async (t) => {
    const hub = await hubFor(t, { shards: 1 });
    const file = await plainFile(hub);
    const bad = tampered(file);
    hub.setFault((req) => req.kind === "resolve" && req.path === file.path, { replaceBytes: bad });
    const made = stores();
    const { cache, events } = await cacheOn(setup(made));
    await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), (error) => {
      assert.equal(error.message, `cross-origin-cache: content of ${file.url} has git blob id ${gitBlobId(bad)}, expected ${file.oid} (the ETag)`);
      return true;
    });
    assert.deepEqual(events.map((event) => event.kind), ["cos-hash-mismatch"]);
    assert.equal(cache.stats().downloads, 1, "a response that contradicts itself is not asked for again");
    assert.equal(cache.stats().stored, 0);
    assert.equal(made.cos.store.entries().length, 0);
    assert.equal(await fallbackEntries(made.caches), 0);

    // The hub's real bytes load next time, and are kept.
    hub.clearFaults();
    const bytes = Buffer.from(await cache.fetchWithCache(file.url, "arraybuffer"));
    assert.ok(bytes.equals(file.bytes));
    if (storageName !== "no storage (held in memory)") assert.equal(cache.stats().stored, 1);
  });
}

test("no listing, no paths-info, no /raw/: the ETag alone names the blob; nothing of a tampered body is persisted", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = await plainFile(hub);
  const bad = tampered(file);
  hub.setFault((req) => ["tree", "pathsInfo", "raw"].includes(req.kind), { status: 500, body: "down" });
  hub.setFault((req) => req.kind === "resolve" && req.path === file.path, { replaceBytes: bad });
  const made = stores();
  const { cache } = await cacheOn({ caches: made.caches });
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"),
    new RegExp(`has git blob id ${gitBlobId(bad)}, expected ${file.oid} \\(the ETag\\)`));
  assert.ok(hub.log.some((entry) => entry.kind === "raw"), "every source of the hash was asked and failed");
  cache.dispose();

  // A reload (a new cache on the same stores) has no record of the refused bytes to serve.
  hub.clearFaults();
  const { cache: reloaded } = await cacheOn({ caches: made.caches });
  assert.equal(await reloaded.match(file.url), undefined);
  const bytes = Buffer.from(await reloaded.fetchWithCache(file.url, "arraybuffer"));
  assert.ok(bytes.equals(file.bytes));
});

test("the branch moved after the listing was read: a body tampered with under its real ETag is still refused", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = await plainFile(hub);
  const bad = tampered(file);
  const made = stores();
  const { cache } = await cacheOn({ caches: made.caches });
  await cache.fetchWithCache(hub.model.files.find((f) => f.path === "mlc-chat-config.json").url, "json");  // lists main
  hub.commit("test-org/test-model", { "README.md": { bytes: Buffer.from("moved on") } });
  hub.setFault((req) => req.kind === "resolve" && req.path === file.path, { replaceBytes: bad });
  await assert.rejects(cache.fetchWithCache(file.url, "arraybuffer"), /\(the ETag\)/);
  assert.equal(await cache.match(file.url), undefined);
});

test("a listing older than the file is asked for again once, and the file's new bytes load", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = await plainFile(hub);
  // Listings that do not say their commit, and downloads without an ETag: only the listing names the blob.
  hub.setFault((req) => req.kind === "tree", { headers: { "X-Repo-Commit": null } });
  hub.setFault((req) => req.kind === "resolve" && req.path === file.path, { headers: { ETag: null } });
  const made = stores();
  const { cache, events } = await cacheOn({ caches: made.caches });
  await cache.fetchWithCache(hub.model.files.find((f) => f.path === "mlc-chat-config.json").url, "json");  // lists main
  const changed = Buffer.from(JSON.stringify({ version: 2 }));
  hub.commit("test-org/test-model", { [file.path]: { bytes: changed } });
  const bytes = Buffer.from(await cache.fetchWithCache(file.url, "arraybuffer"));
  assert.ok(bytes.equals(changed));
  assert.equal(cache.stats().downloads, 3, "the config, then the file twice: the outdated listing was asked for again");
  assert.equal(hub.log.filter((entry) => entry.kind === "tree").length, 2);
  assert.deepEqual(events, []);
  assert.equal(sha256(Buffer.from(await (await cache.match(file.url)).arrayBuffer())), sha256(changed));
});

test("put() of bytes that are not the listed blob is refused, even with a made-up X-Repo-Commit; the file's own bytes are stored", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = await plainFile(hub);
  const made = stores();
  const { cache } = await cacheOn({ caches: made.caches });
  const bad = tampered(file);
  // The listing may be older than the caller's bytes: it is forgotten, and the put fails.
  await assert.rejects(cache.put(file.url, new Response(bad)),
    new RegExp(`content of ${file.url} is not the blob ${file.oid} the listing named; the listing is forgotten and asked for again: the next load asks again`));
  // Named again by a new listing: refused, whatever commit the caller's response claims.
  const forged = new Response(bad, { headers: { "X-Repo-Commit": "f".repeat(40) } });
  await assert.rejects(cache.put(file.url, forged), new RegExp(`has git blob id ${gitBlobId(bad)}, expected ${file.oid} \\(the listing\\)`));
  assert.equal(hub.log.filter((entry) => entry.kind === "tree").length, 2);
  assert.equal(await cache.match(file.url), undefined);
  assert.equal(await fallbackEntries(made.caches), 0);

  await cache.put(file.url, new Response(file.bytes));
  const stored = await cache.match(file.url);
  assert.ok(Buffer.from(await stored.arrayBuffer()).equals(file.bytes));
});

test("without listings, the /raw/ answer's ETag names the blob a put() must be", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const file = await plainFile(hub);
  const made = stores();
  const { cache } = await cacheOn({ caches: made.caches, batch: false });
  const bad = tampered(file);
  await assert.rejects(cache.put(file.url, new Response(bad)), /the \/raw\/ answer named/);
  await assert.rejects(cache.put(file.url, new Response(bad)), /\(the \/raw\/ answer\)/);
  assert.equal(hub.log.filter((entry) => entry.kind === "tree" || entry.kind === "pathsInfo").length, 0);
  assert.equal(await cache.match(file.url), undefined);
  await cache.put(file.url, new Response(file.bytes));
  assert.ok(Buffer.from(await (await cache.match(file.url)).arrayBuffer()).equals(file.bytes));
});

test("a planted record mapping a plain file to another stored file of its size is refuted by the blob it names", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const target = await plainFile(hub);
  const other = hub.model.files.find((f) => f.path === "tokenizer_config.json");
  const made = stores();
  const { cache } = await cacheOn({ caches: made.caches });
  await cache.fetchWithCache(other.url, "arraybuffer");  // stored for its own URL
  const [stored] = await cache.resolveHashDetails([other.url]);
  await cache.flush();
  cache.dispose();

  // Other code of the origin writes a record for tokenizer.json: the stored file's hash and size,
  // and tokenizer.json's real blob id (so a listing would confirm it), in the entry and the snapshot.
  const records = await made.caches.open("cross-origin-cache-cos-hash-meta");
  const planted = { algorithm: "SHA-256", value: stored.value, size: stored.size, source: "content", commit: stored.commit, blob: target.oid, storedAt: Date.now() };
  await records.put(target.url, new Response(JSON.stringify(planted)));
  const snapshotKey = "https://cross-origin-cache.invalid/records/v1";
  const snapshot = JSON.parse(await (await records.match(snapshotKey)).text());
  snapshot.records.unshift([target.url, planted]);
  await records.put(snapshotKey, new Response(JSON.stringify(snapshot)));

  const { cache: reloaded, events } = await cacheOn({ caches: made.caches });
  const bytes = Buffer.from(await reloaded.fetchWithCache(target.url, "arraybuffer"));
  assert.ok(bytes.equals(target.bytes), "tokenizer.json's own bytes, not the planted record's file");
  assert.deepEqual(events.map((event) => event.kind), ["record-corrected"]);
  assert.match(events[0].message, new RegExp(`said SHA-256 ${stored.value}, which its bytes refuted`));
});

test("gitBlobDigest gives git's ids natively and through the core, in both object formats", async () => {
  const core = await loadTestCore();
  const cases = [Buffer.from("hello\n"), Buffer.alloc(0), randomBytes(3 * 1024 * 1024 + 17)];
  for (const bytes of cases) {
    for (const natively of [true, false]) {
      for (const format of ["sha1", "sha256"]) {
        assert.equal(await gitBlobDigest(core, new Blob([bytes]), format, { natively }), gitBlobId(bytes, format),
          `${bytes.length} bytes, ${format}, ${natively ? "WebCrypto" : "the core"}`);
      }
    }
  }
  assert.equal(await gitBlobDigest(core, new Blob(["hello\n"]), "sha1"), "ce013625030ba8dba906f756967f9e9ca394464a");
  // Past the core's whole-body size a file is never copied whole for WebCrypto: it streams.
  const digest = globalThis.crypto.subtle.digest;
  let nativeDigests = 0;
  globalThis.crypto.subtle.digest = (...args) => { nativeDigests++; return digest.apply(globalThis.crypto.subtle, args); };
  try {
    const large = cases[2];
    const small = Object.assign(Object.create(core), { wholeBodyMaxBytes: large.length - 1 });
    assert.equal(await gitBlobDigest(small, new Blob([large]), "sha1", { natively: true }), gitBlobId(large));
    assert.equal(nativeDigests, 0);
    assert.equal(await gitBlobDigest(core, new Blob([large]), "sha1", { natively: true }), gitBlobId(large));
    assert.equal(nativeDigests, 1);
  } finally {
    globalThis.crypto.subtle.digest = digest;
  }
  await assert.rejects(gitBlobDigest(core, new Blob(["x"]), "md5"), TypeError);
  const short = new core.GitBlob(7, "sha1");
  try {
    core.scratchView(6).set(Buffer.from("hello\n"));
    short.updateFromScratch(6);
    assert.throws(() => short.finishHex(), /6 bytes given for a blob of 7/);
  } finally {
    short.delete();
  }
  assert.throws(() => new core.GitBlob(1, "md5"), /sha1/);
});
