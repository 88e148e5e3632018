// createWllamaCacheManager in Node with the in-memory stand-ins: the paths of wllama's
// CacheManager interface the browser test (tests/browser/wllama.test.js, wllama's own
// ModelManager) does not take: write(), headers for a gated repo, abort, no storage, the fallback
// store's delete, the in-memory index, and argument checks; and wllama's own ModelManager (its ESM
// build runs in Node) where secrets in its URLs matter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import { ModelManager } from "@wllama/wllama/esm/index.js";

import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { createWllamaCacheManager, wllamaNameFromURL } from "../../js/index.js";
import { sha256Hex as sha } from "../support/test-data.js";

const sha1Name = (url) => `${createHash("sha1").update(url).digest("hex")}_${url.split("/").pop()}`;
const gguf = (label, size) => {
  const bytes = Buffer.alloc(size, label);
  bytes.write("GGUF", 0, "latin1");
  return bytes;
};

async function setup(t, { gated, storage = "cos", files } = {}) {
  const hub = await hubFor(t, { shards: 0 });
  const repo = hub.addRepo({
    id: "org/gguf",
    authorization: gated,
    files: files ?? [
      { path: "m-00001-of-00002.gguf", bytes: gguf("a", 5000), lfs: true },
      { path: "m-00002-of-00002.gguf", bytes: gguf("b", 3000), lfs: true },
    ],
  });
  const { caches, cos } = stores();
  const make = () => cacheOn({ caches, storage: storage === "cos" ? cos.store.manager() : null, fallback: storage === "fallback" });
  const { cache, events } = await make();
  return { hub, repo, caches, cos, cache, events, make, manager: createWllamaCacheManager(cache, { caches }) };
}

test("names are wllama's own: ${sha1(url)}_${fileName}", async () => {
  const url = "https://huggingface.co/org/m/resolve/main/dir/model-Q4_K_M.gguf";
  assert.equal(await wllamaNameFromURL(url), sha1Name(url));
});

test("download, then list/getSize/getMetadata/open; a second download makes no request", async (t) => {
  const { hub, repo, manager, cache, events } = await setup(t);
  const [a, b] = repo.files;
  await manager.download(a.url, { metadataAdditional: { mmprojURL: undefined, extra: 1 } });
  let progress;
  await manager.download(b.url, { progressCallback: (p) => { progress = p; } });
  assert.deepEqual(progress, { loaded: b.size, total: b.size });
  assert.equal(hub.counters.tree, 1);
  assert.equal(hub.counters.resolve, 2);

  const listed = (await manager.list()).sort((x, y) => x.metadata.originalURL.localeCompare(y.metadata.originalURL));
  assert.deepEqual(listed.map((e) => e.name), [sha1Name(a.url), sha1Name(b.url)]);
  assert.deepEqual(listed.map((e) => e.size), [a.size, b.size]);
  assert.deepEqual(listed[0].metadata, { originalURL: a.url, originalSize: a.size, etag: a.sha256, sha256: a.sha256, extra: 1 });
  assert.equal(await manager.getSize(sha1Name(b.url)), b.size);
  assert.equal((await manager.getMetadata(sha1Name(b.url))).sha256, b.sha256);
  const blob = await manager.open(b.url);
  assert.equal(sha(Buffer.from(await blob.arrayBuffer())), b.sha256);

  hub.resetCounters();
  await manager.download(a.url);
  assert.equal(hub.counters.requests, 0, "known and stored: no request");
  assert.equal(cache.stats().downloads, 2);
  assert.deepEqual(events, []);
});

test("write() (wllama's deprecated path) stores a stream as the bytes of metadata.originalURL", async (t) => {
  const { hub, repo, manager, events } = await setup(t);
  const [a] = repo.files;
  const body = gguf("a", 5000);
  await manager.write("my-name", new Blob([body]).stream(), { originalURL: a.url, originalSize: a.size, etag: "e" });
  assert.equal(hub.counters.resolve, 0, "the caller's bytes, not downloaded");
  assert.deepEqual((await manager.list()).map((e) => [e.name, e.size]), [["my-name", a.size]]);
  assert.equal(sha(Buffer.from(await (await manager.open("my-name")).arrayBuffer())), a.sha256);
  await assert.rejects(manager.write("x", new Blob(["GGUF"]).stream(), { originalURL: "", originalSize: 4, etag: "" }), TypeError);
  assert.deepEqual(events, []);
});

test("headers go with the cache's requests (gated repo); without them the download fails and nothing is listed", async (t) => {
  const token = "Bearer hf_wllama_secret";
  const { hub, repo, manager } = await setup(t, { gated: token });
  const [a] = repo.files;
  await assert.rejects(manager.download(a.url));
  assert.deepEqual(await manager.list(), []);
  hub.resetCounters();
  await manager.download(a.url, { headers: { Authorization: token } });
  assert.ok(hub.log.length > 0 && hub.log.every((e) => e.authorization === token), "every hub request carried the token");
  const [entry] = await manager.list();
  assert.equal(entry.metadata.sha256, a.sha256);
  assert.equal(entry.metadata.originalURL, a.url);
});

test("an aborted download rejects and leaves nothing listed", async (t) => {
  const { repo, manager } = await setup(t);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(manager.download(repo.files[0].url, { signal: controller.signal }), { name: "AbortError" });
  assert.deepEqual(await manager.list(), []);
  assert.equal(await manager.getSize(repo.files[0].url), -1);
});

test("no storage at all: download says the file is not in storage and lists nothing", async (t) => {
  const { repo, manager } = await setup(t, { storage: "none" });
  await assert.rejects(manager.download(repo.files[0].url), /not in storage/);
  assert.deepEqual(await manager.list(), []);
});

test("fallback store: delete removes the bytes too, so the next download fetches them again", async (t) => {
  const { hub, repo, manager, make, caches } = await setup(t, { storage: "fallback" });
  const [a, b] = repo.files;
  await manager.download(a.url);
  await manager.download(b.url);
  await manager.delete(sha1Name(a.url));
  assert.deepEqual((await manager.list()).map((e) => e.metadata.originalURL), [b.url]);

  // A reload: a new cache and manager on the same stores.
  const { cache } = await make();
  const reloaded = createWllamaCacheManager(cache, { caches });
  assert.equal(await reloaded.getSize(sha1Name(a.url)), -1);
  assert.equal(await reloaded.getSize(sha1Name(b.url)), b.size);
  hub.resetCounters();
  await reloaded.download(a.url);
  assert.equal(hub.log.filter((e) => e.kind === "resolve" && e.path === a.path).length, 1, "downloaded again");
  await reloaded.clear();
  assert.deepEqual(await reloaded.list(), []);
  assert.deepEqual(await manager.list(), [], "one index per scope");
});

test("without a CacheStorage the index lives in memory; bad arguments are refused", async (t) => {
  const { repo, cache } = await setup(t);
  assert.equal(typeof globalThis.caches, "undefined");
  const manager = createWllamaCacheManager(cache);
  await manager.download(repo.files[0].url);
  assert.equal((await manager.list()).length, 1);
  assert.deepEqual(await createWllamaCacheManager(cache).list(), [], "another manager has its own memory");
  assert.throws(() => createWllamaCacheManager({}), TypeError);
  assert.throws(() => createWllamaCacheManager(cache, 5), TypeError);
});

test("a URL with a token: its name and errors carry no query, its entry is never persisted, list() and getMetadata() give it whole for the session", async (t) => {
  const SECRET = "hf_wllama_query_secret";
  const { repo, caches, manager, make } = await setup(t);
  const [a] = repo.files;
  const url = `${a.url}?token=${SECRET}`;
  const name = await wllamaNameFromURL(url);
  assert.match(name, /_m-00001-of-00002\.gguf$/, "the file name without its query");
  await manager.download(url);
  // Before: the index's key and metadata.originalURL held the token, in the Cache API.
  const index = await caches.open("cross-origin-cache-wllama-index");
  assert.deepEqual(await index.keys(), [], "nothing persisted for a URL with credentials");
  const listed = await manager.list();
  assert.deepEqual(listed.map((entry) => entry.name), [name]);
  assert.equal(listed[0].size, a.size);
  // wllama wrote it and finds its files by it: given back as written (memory only, this object).
  assert.equal(listed[0].metadata.originalURL, url);
  assert.equal((await manager.getMetadata(name)).originalURL, url);
  assert.equal(sha(Buffer.from(await (await manager.open(name)).arrayBuffer())), a.sha256, "the session still opens it");
  // A new manager (a reload) does not know it, as the cache keeps no record of such a URL.
  const { cache: reloaded } = await make();
  assert.deepEqual(await createWllamaCacheManager(reloaded, { caches }).list(), []);

  const { manager: unstored } = await setup(t, { storage: "none" });
  await assert.rejects(unstored.download(url), (error) => !error.message.includes(SECRET) && /m-00001-of-00002\.gguf was downloaded/.test(error.message));
});

// The Cache API index as stored: [name, text] of every entry (what a reload, or anyone with the
// profile, reads).
async function persistedIndex(caches) {
  const index = await caches.open("cross-origin-cache-wllama-index");
  return Promise.all((await index.keys()).map(async (key) => [key.url, await (await index.match(key)).text()]));
}

const quietLogger = { debug() {}, log() {}, info() {}, warn() {}, error() {} };

test("wllama's ModelManager downloads a ?token= URL (loadModelFromHF({hfToken})): list() gives wllama its URL whole, nothing with the token is persisted or reported", async (t) => {
  const SECRET = "hf_wllama_mm_secret";
  const { hub, repo, caches, cache, events, make } = await setup(t, { files: [{ path: "m.gguf", bytes: gguf("a", 5000), lfs: true }] });
  const [a] = repo.files;
  const url = `${a.url}?token=${SECRET}`;
  const cacheManager = createWllamaCacheManager(cache, { caches });
  const models = new ModelManager({ cacheManager, logger: quietLogger });

  // Before: rejected with wllama's "Model file not found: …?token=…" (list() gave `?token=***`).
  const model = await models.downloadModel(url);
  assert.equal(model.validate(), "valid");
  assert.equal(sha(Buffer.from(await (await model.open())[0].arrayBuffer())), a.sha256);
  assert.deepEqual((await models.getModels()).map((m) => m.url), [url]);

  // A second ModelManager (a page's next load in the same session) finds it without a download,
  // and never asks for a redacted URL.
  hub.resetCounters();
  const again = await new ModelManager({ cacheManager, logger: quietLogger }).getModels();
  assert.deepEqual(again.map((m) => [m.url, m.validate()]), [[url, "valid"]]);
  await again[0].refresh();
  // (wllama's own getTotalDownloadSize() sends a HEAD per file; the bytes are not asked for.)
  assert.deepEqual(hub.log.filter((e) => e.method !== "HEAD"), [], "refresh() downloaded nothing");
  assert.ok(hub.log.every((e) => !e.url.includes("***")), JSON.stringify(hub.log));

  assert.deepEqual(await persistedIndex(caches), [], "nothing persisted");
  assert.ok(!JSON.stringify(events).includes(SECRET));
  assert.ok(!JSON.stringify(cache.stats()).includes(SECRET));
  // A reload does not know it.
  const { cache: reloaded } = await make();
  assert.deepEqual(await new ModelManager({ cacheManager: createWllamaCacheManager(reloaded, { caches }), logger: quietLogger }).getModels(), []);
});

test("an entry is kept in memory only when any string of its metadata carries a secret (mmprojURL, metadataAdditional, nested), not only originalURL", async (t) => {
  const { repo, caches, cache, make } = await setup(t, {
    files: [{ path: "m.gguf", bytes: gguf("a", 5000), lfs: true }, { path: "mmproj.gguf", bytes: gguf("p", 3000), lfs: true }],
  });
  const [a, p] = repo.files;
  const cacheManager = createWllamaCacheManager(cache, { caches });

  // A model URL without credentials, its mmproj with them (wllama puts mmprojURL in the
  // metadataAdditional of each file); or any other string the core would redact, at any depth.
  // Before: the entry was persisted, secret included.
  const cases = [
    { mmprojURL: "https://huggingface.co/o/r/resolve/main/mmproj.gguf?token=hf_PERSISTED_a" },
    { note: "mirror: https://bucket.s3.amazonaws.com/m.gguf?X-Amz-Signature=PERSISTEDb" },
    { sources: [{ href: "https://user:PERSISTEDc@example.com/m.gguf" }] },
    { other: "https://example.com/m.gguf?access_token" },
  ];
  for (const metadataAdditional of cases) {
    await cacheManager.download(a.url, { metadataAdditional });
    assert.deepEqual(await persistedIndex(caches), [], JSON.stringify(metadataAdditional));
  }
  await cacheManager.clear();

  // wllama's own ModelManager on that path: every file listed with its mmprojURL whole (wllama
  // loads the mmproj by it), in this session only.
  const mmprojUrl = `${p.url}?token=hf_PERSISTED_mmproj`;
  const model = await new ModelManager({ cacheManager, logger: quietLogger }).downloadModel({ url: a.url, mmprojUrl });
  assert.equal(model.validate(), "valid");
  assert.deepEqual(await persistedIndex(caches), []);
  assert.deepEqual((await cacheManager.list()).map((e) => e.metadata.mmprojURL), [mmprojUrl, mmprojUrl]);
  await cacheManager.clear();
  // Without one, it is persisted; a secret coming later moves it to memory, and back.
  const name = await wllamaNameFromURL(a.url);
  await cacheManager.download(a.url, { metadataAdditional: { mmprojURL: p.url, note: "plain" } });
  assert.equal((await persistedIndex(caches)).length, 1);
  await cacheManager.writeMetadata(name, { ...(await cacheManager.getMetadata(name)), mmprojURL: `${p.url}?sig=PERSISTEDd` });
  assert.deepEqual(await persistedIndex(caches), []);
  assert.equal((await cacheManager.getMetadata(name)).mmprojURL, `${p.url}?sig=PERSISTEDd`);
  assert.ok(!JSON.stringify(await persistedIndex(caches)).includes("PERSISTED"));

  // An entry an earlier version persisted with a secret in mmprojURL: read once, it moves to
  // memory and leaves the store.
  const { cache: reloaded } = await make();
  const index = await caches.open("cross-origin-cache-wllama-index");
  await index.put(`https://wllama-index.invalid/${encodeURIComponent(name)}`, new Response(JSON.stringify({ originalURL: a.url, originalSize: a.size, etag: "", mmprojURL: mmprojUrl })));
  const later = createWllamaCacheManager(reloaded, { caches });
  assert.deepEqual((await later.list()).map((e) => [e.name, e.metadata.mmprojURL]), [[name, mmprojUrl]]);
  assert.deepEqual(await persistedIndex(caches), []);
  assert.equal((await later.getMetadata(name)).mmprojURL, mmprojUrl, "still this object's, in memory");
});

test("index keys: every name is its own (\".\", \"..\", \"\", a lone surrogate), across a reload, and delete removes exactly it; other names keep their key", async (t) => {
  const { repo, caches, cache, make } = await setup(t);
  const [a, b] = repo.files;
  const manager = createWllamaCacheManager(cache, { caches });
  const names = [".", "..", "", "a/../b", "%2e", "x?y#z", "plain_m.gguf", "\uD800"];
  const write = (name, i) => manager.writeMetadata(name, { originalURL: i % 2 ? a.url : b.url, originalSize: i, etag: "" });
  await write(".", 0);
  await write("..", 1);
  // Before: both keyed "https://wllama-index.invalid/" (dot segments removed), so one hid the other.
  assert.deepEqual([(await manager.getMetadata(".")).originalSize, (await manager.getMetadata("..")).originalSize], [0, 1]);
  for (const [i, name] of names.entries()) await write(name, i);
  const byName = async (m) => Object.fromEntries((await m.list()).map((e) => [e.name, e.metadata.originalSize]));
  const expected = Object.fromEntries(names.map((name, i) => [name, i]));
  assert.deepEqual(await byName(manager), expected);
  for (const [i, name] of names.entries()) assert.equal((await manager.getMetadata(name)).originalSize, i, JSON.stringify(name));

  const { cache: reloaded } = await make();
  const later = createWllamaCacheManager(reloaded, { caches });
  assert.deepEqual(await byName(later), expected, "persisted apart");
  await later.delete("..");
  assert.equal(await later.getMetadata(".."), null);
  delete expected[".."];
  assert.deepEqual(await byName(later), expected, "only \"..\" deleted");

  // A name that is not a dot segment keeps the key earlier versions wrote, so their entries are read.
  const index = await caches.open("cross-origin-cache-wllama-index");
  assert.ok(await index.match(`https://wllama-index.invalid/${encodeURIComponent("plain_m.gguf")}`));
  await index.put(`https://wllama-index.invalid/${encodeURIComponent("old name.gguf")}`, new Response(JSON.stringify({ originalURL: b.url, originalSize: 99, etag: "" })));
  assert.equal((await later.getMetadata("old name.gguf")).originalSize, 99);
});

// A fragment is no secret (redaction drops it): such an entry is persisted like any other.
for (const [name, urlOf, extra] of [
  ["a URL with a #fragment", (url) => `${url}#main`, {}],
  ["metadataAdditional with a link that has a #fragment", (url) => url, { homepage: "https://huggingface.co/org/gguf#usage" }],
]) {
  test(`an entry without a secret is persisted and listed after a reload: ${name}`, async (t) => {
    const hub = await hubFor(t, { shards: 0 });
    const repo = hub.addRepo({ id: "org/gguf", files: [{ path: "m.gguf", bytes: gguf("a", 5000), lfs: true }] });
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
    await createWllamaCacheManager(cache, { caches }).download(urlOf(repo.files[0].url), { metadataAdditional: extra });
    assert.equal((await (await caches.open("cross-origin-cache-wllama-index")).keys()).length, 1, "persisted");
    const reload = await cacheOn({ caches, storage: cos.store.manager() });
    assert.equal((await createWllamaCacheManager(reload.cache, { caches }).list()).length, 1);
  });
}

test("a URL with userinfo and headers downloads as the cache's own calls do: the userinfo as Authorization: Basic unless the headers have one", async (t) => {
  const token = "Bearer hf_wllama_userinfo";
  const password = "pw-wllama-userinfo-3b7d";
  const { hub, repo, caches, manager } = await setup(t, { gated: token });
  const [a, b] = repo.files;
  const withUserinfo = (url) => url.replace("://", `://user:${password}@`);
  // Before: the platform's TypeError (no Request of a URL with credentials), quoting the password.
  await manager.download(withUserinfo(a.url), { headers: { Authorization: token, "X-Client": "wllama" } });
  assert.ok(hub.log.length > 0 && hub.log.every((e) => e.authorization === token), "its own Authorization wins over the userinfo");
  const [entry] = await manager.list();
  assert.deepEqual([entry.metadata.originalURL, entry.metadata.sha256, entry.size], [withUserinfo(a.url), a.sha256, a.size]);
  assert.deepEqual(await persistedIndex(caches), [], "its URL carries a secret: memory only");

  hub.resetCounters();
  const error = await manager.download(withUserinfo(b.url), { headers: { "X-Client": "wllama" } }).then(() => null, (e) => e);
  assert.match(String(error?.message), /HTTP 401/, "the gated repo refuses the userinfo");
  assert.doesNotMatch(`${error.message} ${error.stack}`, new RegExp(password));
  const basic = `Basic ${Buffer.from(`user:${password}`).toString("base64")}`;
  assert.ok(hub.log.length > 0 && hub.log.every((e) => e.authorization === basic), JSON.stringify(hub.log.map((e) => e.authorization)));
});

test("headers as fetch takes them: a Headers object and [name, value] pairs go with the cache's requests", async (t) => {
  const token = "Bearer hf_wllama_headers";
  const { hub, repo, manager } = await setup(t, { gated: token });
  const [a, b] = repo.files;
  // Before: a Headers object has no own keys, so it was dropped and the hub answered 401.
  await manager.download(a.url, { headers: new Headers({ Authorization: token }) });
  await manager.download(b.url, { headers: [["Authorization", token]] });
  assert.ok(hub.log.length > 0 && hub.log.every((e) => e.authorization === token), JSON.stringify(hub.log.map((e) => e.authorization)));
  assert.deepEqual((await manager.list()).map((e) => e.metadata.sha256).sort(), [a.sha256, b.sha256].sort());
});

test("every rejection of the manager is a redacted copy: a platform error quoting a header value or metadata leaks no secret", async (t) => {
  const { repo, cache } = await setup(t);
  const [a] = repo.files;
  const manager = createWllamaCacheManager(cache);  // its index in memory: metadata is cloned
  // Before: the platform's TypeError quoted the refused value, token included.
  const badHeader = await manager.download(a.url, { headers: { Authorization: "Bearer hf_bad_header_4c1e\nx" } }).then(() => null, (e) => e);
  assert.ok(badHeader instanceof TypeError, String(badHeader));
  assert.doesNotMatch(`${badHeader.message} ${badHeader.stack}`, /hf_bad_header_4c1e/);
  // Before: structuredClone's DataCloneError quoted the function, password included.
  // (The password is written out in the function's source, which is what the error quotes.)
  const metadata = { originalURL: a.url, originalSize: a.size, etag: "", mirror: () => "https://user:pw-wllama-clone-8e2f@mirror.example/m.gguf" };
  const cloneError = await manager.writeMetadata("m.gguf", metadata).then(() => null, (e) => e);
  assert.equal(cloneError?.name, "DataCloneError");
  assert.match(cloneError.message, /mirror\.example/, "the error is the platform's, its text kept");
  assert.doesNotMatch(`${cloneError.message} ${cloneError.stack}`, /pw-wllama-clone-8e2f/);
});

test("concurrent writeMetadata of one name: the last call wins, and only one index holds the name", async (t) => {
  const { caches, cache, manager } = await setup(t);
  const name = "abc_model.gguf";
  const plain = { originalURL: "https://example.com/m.gguf", originalSize: 1, etag: "x", mmprojURL: "https://example.com/p.gguf" };
  const secret = { ...plain, mmprojURL: "https://example.com/p.gguf?token=hf_concurrent_secret" };
  for (const [first, last] of [[plain, secret], [secret, plain]]) {
    // Before: the two writes interleaved their delete and put across the indexes.
    await Promise.all([manager.writeMetadata(name, first), manager.writeMetadata(name, last)]);
    assert.equal((await manager.getMetadata(name)).mmprojURL, last.mmprojURL);
    const persisted = await persistedIndex(caches);
    assert.equal(persisted.length, last === plain ? 1 : 0, JSON.stringify(persisted));
    assert.ok(!JSON.stringify(persisted).includes("hf_concurrent_secret"));
    // A reload reads the persisted index only: the plain metadata when it was the last written.
    const afterReload = await createWllamaCacheManager(cache, { caches }).getMetadata(name);
    assert.equal(afterReload?.mmprojURL ?? null, last === plain ? plain.mmprojURL : null);
    await manager.delete(name);
  }
});
