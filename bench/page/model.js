// The Chromium side of bench/model.js: one whole-model load the way web-llm drives tvmjs, with the
// candidate as tvmjs's artifact cache. Candidates:
//   "tvmjs"  — tvmjs's own caches, as web-llm creates them (createArtifactCache per scope:
//              "webllm/config", "webllm/wasm", "webllm/model"): ArtifactCache (the Cache API by
//              URL) without COS, ArtifactCrossOriginStorageCache (cacheType "cross-origin") with COS;
//   "ours"   — createCrossOriginCache({scope: "tvmjs"}) passed as `artifactCache` for every file;
//   "webllm" — prepareWebLLMModel(record) (the one-call preparation), then the same flow with
//              tvmjs's cross-origin cache, as web-llm's cacheBackend "cross-origin" would run it.
// The flow (web-llm's reload order): mlc-chat-config.json ("json"), the model library
// ("arraybuffer"), tvmjs's own Instance.prototype.fetchTensorCache (tensor-cache.json, hasAllKeys
// over the shards, addToCache of every shard in 4 parallel loops, then fetchWithCache of each shard
// and its records loaded onto the device), then the tokenizer files ("arraybuffer").
//
// No TVM runtime can be driven here (the npm package ships no runtime wasm, and no model library
// can be built on this machine), so fetchTensorCache runs on a stand-in Instance: the CPU device,
// with each record's bytes copied into one scratch ArrayBuffer in place of the upload to the
// device (tvmjs's own loop, its own record slicing of the shard). The library is not compiled and
// the tokenizer not parsed; both are read whole.
import { createCrossOriginCache, prepareWebLLMModel } from "/js/index.js";

function tvmjs() {
  if (!globalThis.tvmjs?.Instance) throw new Error("model bench page: tvmjs did not load");
  return globalThis.tvmjs;
}

const hasCos = () => typeof navigator.crossOriginStorage === "object" && navigator.crossOriginStorage !== null;

/** A stand-in tvmjs Instance: tvmjs's own fetchTensorCache, device uploads replaced by copies. */
function standInInstance() {
  const instance = Object.create(tvmjs().Instance.prototype);
  let scratch = null;
  const loaded = { records: 0, bytes: 0, heads: {} };
  Object.assign(instance, {
    initProgressCallback: [],
    env: { logger: (message) => console.warn(message) },
    cacheMetadata: {},
    cpu: () => ({ deviceType: 1, deviceId: 0 }),
    withNewScope: (body) => body(),
    detachFromCurrentScope: (value) => value,
    empty: (shape, dtype) => ({ shape, dtype, dispose() {} }),
    // In place of copying the record into the device's memory: into the scratch buffer.
    loadTensorCacheRecordData(shardBytes, rec) {
      const bytes = new Uint8Array(shardBytes.buffer, shardBytes.byteOffset + rec.byteOffset, rec.nbytes);
      if (!scratch || scratch.byteLength < rec.nbytes) scratch = new Uint8Array(new ArrayBuffer(rec.nbytes));
      scratch.set(bytes);
      loaded.bytes += rec.nbytes;
      loaded.heads[rec.name] = Array.from(scratch.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
    },
    tensorCacheUpdate: () => {
      loaded.records++;
    },
  });
  return { instance, loaded };
}

/**
 * Delegates to `cache`, noting when tvmjs's download loops (addToCache) start and end (on the
 * load's clock); the first read after them tells Node the download phase is over (`downloaded`).
 */
function watched(cache, span, clock, downloaded) {
  return {
    async fetchWithCache(...args) {
      if (span.calls > 0 && !span.told) {
        span.told = true;
        await downloaded();
      }
      return cache.fetchWithCache(...args);
    },
    hasAllKeys: (...args) => cache.hasAllKeys(...args),
    deleteInCache: (...args) => cache.deleteInCache(...args),
    async addToCache(...args) {
      span.start ??= clock();
      span.calls++;
      try {
        return await cache.addToCache(...args);
      } finally {
        span.end = clock();
      }
    },
  };
}

async function caches3(candidate) {
  if (candidate === "ours") {
    const cache = await createCrossOriginCache({ scope: "tvmjs" });
    return { config: cache, wasm: cache, model: cache, ours: cache };
  }
  const cacheType = hasCos() ? "cross-origin" : "cache";
  const make = (scope) => tvmjs().createArtifactCache(scope, { cacheType });
  return { config: make("webllm/config"), wasm: make("webllm/wasm"), model: make("webllm/model"), ours: null };
}

globalThis.modelBench = {
  info() {
    return {
      origin: location.origin,
      secureContext: globalThis.isSecureContext,
      cos: hasCos(),
      tvmjs: typeof globalThis.tvmjs?.Instance === "function",
    };
  },

  /** Removes every Cache API cache of this origin (tvmjs's caches, both URL→hash stores, our fallback). */
  async clearCaches() {
    const names = await caches.keys();
    for (const name of names) await caches.delete(name);
    return names;
  },

  /**
   * Floors for the report (not a candidate): the bytes of `urls` fetched 4 at a time, as tvmjs's
   * download loops ask, with no cache and nothing kept. Returns {ms, bytes}.
   */
  async fetchFloor(urls) {
    const start = performance.now();
    let next = 0;
    let bytes = 0;
    const worker = async () => {
      while (next < urls.length) {
        const response = await fetch(urls[next++], { cache: "no-store" });
        if (!response.ok) throw new Error(`model bench page: ${response.url} answered ${response.status}`);
        // Awaited first: `bytes += await …` would read `bytes` before the wait and lose the others' counts.
        const buffer = await response.arrayBuffer();
        bytes += buffer.byteLength;
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return { ms: performance.now() - start, bytes };
  },

  /** Reads the COS entries of `hashes` one at a time (as tvmjs's loading loop reads shards). Returns {ms, bytes}. */
  async cosReadFloor(hashes) {
    const cos = navigator.crossOriginStorage;
    const start = performance.now();
    let bytes = 0;
    for (const value of hashes) {
      const hash = { algorithm: "SHA-256", value };
      const handle = cos.getFileHandle ? await cos.getFileHandle(hash) : await cos.requestFileHandle(hash);
      bytes += (await (await handle.getFile()).arrayBuffer()).byteLength;
    }
    return { ms: performance.now() - start, bytes };
  },

  /**
   * One load. Returns {ms, phases, download: {start, end, calls} (ms from the start), loaded,
   * storageKind, stats}. Everything from creating the caches to the last tokenizer byte is timed.
   */
  async load({ candidate, modelUrl, libUrl }) {
    const start = performance.now();
    // Node samples the renderer's memory of the download phase apart: it is told when the phase
    // ends (an exposed function, awaited); the time that takes is left out of every figure.
    let paused = 0;
    const at = () => performance.now() - start - paused;
    const downloaded = async () => {
      const before = performance.now();
      await globalThis.modelBenchDownloaded?.();
      paused += performance.now() - before;
    };
    const phases = {};
    let prep = null;
    if (candidate === "webllm") {
      if (!hasCos()) throw new Error("model bench page: the web-llm preparation needs COS");
      prep = await prepareWebLLMModel({ model: modelUrl, model_id: "bench", model_lib: libUrl });
      phases.prepareMs = at();
      await downloaded();
    }
    const cache = await caches3(candidate === "webllm" ? "tvmjs" : candidate);
    phases.createdMs = at();
    const config = await cache.config.fetchWithCache(new URL("mlc-chat-config.json", modelUrl).href, "json");
    phases.configMs = at();
    const library = await cache.wasm.fetchWithCache(libUrl, "arraybuffer");
    phases.libraryMs = at();
    const span = { start: null, end: null, calls: 0 };
    const { instance, loaded } = standInInstance();
    await instance.fetchTensorCache(modelUrl, { deviceType: 1, deviceId: 0 }, { artifactCache: watched(cache.model, span, at, candidate === "webllm" ? async () => {} : downloaded) });
    phases.tensorsMs = at();
    let tokenizerBytes = 0;
    for (const file of config.tokenizer_files) {
      const buffer = await cache.model.fetchWithCache(new URL(file, modelUrl).href, "arraybuffer");
      tokenizerBytes += buffer.byteLength;
    }
    const ms = at();
    phases.tokenizerMs = ms;
    return {
      ms,
      phases,
      download: { start: span.start, end: span.end, calls: span.calls },
      pausedMs: paused,
      loaded: { ...loaded, libraryBytes: library.byteLength, tokenizerBytes, paramBytes: instance.cacheMetadata.ParamBytes ?? null },
      storageKind: cache.ours?.storageKind ?? (hasCos() ? "cross-origin-storage" : "cache"),
      stats: cache.ours?.stats() ?? prep?.stats ?? null,
    };
  },
};
