// What a web app using transformers.js does, for transformers.test.js (not a test file: node --test
// picks only *.test.js). Runs the same in a page and in a dedicated module worker: transformers.js's
// browser build (dist/transformers.js, self-contained: onnxruntime-web is bundled, and a tokenizer or
// config load never starts it) as a real ES module served by the test site, our cache as
// env.customCache, the local hub as env.remoteHost. Bytes are checked with WebCrypto, never with the
// package's wasm.

export const TRANSFORMERS = "/node_modules/@huggingface/transformers/dist/transformers.js";
export const PACKAGE = "/js/index.js";
/** onnxruntime-web's runtime, the build transformers.js picks by default (it would fetch it from a CDN). */
export const ORT_WASM = "/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify";

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

/** Wraps a cache so every match()/put() transformers.js makes is recorded (key, outcome). */
function recording(cache) {
  const calls = [];
  return {
    calls,
    cache: {
      async match(request) {
        const call = { method: "match", key: String(request?.url ?? request) };
        calls.push(call);
        const response = await cache.match(request);
        call.outcome = response === undefined ? "miss" : "hit";
        return response;
      },
      async put(request, response) {
        calls.push({ method: "put", key: String(request?.url ?? request), status: response?.status });
        return cache.put(request, response);
      },
    },
  };
}

/**
 * Loads `repo`'s tokenizer (AutoTokenizer) and config (AutoConfig) through transformers.js with a new
 * cache of ours, tokenizes `text`, with `model` also the model (AutoModel: its ONNX file into an
 * onnxruntime-web session, never run), then reads every URL in `check` back from our cache and
 * hashes it with WebCrypto.
 * @param {{hubUrl: string, repo: string, text: string, check: string[], model?: boolean}} arg
 */
export async function loadWithTransformers({ hubUrl, repo, text, check, model = false }) {
  const { env, AutoTokenizer, AutoConfig, AutoModel } = await import(TRANSFORMERS);
  const { createCrossOriginCache } = await import(PACKAGE);
  const errors = [];
  const ours = await createCrossOriginCache({ onError: (e) => errors.push({ kind: e.kind, message: e.message }) });
  const { cache, calls } = recording(ours);
  Object.assign(env, {
    remoteHost: `${hubUrl}/`,
    allowLocalModels: false,
    allowRemoteModels: true,
    useBrowserCache: false,
    useWasmCache: false,
    experimental_useCrossOriginStorage: false,
    useCustomCache: true,
    customCache: cache,
  });

  const tokenizer = await AutoTokenizer.from_pretrained(repo);
  const ids = tokenizer.encode(text, { add_special_tokens: false });
  const config = await AutoConfig.from_pretrained(repo);
  let session = null;
  if (model) {
    env.backends.onnx.wasm.wasmPaths = { mjs: `${location.origin}${ORT_WASM}.mjs`, wasm: `${location.origin}${ORT_WASM}.wasm` };
    const loaded = await AutoModel.from_pretrained(repo, { device: "wasm", dtype: "fp32" });
    const onnx = Object.values(loaded.sessions ?? {})[0];
    session = { className: loaded.constructor.name, inputNames: onnx?.inputNames, outputNames: onnx?.outputNames };
    await loaded.dispose?.();
  }
  const stats = ours.stats();  // before the checks below, which read the cache again

  const files = [];
  for (const url of check) {
    const response = await ours.match(url);
    if (!response) {
      files.push({ url, held: false });
      continue;
    }
    const buffer = await response.arrayBuffer();
    files.push({ url, held: true, size: buffer.byteLength, sha256: hex(await crypto.subtle.digest("SHA-256", buffer)) });
  }
  const result = {
    storageKind: ours.storageKind,
    ownCos: typeof navigator.crossOriginStorage,
    ids,
    modelType: config.model_type,
    vocabSize: config.vocab_size,
    session,
    stats,
    files,
    errors,
    calls,
  };
  await ours.flush();  // the persisted URL→hash snapshot, before the page or worker goes away
  ours.dispose();
  return result;
}
