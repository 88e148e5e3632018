// One load of the model's files through a cache: resolve every hash, then fetch the bytes four at a
// time (tvmjs's loader runs four downloads at once). The same code runs in the page and in the
// demo's worker (load-worker.js); it reports through `report(type, detail)` and knows no DOM.

const CONCURRENCY = 4;

/** A fetch for the cache's `fetch` option that notes which of `files` came over the network. */
export function downloadTracker() {
  const watched = new Set();
  const downloaded = new Set();
  return {
    watch(urls) {
      watched.clear();
      downloaded.clear();
      for (const url of urls) watched.add(url);
    },
    downloaded,
    fetch(input, init = {}) {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (watched.has(url)) downloaded.add(url);
      return fetch(input, init);
    },
  };
}

async function sha256Hex(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function runPool(count, limit, work) {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/**
 * Loads `urls` through `cache`. report("resolved", {index, hash, source}),
 * report("loading", {index}), report("loaded", {index, bytes, fromNetwork, contentHash}),
 * report("failed", {index, message}). Resolves to {resolveMs, elapsedMs, before, after, error}.
 */
export async function loadFiles(cache, tracker, urls, report) {
  tracker.watch(urls);
  const before = cache.stats();
  const t0 = performance.now();
  let resolveMs = 0;
  let error = null;
  try {
    const hashes = await cache.resolveHashDetails(urls);
    resolveMs = performance.now() - t0;
    hashes.forEach((hash, index) => report("resolved", { index, hash: hash?.value ?? null, source: hash?.source ?? null }));
    await runPool(urls.length, CONCURRENCY, async (index) => {
      report("loading", { index });
      try {
        const buffer = await cache.fetchWithCache(urls[index], "arraybuffer");
        const known = hashes[index]?.value;
        // A file without a hash beforehand: its hash is shown as WebCrypto computes it from the
        // delivered bytes, a check independent of the cache's own wasm SHA-256.
        const contentHash = known ? null : await sha256Hex(buffer);
        report("loaded", { index, bytes: buffer.byteLength, fromNetwork: tracker.downloaded.has(urls[index]), contentHash });
      } catch (failure) {
        report("failed", { index, message: String(failure?.message ?? failure) });
      }
    });
  } catch (failure) {
    error = String(failure?.message ?? failure);
  }
  return { resolveMs, elapsedMs: performance.now() - t0, before, after: cache.stats(), error };
}
