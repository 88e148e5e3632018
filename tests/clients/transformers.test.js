// transformers.js (@huggingface/transformers) with our cache as env.customCache, in Node, against
// the local hub: AutoTokenizer loads a tiny tokenizer through match()/put(), a second load is served
// from our cache with no hub request, and a new cache on the same stores reads the persisted map.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { env, AutoTokenizer, ModelRegistry } from "@huggingface/transformers";
import { startHub } from "../../local-hub/index.js";
import { MemoryCacheStorage } from "../support/memory-cache-storage.js";
import { createMemoryCos } from "../support/memory-cos.js";
import { createCrossOriginCache } from "../../js/index.js";
import { TOKENIZER_REPO, tokenizerFiles, SAMPLE_TEXT, SAMPLE_IDS } from "./fixtures/tiny-tokenizer.js";
import { sha256Hex as sha } from "../support/test-data.js";

/** Wraps a cache so every match()/put() transformers makes is recorded with its outcome. */
function recording(cache) {
  const calls = [];
  return {
    calls,
    cache: {
      async match(request, ...rest) {
        const call = { method: "match", key: request, keyType: typeof request, extra: rest.length };
        calls.push(call);
        try {
          const response = await cache.match(request);
          call.outcome = response === undefined ? "miss" : "hit";
          return response;
        } catch (error) {
          call.outcome = "throw";
          call.error = error.message;
          throw error;
        }
      },
      async put(request, response, progress) {
        calls.push({
          method: "put",
          key: request,
          keyType: typeof request,
          isResponse: response instanceof Response,
          status: response.status,
          contentLength: response.headers.get("content-length"),
          progress: typeof progress,
        });
        return cache.put(request, response);
      },
    },
  };
}

let hub;
let repo;
const saved = {};
const ENV_KEYS = ["remoteHost", "allowLocalModels", "allowRemoteModels", "useBrowserCache", "useFSCache",
  "useCustomCache", "customCache", "useWasmCache", "experimental_useCrossOriginStorage"];

function useCache(cache) {
  Object.assign(env, {
    remoteHost: `${hub.url}/`,
    allowLocalModels: false,
    allowRemoteModels: true,
    useBrowserCache: false,
    useFSCache: false,
    useWasmCache: false,
    experimental_useCrossOriginStorage: false,
    useCustomCache: true,
    customCache: cache,
  });
}

before(async () => {
  for (const key of ENV_KEYS) saved[key] = env[key];
  hub = await startHub({ shards: 1, shardSize: 1024 });
  repo = hub.addRepo({ id: TOKENIZER_REPO, files: tokenizerFiles() });
});

after(async () => {
  Object.assign(env, saved);
  await hub?.close();
});

test("AutoTokenizer loads through our cache; reloads come from it with no hub request", async (t) => {
  const caches = new MemoryCacheStorage();
  const cos = createMemoryCos();
  const events = [];
  const ours = await createCrossOriginCache({ caches, storage: cos.store.manager(), onError: (e) => events.push(e) });
  const { cache, calls } = recording(ours);
  useCache(cache);
  const url = (file) => `${hub.url}/${TOKENIZER_REPO}/resolve/main/${file}`;
  const fileHash = (file) => repo.files.find((f) => f.path === file).sha256;
  hub.resetCounters();

  // ---- cold load
  const first = await AutoTokenizer.from_pretrained(TOKENIZER_REPO);
  assert.deepEqual(first.encode(SAMPLE_TEXT, { add_special_tokens: false }), SAMPLE_IDS);
  assert.equal(first.decode([3, 4]), "hello world");

  // What transformers asked for: only tokenizer_config.json (a 1-byte range probe, then in full) and
  // tokenizer.json; config.json is never requested by AutoTokenizer in this version.
  const fetched = hub.log.filter((e) => e.kind === "resolve").map((e) => `${e.path}:${e.status}`);
  assert.deepEqual(fetched.sort(), ["tokenizer.json:200", "tokenizer_config.json:200", "tokenizer_config.json:206"]);
  const configRequests = hub.countFor("config.json");  // (the listing names it; that is not a request for it)
  assert.equal(configRequests.resolve + configRequests.raw + configRequests.pathsInfo, 0);
  // Our resolution: one listing of the repo revision gives tokenizer.json's (LFS) hash and says the
  // configs are not in LFS, so their hash comes from the bytes put() hands us.
  assert.equal(hub.counters.tree, 1, "one listing, though transformers asks for files one at a time");
  assert.equal(hub.counters.pathsInfo + hub.counters.raw, 0);
  t.diagnostic(`cold load hub counters: resolve ${hub.counters.resolve}, tree ${hub.counters.tree}, raw ${hub.counters.raw}; ` +
    `match/put calls: ${calls.filter((c) => c.method === "match").length}/${calls.filter((c) => c.method === "put").length}`);

  // The keys transformers used: the absolute remote URL (string) and, first, a local path that is
  // not a URL (env.localModelPath joined with the repo): our match() must never hit on that one.
  const urlKeys = new Set(calls.filter((c) => c.key.startsWith("http")).map((c) => c.key));
  assert.deepEqual([...urlKeys].sort(), [url("tokenizer.json"), url("tokenizer_config.json")]);
  for (const call of calls) assert.equal(call.keyType, "string");
  const localKeyCalls = calls.filter((c) => !c.key.startsWith("http"));
  assert.ok(localKeyCalls.length > 0, "transformers tries env.localModelPath keys first");
  for (const call of localKeyCalls) assert.notEqual(call.outcome, "hit");
  const puts = calls.filter((c) => c.method === "put");
  assert.deepEqual(puts.map((c) => c.key).sort(), [url("tokenizer.json"), url("tokenizer_config.json")]);
  for (const put of puts) {
    assert.equal(put.isResponse, true);
    assert.equal(put.status, 200);
  }

  // Both files are now in COS under their SHA-256 and persisted as URL → hash.
  const stored = cos.store.entries().map((e) => e.hash).sort();
  assert.deepEqual(stored, [fileHash("tokenizer.json"), fileHash("tokenizer_config.json")].sort());
  assert.equal(sha(Buffer.from(cos.store.get(fileHash("tokenizer.json")).bytes)), fileHash("tokenizer.json"));
  assert.deepEqual(
    (await ours.resolveHashes([url("tokenizer.json"), url("tokenizer_config.json")])).map((d) => d?.value),
    [fileHash("tokenizer.json"), fileHash("tokenizer_config.json")],
  );
  assert.equal(ours.stats().stored, 2);
  assert.deepEqual(events, []);

  // ---- second load: new tokenizer instance, same cache object
  hub.resetCounters();
  calls.length = 0;
  const before2 = ours.stats().storageHits;
  const second = await AutoTokenizer.from_pretrained(TOKENIZER_REPO);
  assert.notEqual(second, first);
  assert.deepEqual(second.encode(SAMPLE_TEXT, { add_special_tokens: false }), SAMPLE_IDS);
  assert.equal(hub.counters.requests, 0, "the hub saw no request at all");
  assert.equal(calls.filter((c) => c.method === "put").length, 0);
  assert.deepEqual(calls.filter((c) => c.outcome === "hit").map((c) => c.key).sort(),
    [url("tokenizer.json"), url("tokenizer_config.json")]);
  assert.equal(ours.stats().storageHits - before2, 2);

  // ---- third load: a new cache object on the same stores (a page reload)
  const reloaded = await createCrossOriginCache({ caches, storage: cos.store.manager() });
  const { cache: fresh } = recording(reloaded);
  useCache(fresh);
  const third = await AutoTokenizer.from_pretrained(TOKENIZER_REPO);
  assert.deepEqual(third.encode(SAMPLE_TEXT, { add_special_tokens: false }), SAMPLE_IDS);
  assert.equal(hub.counters.requests, 0, "a reload resolves from the persisted map and reads COS");
  assert.equal(cos.store.entries().length, 2);
  assert.equal(reloaded.stats().hits.persisted, 2);
  reloaded.dispose();
  ours.dispose();
});

test("another model repo in a second app origin: the tokenizer bytes already in COS are reused", async () => {
  // Same bytes, published under another repo: the other origin resolves tokenizer.json's hash with one
  // listing and reads it from COS, downloading only what it cannot resolve in advance.
  const cos = createMemoryCos();
  const first = await createCrossOriginCache({ caches: new MemoryCacheStorage(), storage: cos.store.manager("http://localhost:1111") });
  useCache(first);
  await AutoTokenizer.from_pretrained(TOKENIZER_REPO);
  const copy = hub.addRepo({ id: "other-org/tiny-tokenizer-copy", files: tokenizerFiles() });

  const second = await createCrossOriginCache({ caches: new MemoryCacheStorage(), storage: cos.store.manager("http://localhost:2222") });
  useCache(second);
  hub.resetCounters();
  const tokenizer = await AutoTokenizer.from_pretrained(copy.repo);
  assert.deepEqual(tokenizer.encode(SAMPLE_TEXT, { add_special_tokens: false }), SAMPLE_IDS);
  assert.equal(hub.countFor("tokenizer.json").resolve, 0, "tokenizer.json came from COS, not the hub");
  assert.equal(hub.countFor("tokenizer_config.json").resolve, 2, "range probe + download of the non-LFS config");
  assert.equal(second.stats().storageHits >= 1, true);
  assert.equal(cos.store.entries().length, 2, "nothing stored twice");
  first.dispose();
  second.dispose();
});

// transformers' ModelRegistry.clear_cache() needs the optional CacheInterface.delete(key) → boolean.
test("ModelRegistry.clear_cache forgets the tokenizer's URL → hash mappings", async () => {
  const caches = new MemoryCacheStorage();
  const cache = await createCrossOriginCache({ caches, storage: createMemoryCos().store.manager() });
  useCache(cache);
  await AutoTokenizer.from_pretrained(TOKENIZER_REPO);
  const url = (file) => `${hub.url}/${TOKENIZER_REPO}/resolve/main/${file}`;
  const result = await ModelRegistry.clear_cache(TOKENIZER_REPO);
  // Every file transformers found cached (our match() answered) was deleted, and nothing else.
  assert.ok(result.filesCached >= 2);
  assert.equal(result.filesDeleted, result.filesCached);
  for (const entry of result.files) assert.equal(entry.deleted, entry.wasCached, entry.file);
  const store = await caches.open("cross-origin-cache-cos-hash-meta");
  for (const file of ["tokenizer.json", "tokenizer_config.json"]) assert.equal(await store.match(url(file)), undefined);
  cache.dispose();
});
