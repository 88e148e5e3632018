// Secrets never leave the package (URL credentials, tokens, header values), private bytes stay
// same-site, and a caller's Request is fetched as it asked: its headers reach the hub's file,
// listing, paths-info and pointer routes of the same origin, and are never persisted.
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadCore } from "../../js/index.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { sha256Hex as sha } from "../support/test-data.js";

const plainFile = (hub, name = "tokenizer.json") => hub.model.files.find((f) => f.path === name);
const lfsFile = (hub, i = 0) => hub.model.files.filter((f) => f.lfs)[i];
const withUserinfo = (url, userinfo) => url.replace("://", `://${userinfo}@`);

/** Every text an error carries out: message, String(), stack and each cause down the chain. */
function errorTexts(error) {
  const texts = [];
  for (let at = error, depth = 0; at !== undefined && at !== null && depth < 20; at = at.cause, depth++) {
    texts.push(String(at), String(at?.message), String(at?.stack));
    try {
      texts.push(JSON.stringify(at));
    } catch {}
  }
  return texts;
}

/** Every key and body of every Cache API store. */
async function persistedTexts(caches) {
  const texts = [];
  for (const name of await caches.keys()) {
    const store = await caches.open(name);
    for (const request of await store.keys()) {
      texts.push(request.url, await (await store.match(request)).text());
    }
  }
  return texts;
}

function assertHidden(texts, secrets, where) {
  for (const text of texts) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${where} shows ${secret}: ${text}`);
  }
}

test("secrets never leave the package: rejections and causes, onError, onProgress, stats, Cache API", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const password = "pw-HUNTER2-secret";
  const token = "hf_QUERYTOKEN_12345";
  const snapshotSecret = "SNAPSECRET1";
  const { caches, cos } = stores();
  // A snapshot entry a foreign writer left, keyed by a URL with a token: its skip reason quotes it.
  const core = await loadCore();
  await (await caches.open("cross-origin-cache-cos-hash-meta")).put(core.snapshotKey,
    new Response(JSON.stringify({ version: 1, records: [[`https://h.example/x?token=${snapshotSecret}`, { bad: 1 }]] })));
  // tvmjs's store exists, so a URL is also looked up there.
  await caches.open("tvmjs-cos-hash-meta");
  const progress = [];
  // The platform's own messages quote the URL they were given whole (as undici's and Chromium's do).
  const echoingFetch = (input, init) => {
    const url = String(input?.url ?? input);
    if (url.includes("missing.bin")) return Promise.reject(new TypeError(`fetch of ${url} failed`, { cause: new Error(`connect refused for ${url}`) }));
    return fetch(input, init);
  };
  const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), fetch: echoingFetch, onProgress: (event) => progress.push(event) });
  const secrets = [password, token, snapshotSecret];
  const rejections = [];
  const settle = async (promise) => {
    try {
      return await promise;
    } catch (error) {
      rejections.push(error);
      return undefined;
    }
  };

  const file = plainFile(hub);
  // A URL with userinfo: loaded (the userinfo goes as a Basic header), never handed to fetch or the Cache API.
  const userinfoUrl = withUserinfo(file.url, `user:${password}`);
  assert.equal(sha(await settle(cache.fetchWithCache(userinfoUrl, "arraybuffer"))), file.sha256);
  await settle(cache.resolveHash(withUserinfo(lfsFile(hub).url, `user:${password}`)));
  await settle(cache.deleteInCache(userinfoUrl));
  // A URL with a token: its progress events and errors, and a download whose platform error quotes it.
  assert.equal(sha(await settle(cache.fetchWithCache(`${lfsFile(hub).url}?token=${token}`, "arraybuffer"))), lfsFile(hub).sha256);
  await settle(cache.fetchWithCache(`${hub.url}/test-org/test-model/resolve/main/missing.bin?token=${token}`));
  await settle(cache.fetchWithCache(withUserinfo(`${hub.url}/test-org/test-model/resolve/main/missing.bin`, `user:${password}`)));
  await cache.flush();

  assert.equal(rejections.length, 2, rejections.map(String).join("\n"));
  assert.ok(progress.length > 0, "progress was reported");
  assert.ok(events.some((event) => event.kind === "persisted-snapshot-invalid"), JSON.stringify(events));
  for (const error of rejections) {
    assert.match(error.message, /\*\*\*/);
    assertHidden(errorTexts(error), secrets, "a rejection");
  }
  for (const event of events) {
    assertHidden([JSON.stringify(event), event.message, ...errorTexts(event.error)], secrets, `onError ${event.kind}`);
  }
  assertHidden(progress.map((event) => JSON.stringify(event)), secrets, "onProgress");
  assertHidden([JSON.stringify(cache.stats())], secrets, "stats()");
  assertHidden(await persistedTexts(caches), secrets, "the Cache API");
  // The userinfo never reached the hub in a URL; it came as a Basic header to the file's own origin.
  assert.ok(hub.log.every((entry) => !entry.url.includes(password)));
  const basic = `Basic ${Buffer.from(`user:${password}`).toString("base64")}`;
  assert.ok(hub.log.some((entry) => entry.kind === "resolve" && entry.authorization === basic), JSON.stringify(hub.log));
});

test("private requests are stored same-site only, at every entry point", async (t) => {
  const hub = await hubFor(t, { shards: 4 });
  const files = hub.model.files.filter((f) => f.lfs);
  const cases = [
    ["addToCache, Authorization", (cache, url) => cache.addToCache(new Request(url, { headers: { Authorization: "Bearer hf_a" } }))],
    ["fetchWithCache, Cookie credentials", (cache, url) => cache.fetchWithCache(new Request(url, { credentials: "include" }))],
    ["put, X-Api-Key", async (cache, url) => cache.put(new Request(url, { headers: { "X-Api-Key": "k-123456" } }), await fetch(url))],
    ["fetchWithCache, userinfo", (cache, url) => cache.fetchWithCache(withUserinfo(url, "u:p4ssword"))],
  ];
  for (const [i, [name, load]] of cases.entries()) {
    const { caches, cos } = stores();
    const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
    await load(cache, files[i].url);
    const creates = cos.store.calls.filter((c) => c.options?.create && c.step === "request");
    assert.equal(creates.length, 1, name);
    assert.equal(creates[0].options.origins, undefined, `${name}: stored with origins ${creates[0].options.origins}`);
    assert.equal(cos.store.get(files[i].sha256).origins, undefined, name);
  }
  // A public request still shares its bytes with everyone.
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager() });
  await cache.addToCache(new Request(files[0].url, { headers: { Accept: "*/*" } }));
  assert.equal(cos.store.get(files[0].sha256).origins, "*");
});

/** A hub with a gated copy of a small model: 401 without this Authorization header. */
async function gatedHub(t, authorization) {
  const hub = await hubFor(t, { shards: 1 });
  const files = [
    { path: "weights.bin", bytes: Buffer.alloc(300 * 1024, 7), lfs: true },
    { path: "config.json", bytes: JSON.stringify({ gated: true }) },
  ];
  const info = hub.addRepo({ id: "gated-org/gated-model", files, authorization });
  return { hub, info };
}

test("a Request's headers reach every route of the gated repo's origin and are never persisted", async (t) => {
  const authorization = "Bearer hf_GATED_token_98765";
  const { hub, info } = await gatedHub(t, authorization);
  const routes = [
    ["listing", {}, "tree"],
    ["paths-info", { listRepos: false }, "pathsInfo"],
    ["LFS pointer", { batch: false }, "raw"],
  ];
  for (const [name, options, kind] of routes) {
    hub.resetCounters();
    const { caches, cos } = stores();
    const { cache, events } = await cacheOn({ caches, storage: cos.store.manager(), ...options });
    for (const file of info.files) {
      const request = new Request(file.url, { headers: { Authorization: authorization } });
      assert.equal(sha(await cache.fetchWithCache(request, "arraybuffer")), file.sha256, `${name}: ${file.path}`);
    }
    const gated = hub.log.filter((entry) => entry.url.includes("gated-org"));
    assert.ok(gated.some((entry) => entry.kind === kind), `${name}: no ${kind} request in ${JSON.stringify(gated)}`);
    assert.ok(gated.some((entry) => entry.kind === "resolve"), name);
    for (const entry of gated) {
      assert.equal(entry.authorization, authorization, `${name}: ${entry.kind} ${entry.url} without the header`);
      assert.ok(entry.status < 400, `${name}: ${entry.kind} ${entry.url} answered ${entry.status}`);
    }
    assert.deepEqual(events.map((e) => e.kind), [], name);
    await cache.flush();
    assertHidden(await persistedTexts(caches), ["hf_GATED_token_98765"], `${name}: the Cache API`);
    // Private bytes: same-site only.
    for (const file of info.files) assert.equal(cos.store.get(file.sha256).origins, undefined, `${name}: ${file.path}`);
  }
});

// Bytes and hashes a private request stored are same-site, as COS keeps them: a later call of the
// same site may be served them from storage. What must not happen is a call taking the in-flight
// work of a call with other credentials: its own request is made, with its own headers.
test("concurrent calls with and without credentials do not share a load or a resolution", async (t) => {
  const authorization = "Bearer hf_GATED_concurrent";
  const { hub, info } = await gatedHub(t, authorization);
  const file = info.files.find((f) => f.path === "weights.bin");
  const authorized = () => cache.fetchWithCache(new Request(file.url, { headers: { Authorization: authorization } }), "arraybuffer");
  const freshCache = async () => {
    const { caches, cos } = stores();
    return (await cacheOn({ caches, storage: cos.store.manager() })).cache;
  };
  let cache = await freshCache();

  // The unauthenticated call starts first: the authenticated one must not join its failure.
  const [anonymousFirst, authorizedSecond] = await Promise.allSettled([cache.fetchWithCache(file.url, "arraybuffer"), authorized()]);
  assert.equal(authorizedSecond.status, "fulfilled", String(authorizedSecond.reason?.stack));
  assert.equal(sha(authorizedSecond.value), file.sha256);
  assert.equal(anonymousFirst.status, "rejected");
  assert.match(anonymousFirst.reason.message, /HTTP 401/);

  // The authenticated call starts first (its download held back): the unauthenticated one makes
  // its own requests, without the header, and gets the hub's refusal, not the token's bytes.
  cache = await freshCache();
  hub.resetCounters();
  hub.setFault((request) => request.kind === "resolve" && request.authorization !== null, { delayMs: 300 });
  const [authorizedFirst, anonymousSecond] = await Promise.allSettled([authorized(), cache.fetchWithCache(file.url, "arraybuffer")]);
  assert.equal(authorizedFirst.status, "fulfilled", String(authorizedFirst.reason?.stack));
  assert.equal(sha(authorizedFirst.value), file.sha256);
  assert.equal(anonymousSecond.status, "rejected", "the unauthenticated call got the gated bytes");
  assert.match(anonymousSecond.reason.message, /HTTP 401/);
  const anonymousRequests = hub.log.filter((entry) => entry.url.includes("gated-org") && entry.authorization === null);
  assert.ok(anonymousRequests.some((entry) => entry.kind === "resolve"), JSON.stringify(hub.log));
  assert.ok(anonymousRequests.every((entry) => entry.status === 401), JSON.stringify(hub.log));
});

test("a planted snapshot key with a long password: the skip reason hides it", async () => {
  // The key is quoted cut to a few dozen characters; the '@' after a long password falls past the cut.
  const password = "HUNTER2SECRETPASSWORDXYZ_LONGER_THAN_FORTY_CHARS";
  const { caches } = stores();
  const core = await loadCore();
  await (await caches.open("cross-origin-cache-cos-hash-meta")).put(core.snapshotKey,
    new Response(JSON.stringify({ version: 1, records: [[`https://user:${password}@h.example/x.bin`, { bad: 1 }]] })));
  const { cache, events } = await cacheOn({ caches, fetch: async () => { throw new TypeError("offline"); } });
  await cache.resolveHash("https://h.example/other.bin").catch(() => {});
  assert.deepEqual(events.map((event) => event.kind), ["persisted-snapshot-invalid"]);
  for (const text of [events[0].message, ...errorTexts(events[0].error)]) {
    assert.ok(!text.includes(password.slice(0, 8)), `no part of the password in ${JSON.stringify(text)}`);
  }
  cache.dispose();
});

test("a custom fetch that rejects with a plain object: what leaves is a redacted copy", async () => {
  const url = "https://user:PW_SECRET_4242@models.example/w.bin?token=hf_TOKEN_SECRET_1";
  const thrown = { code: "E_NET", message: `could not reach ${url}`, detail: { url } };
  const { cache, events } = await cacheOn({ caches: stores().caches, fetch: async () => { throw thrown; } });
  const error = await cache.fetchWithCache(url, "arraybuffer").then(() => null, (reason) => reason);
  assert.ok(error instanceof Error);
  const texts = [...errorTexts(error), ...events.map((event) => JSON.stringify({ ...event, error: undefined }))];
  for (const text of texts) {
    assert.ok(!text.includes("PW_SECRET") && !text.includes("hf_TOKEN"), `no secret in ${text}`);
  }
  assert.equal(error.cause?.code, "E_NET", "the cause's own fields are kept");
  assert.match(error.cause?.message ?? "", /could not reach https:\/\/\*\*\*@models\.example/);
  cache.dispose();
});
