// The Chromium side of the Cross-Origin Storage benches (bench/store.js, bench/warm.js,
// bench/cold.js drive it with page.evaluate). Candidates:
//   "ours"  — createCrossOriginCache() from /js/index.js;
//   "tvmjs" — tvmjs's own ArtifactCrossOriginStorageCache (what web-llm's cacheBackend
//             "cross-origin" uses), from the UMD bundle cos.html loads (globalThis.tvmjs).
// Both talk to the same navigator.crossOriginStorage (the test polyfill, installed by Node with
// an init script). Every timed function returns {ms, ...}; timing is performance.now() in the page.
import { createCrossOriginCache, createSha256, loadCore } from "/js/index.js";

function tvmjs() {
  if (!globalThis.tvmjs?.ArtifactCrossOriginStorageCache) throw new Error("cos bench page: tvmjs did not load");
  return globalThis.tvmjs;
}

async function makeCache(candidate, options = {}) {
  if (candidate === "ours") return createCrossOriginCache(options);
  if (candidate === "tvmjs") return new (tvmjs().ArtifactCrossOriginStorageCache)("tvmjs");
  throw new Error(`cos bench page: unknown candidate ${candidate}`);
}

const statsOf = (candidate, cache) => (candidate === "ours" ? cache.stats() : null);

let prepared = null;

const cosBench = {
  info() {
    return {
      userAgent: navigator.userAgent,
      secureContext: globalThis.isSecureContext,
      cos: typeof navigator.crossOriginStorage === "object" && navigator.crossOriginStorage !== null,
      tvmjs: typeof globalThis.tvmjs?.ArtifactCrossOriginStorageCache === "function",
    };
  },

  /** Removes every Cache API cache of this origin (persisted URL→hash stores included). */
  async clearCaches() {
    const names = await caches.keys();
    for (const name of names) await caches.delete(name);
    return names;
  },

  // ---- store ------------------------------------------------------------------------------

  /** Creates the candidate's cache object ahead of the timed store (our wasm core loads here). */
  async prepare(candidate) {
    prepared = { candidate, cache: await makeCache(candidate) };
    return true;
  },

  /**
   * Diagnostics for the store bench: fetch(url) and read the body to its end, doing nothing with it
   * ("stream") or feeding every chunk to our wasm SHA-256 ("stream-hash"). Returns {ms, bytes, hex}.
   */
  async streamOnly(url, hash) {
    const hasher = hash ? await createSha256() : null;
    const start = performance.now();
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cos bench page: ${url} answered ${response.status}`);
    const reader = response.body.getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      hasher?.update(value);
    }
    const hex = hasher ? hasher.digest() : null;
    return { ms: performance.now() - start, bytes, hex };
  },

  /** Times cache.addToCache(url, "arraybuffer") on the prepared cache, as tvmjs's loader calls it. */
  async store(candidate, url) {
    if (prepared?.candidate !== candidate) throw new Error("cos bench page: prepare() the candidate first");
    const { cache } = prepared;
    prepared = null;
    const start = performance.now();
    await cache.addToCache(url, "arraybuffer");
    const ms = performance.now() - start;
    return { ms, stats: statsOf(candidate, cache) };
  },

  // ---- warm -------------------------------------------------------------------------------

  /**
   * Fills both persisted URL→hash stores for `urls` (untimed setup; Node put the bytes into COS):
   * ours resolves them all (one listing; the records go into cross-origin-cache-cos-hash-meta,
   * with the snapshot of all of them written within a second), then tvmjs's resolver resolves each URL (one /raw/ pointer
   * request each), which persists into tvmjs-cos-hash-meta.
   */
  async warmFill(urls) {
    const ours = await createCrossOriginCache();
    const resolved = await ours.resolveHashes(urls);
    const storage = new (tvmjs().ArtifactCrossOriginStorageCache)("tvmjs").storage;
    const theirs = await Promise.all(urls.map((url) => storage.resolveHashDescriptor(url)));
    // A visit lasts longer than our snapshot of all records takes to be written (within a second
    // of the last change): wait for it, as any real visit would have.
    const { snapshotKey } = await loadCore();
    const ownStore = await caches.open("cross-origin-cache-cos-hash-meta");
    for (let waited = 0; !(await ownStore.match(snapshotKey)); waited += 100) {
      if (waited > 10000) throw new Error("warmFill: our snapshot was not written within 10 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const persisted = {};
    for (const name of ["cross-origin-cache-cos-hash-meta", "tvmjs-cos-hash-meta"]) {
      persisted[name] = (await caches.has(name)) ? (await (await caches.open(name)).keys()).length : 0;
    }
    return {
      ours: resolved.map((d) => d?.value ?? null),
      tvmjs: theirs.map((d) => d?.value ?? null),
      stats: ours.stats(),
      persisted,
    };
  },

  /**
   * After a reload: resolves every URL's hash. ours: createCrossOriginCache() then
   * resolveHashes(urls); tvmjs: its COS cache's resolver (storage.resolveHashDescriptor, what its
   * match()/hasAllKeys() call first) for each URL, all at once as its hasAllKeys() does.
   * Returns {createMs, ms, hashes}.
   */
  async warmResolve(candidate, urls) {
    const start = performance.now();
    const cache = await makeCache(candidate);
    const created = performance.now();
    let descriptors;
    if (candidate === "ours") descriptors = await cache.resolveHashes(urls);
    else descriptors = await Promise.all(urls.map((url) => cache.storage.resolveHashDescriptor(url)));
    const end = performance.now();
    return {
      createMs: created - start,
      ms: end - created,
      hashes: descriptors.map((d) => d?.value ?? null),
      stats: statsOf(candidate, cache),
    };
  },

  /** After a reload: cache.hasAllKeys(urls) (both resolve every URL and look for its bytes in COS). */
  async warmHasAllKeys(candidate, urls) {
    const start = performance.now();
    const cache = await makeCache(candidate);
    const created = performance.now();
    const all = await cache.hasAllKeys(urls);
    const end = performance.now();
    return { createMs: created - start, ms: end - created, result: all, stats: statsOf(candidate, cache) };
  },

  // ---- cold -------------------------------------------------------------------------------

  /**
   * Loads a whole model the way web-llm does with the candidate as tvmjs's artifact cache:
   * fetchWithCache(json, "json") of each config file, then tvmjs's own
   * Instance.prototype.fetchTensorCache (tensor-cache.json, hasAllKeys over the shards, addToCache
   * of every shard 4 at a time, fetchWithCache of every shard) on a stand-in instance (no GPU and
   * no TVM runtime here; the shards' records are empty, so no tensor is created).
   * mode "all-at-once" (ours only, a diagnostic): fetchWithCache of every URL at once instead.
   */
  async coldLoad(candidate, { base, jsonFiles, shardUrls, mode = "web-llm" }) {
    const cache = await makeCache(candidate);
    const start = performance.now();
    let bytes = 0;
    if (mode === "all-at-once") {
      const urls = [...jsonFiles.map((file) => new URL(file, base).href), ...shardUrls];
      const buffers = await Promise.all(urls.map((url) => cache.fetchWithCache(url, "arraybuffer")));
      for (const buffer of buffers) bytes += buffer.byteLength;
    } else {
      for (const file of jsonFiles) {
        if (file === "tensor-cache.json") continue;
        const value = await cache.fetchWithCache(new URL(file, base).href, "json");
        if (value === null || typeof value !== "object") throw new Error(`cos bench page: ${file} did not parse to an object`);
      }
      const instance = Object.create(tvmjs().Instance.prototype);
      Object.assign(instance, { initProgressCallback: [], env: { logger: () => {} }, cacheMetadata: {} });
      await instance.fetchTensorCache(base, { deviceType: 1, deviceId: 0 }, { artifactCache: cache });
      bytes = instance.cacheMetadata.ParamBytes ?? 0;
    }
    const ms = performance.now() - start;
    return { ms, bytes, stats: statsOf(candidate, cache) };
  },
};

window.cosBench = cosBench;
