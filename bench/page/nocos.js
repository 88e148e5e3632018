// The Chromium side of bench/nocos.js: one file stored into the Cache API where no Cross-Origin
// Storage exists, as almost every visitor has today. Candidates:
//   "put"   — what an app does by hand: cache.put(url, await fetch(url));
//   "tvmjs" — tvmjs's ArtifactCache (its cache without COS: cache.add(url) by URL);
//   "ours"  — createCrossOriginCache().addToCache(url): the hash from the listing, the body
//             hashed as it streams into our fallback store (the Cache API by hash), then sealed.
import { createCrossOriginCache } from "/js/index.js";

let prepared = null;

async function makeStore(candidate) {
  if (candidate === "ours") {
    const cache = await createCrossOriginCache();
    if (cache.storageKind !== "fallback") throw new Error(`nocos bench page: storage is ${cache.storageKind}, not the fallback store`);
    return { store: (url) => cache.addToCache(url, "arraybuffer"), stats: () => cache.stats() };
  }
  if (candidate === "tvmjs") {
    const cache = new globalThis.tvmjs.ArtifactCache("tvmjs");
    return { store: (url) => cache.addToCache(url, "arraybuffer"), stats: () => null };
  }
  if (candidate === "put") {
    const cache = await caches.open("bench-plain-put");
    return {
      async store(url) {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`nocos bench page: ${url} answered ${response.status}`);
        await cache.put(url, response);
      },
      stats: () => null,
    };
  }
  throw new Error(`nocos bench page: unknown candidate ${candidate}`);
}

globalThis.nocosBench = {
  /** Removes every Cache API cache of this origin, so each run stores from nothing. */
  async clearCaches() {
    for (const name of await caches.keys()) await caches.delete(name);
  },
  /** Creates the candidate's cache ahead of the timing (our wasm core loads here). */
  async prepare(candidate) {
    prepared = { candidate, ...(await makeStore(candidate)) };
  },
  /** Times the prepared candidate's store of url. Returns {ms, stats}. */
  async store(candidate, url) {
    if (prepared?.candidate !== candidate) throw new Error("nocos bench page: prepare() the candidate first");
    const { store, stats } = prepared;
    prepared = null;
    const start = performance.now();
    await store(url);
    return { ms: performance.now() - start, stats: stats() };
  },
  /** SHA-256 of what the Cache API holds for `key` in `cacheName` (WebCrypto, outside the timing). */
  async storedDigest(cacheName, key) {
    const response = await (await caches.open(cacheName)).match(key);
    if (!response) return null;
    const digest = await crypto.subtle.digest("SHA-256", await response.arrayBuffer());
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  },
};
