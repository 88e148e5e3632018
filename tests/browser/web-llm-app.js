// What web-llm.test.js runs in a page or in a dedicated module worker (not a test file): optionally
// prepareWebLLMModel, then web-llm 0.2.86's own loading path with cacheBackend "cross-origin", as far
// as it runs without a GPU and a real MLC model library:
//  - hasModelInCache(modelId, appConfig) (public);
//  - MLCEngine.reload(modelId) (public): its "webllm/config" and "webllm/wasm" caches read the chat
//    config and the model library; then tvmjs instantiates the library, which fails here (the hub's
//    wasm is not a TVM module), so the bytes web-llm handed to WebAssembly are hashed;
//  - asyncLoadTokenizer (web-llm's tokenizer loader, parsing tokenizer.json with its tokenizers wasm)
//    and the bundled tvmjs's Instance#fetchTensorCache with web-llm's own tensor-cache options: both
//    are internal, reached through the bundle served with one appended export line (the test's
//    `internals` module); fetchTensorCache runs without a TVM instance because the hub's shards list
//    no tensor records, so no byte goes to a device.
// Every byte handed back is hashed with WebCrypto, not our wasm.
import * as coc from "/js/index.js";

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
const digest = async (bytes) => hex(await crypto.subtle.digest("SHA-256", bytes));

export async function runWebLLM({ webllm, record, prepare, alias, worker, sampleText }) {
  const ownCos = typeof navigator.crossOriginStorage;
  if (worker) await coc.installCrossOriginStorage();
  const out = { ownCos, getFileHandleBeforeAlias: typeof navigator.crossOriginStorage?.getFileHandle, errors: [] };
  if (alias) coc.installGetFileHandleAlias();
  if (prepare) {
    const progress = [];
    const prepared = await coc.prepareWebLLMModel(record, { onProgress: (e) => progress.push(e) });
    out.prepared = { ...prepared, progressEvents: progress.length, lastProgress: progress.at(-1) };
  }
  const web = await import(webllm);
  const appConfig = { model_list: [record], cacheBackend: "cross-origin" };
  out.hasGetFileHandle = typeof navigator.crossOriginStorage?.getFileHandle === "function";
  out.hasModelInCache = await web.hasModelInCache(record.model_id, appConfig);

  // MLCEngine.reload: config and model library through web-llm's caches, then tvmjs instantiates.
  const instantiate = WebAssembly.instantiate;
  const libraryBytes = [];
  WebAssembly.instantiate = function (source, ...rest) {
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) libraryBytes.push(source.slice(0));
    return instantiate.call(this, source, ...rest);
  };
  const engine = new web.MLCEngine({ appConfig, logLevel: "SILENT" });
  try {
    await engine.reload(record.model_id);
    out.reload = "loaded";
  } catch (error) {
    out.reload = `${error?.name}: ${error?.message}`;
  } finally {
    WebAssembly.instantiate = instantiate;
  }
  out.libraryHandedToWasm = await Promise.all(libraryBytes.map(digest));
  out.chatConfigLoaded = Boolean(engine.loadedModelIdToChatConfig?.get(record.model_id));

  const tvmjs = web.internals.tvmjs;
  const modelUrl = web.internals.cleanModelUrl(record.model);
  const options = (scope) => web.internals.getTensorCacheAccessOptions(scope, appConfig);
  const bytes = {};
  const read = async (scope, url) => {
    bytes[url] = await digest(await tvmjs.createArtifactCache(scope, options(scope)).fetchWithCache(url, "arraybuffer"));
  };
  const configUrl = new URL("mlc-chat-config.json", modelUrl).href;
  await read("webllm/config", configUrl);
  await read("webllm/wasm", record.model_lib);
  const config = await tvmjs.createArtifactCache("webllm/config", options("webllm/config")).fetchWithCache(configUrl, "json");
  try {
    const tokenizer = await web.internals.asyncLoadTokenizer(modelUrl, config, appConfig, () => {});
    out.tokenizer = { vocabSize: tokenizer.getVocabSize(), ids: Array.from(tokenizer.encode(sampleText)) };
  } catch (error) {
    out.errors.push(`tokenizer: ${error?.message ?? error}`);
  }
  for (const name of config.tokenizer_files) await read("webllm/model", new URL(name, modelUrl).href);

  const tensorCache = Object.assign(Object.create(tvmjs.Instance.prototype), {
    initProgressCallback: [],
    env: { logger: (message) => out.errors.push(message) },
    cacheMetadata: {},
  });
  try {
    await tensorCache.fetchTensorCache(modelUrl, null, options("webllm/model"));
    out.tensorCacheMetadata = tensorCache.cacheMetadata;
  } catch (error) {
    out.errors.push(`fetchTensorCache: ${error?.message ?? error}`);
  }
  const tensorCacheUrl = new URL("tensor-cache.json", modelUrl).href;
  await read("webllm/model", tensorCacheUrl);
  const list = await tvmjs.createArtifactCache("webllm/model", options("webllm/model")).fetchWithCache(tensorCacheUrl, "json");
  for (const shard of list.records) await read("webllm/model", new URL(shard.dataPath, modelUrl).href);
  out.bytes = bytes;
  return out;
}
