// Prepares a web-llm model for web-llm's `cacheBackend: "cross-origin"`: every file its loader asks
// for is put into Cross-Origin Storage, verified, and its URL→hash is recorded in tvmjs's own store
// (`tvmjs-cos-hash-meta`, written by a cache with scope "tvmjs"), so web-llm's bundled tvmjs finds
// each file by hash without a request. web-llm (0.2.86) cannot take a cache object itself.
import { createCrossOriginCache } from "./cache.js";
import { loadCore } from "./core.js";
import { joinedSignal, redactUrl, throwIfAborted } from "./errors.js";
import { installGetFileHandleAlias } from "./get-file-handle-alias.js";
import { Redactor } from "./redactor.js";

const CHAT_CONFIG = "mlc-chat-config.json";
const TENSOR_CACHE = "tensor-cache.json";
// Files stored at once; COS creates still take turns inside the cache.
const PARALLEL_STORES = 4;

/**
 * The model folder URL web-llm derives from `ModelRecord.model` (its `cleanModelUrl`, copied rule
 * for rule so the URLs match the keys web-llm asks for): a "/" appended, then "resolve/main/" unless
 * the URL already has a `/resolve/<revision>/` part.
 */
export function webLLMModelUrl(model) {
  let url = String(model);
  url += url.endsWith("/") ? "" : "/";
  if (!url.match(/.+\/resolve\/.+\//)) url += "resolve/main/";
  return new URL(url).href;
}

// web-llm reads its model library through its cache only for an absolute http(s) URL.
function cachedModelLib(modelLib) {
  return typeof modelLib === "string" && modelLib.startsWith("http") ? new URL(modelLib).href : null;
}

/**
 * See index.d.ts. `model`: a web-llm ModelRecord (`model`, `model_lib`, optional `model_manifest`,
 * `integrity`), or a tvmjs model URL (the folder of its tensor-cache.json: only the tensor cache).
 */
export async function prepareWebLLMModel(model, options = {}) {
  const { cache: givenCache, onProgress, signal, ...cacheOptions } = options;
  const core = await loadCore(cacheOptions);
  // The one exit for rejections, as for the cache's own methods: what the preparation throws
  // (a platform's URL TypeError quotes its input whole) leaves only as a redacted copy.
  const redactor = new Redactor(core);
  // Ended when the call settles, as well as by the caller: once one file fails and the call
  // rejects, the other files' loads stop and no new one starts (a given cache outlives the call).
  const settled = new AbortController();
  const work = joinedSignal(signal, settled.signal);
  try {
    return await prepare(core, redactor, model, { givenCache, onProgress, signal: work.signal, cacheOptions });
  } catch (error) {
    throw redactor.error(error);
  } finally {
    settled.abort();
    work.release();
  }
}

async function prepare(core, redactor, model, { givenCache, onProgress, signal, cacheOptions }) {
  if (givenCache && givenCache.scope !== "tvmjs") {
    throw new TypeError(`cross-origin-cache: prepareWebLLMModel: the cache must be created with scope "tvmjs" (tvmjs reads only tvmjs-cos-hash-meta), not "${givenCache.scope}"`);
  }
  const isUrl = model instanceof URL;
  const isRecord = typeof model === "object" && model !== null && !isUrl;
  if (isRecord ? typeof model.model !== "string" : typeof model !== "string" && !isUrl) {
    throw new TypeError("cross-origin-cache: prepareWebLLMModel: expected a web-llm ModelRecord ({model, model_lib, ...}) or a tvmjs model URL");
  }
  throwIfAborted(signal);
  // web-llm's tvmjs looks for navigator.crossOriginStorage.getFileHandle only; the COS extension
  // offers requestFileHandle. (Our cache calls whichever its storage has.)
  installGetFileHandleAlias();

  // A tvmjs model URL is joined as tvmjs joins it: new URL("tensor-cache.json", modelUrl).
  const modelUrl = isRecord ? webLLMModelUrl(model.model) : new URL(String(model), globalThis.location?.href).href;
  const files = new Map();  // url → {loaded, size}
  // Events show a URL as the cache's own events do: redacted by the core, with the secrets of every
  // file's URL known (as the cache knows them). The cache's byte progress is matched to its file
  // by that shown URL; a file that looks like another (they differ in a secret only) gets none.
  let byShownUrl = new Map();  // shown URL → url, or null when several
  const indexShownUrl = (url) => {
    const shown = redactor.text(url);
    byShownUrl.set(shown, byShownUrl.has(shown) ? null : url);
  };
  const indexShownUrls = () => {
    byShownUrl = new Map();
    for (const url of files.keys()) indexShownUrl(url);
  };
  const addFile = (url, size) => {
    redactor.remember(core.planRequest(url, [], [], "").secrets);
    files.set(url, { loaded: 0, size });
    indexShownUrl(url);
  };
  const fileOfEvent = (shown) => {
    // A secret learnt later may show in an earlier URL's text: index again once before giving up.
    if (!byShownUrl.has(shown)) indexShownUrls();
    return byShownUrl.get(shown) ?? null;
  };
  let filesDone = 0;
  const report = (url) => {
    if (!onProgress) return;
    let loaded = 0;
    let total = 0;
    for (const file of files.values()) {
      loaded += file.loaded;
      total += file.size ?? file.loaded;  // a size the hub did not list counts as what came so far
    }
    try {
      onProgress({ url: redactor.text(url), loaded, total, filesDone, filesTotal: files.size });
    } catch {
      // Progress is advisory.
    }
  };
  const cache = givenCache ?? await createCrossOriginCache({
    ...cacheOptions,
    scope: "tvmjs",
    onProgress(event) {
      const url = fileOfEvent(event.url);
      const file = url && files.get(url);
      if (file) {
        file.loaded = Math.min(event.loaded, file.size ?? event.loaded);
        report(url);
      }
    },
  });
  try {
    const configUrl = new URL(CHAT_CONFIG, modelUrl).href;
    const tensorCacheUrl = new URL(TENSOR_CACHE, modelUrl).href;
    const manifestUrl = isRecord && model.model_manifest !== undefined ? new URL(model.model_manifest, modelUrl).href : null;
    const libUrl = isRecord ? cachedModelLib(model.model_lib) : null;
    const integrity = isRecord ? model.integrity ?? {} : {};
    if (integrity.config) cache.addHint(configUrl, integrity.config);
    if (integrity.model_lib && libUrl) cache.addHint(libUrl, integrity.model_lib);
    for (const [name, sri] of Object.entries(integrity.tokenizer ?? {})) cache.addHint(new URL(name, modelUrl).href, sri);

    const store = async (urls, read) => {
      // One resolution request per repo revision for all of them (the cache batches).
      const details = await cache.resolveHashDetails(urls, { signal });
      urls.forEach((url, i) => addFile(url, details[i]?.size ?? null));
      report(urls[0]);
      const results = new Map();
      let next = 0;
      const worker = async () => {
        while (next < urls.length) {
          const url = urls[next++];
          throwIfAborted(signal);
          if (read.has(url)) results.set(url, await cache.fetchWithCache(url, "arraybuffer", signal));
          else await cache.addToCache(url, undefined, signal);
          const file = files.get(url);
          file.loaded = file.size ?? file.loaded;
          filesDone++;
          report(url);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_STORES, urls.length) }, worker));
      return results;
    };

    // What names the other files: the chat config (tokenizer files) and the tensor cache (shards).
    const first = [tensorCacheUrl];
    if (isRecord) first.unshift(configUrl);
    if (manifestUrl) first.push(manifestUrl);
    if (libUrl) first.push(libUrl);
    const read = await store(first, new Set([configUrl, tensorCacheUrl]));
    const text = (url) => new TextDecoder().decode(read.get(url));
    // In the URL parser's form, as tvmjs asks for them (new URL(name, base)) and as the cache keys
    // them: the result's files[].url are web-llm's keys.
    const rest = [
      ...(isRecord ? core.chatConfigTokenizerUrls(modelUrl, text(configUrl)) : []),
      ...core.tensorCacheShardUrls(tensorCacheUrl, text(tensorCacheUrl)),
    ].map((url) => new URL(url).href);
    const unique = [...new Set(rest)].filter((url) => !files.has(url));
    if (unique.length) await store(unique, new Set());
    await cache.flush();

    const urls = [...files.keys()];
    // Storage failures are best effort for a load (the bytes are still returned); here they are
    // the result: a file not in storage would be fetched again by web-llm.
    if (!(await cache.hasAllKeys(urls))) {
      throw new Error(`cross-origin-cache: prepareWebLLMModel: not every file of ${redactUrl(core, modelUrl)} is in storage (${cache.storageKind}); see onError`);
    }
    const details = await cache.resolveHashDetails(urls);
    return {
      modelUrl,
      files: urls.map((url, i) => ({ url, sha256: details[i]?.value ?? null, size: details[i]?.size ?? null })),
      stats: cache.stats(),
    };
  } finally {
    if (!givenCache) cache.dispose();
  }
}
