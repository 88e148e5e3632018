// Type-checked only (tsc --noEmit, never run): uses every export and option of cross-origin-cache's
// index.d.ts, and hands the cache to the places the real clients type it: tvmjs's
// TensorCacheAccessOptions.artifactCache / FetchTensorCacheOptions and transformers.js's
// env.customCache.
import {
  CrossOriginCache,
  createCrossOriginCache,
  createSha256,
  loadCore,
  parseLfsPointer,
  sha256,
  type CacheErrorEvent,
  type CoreModule,
  type CoreOptions,
  type CrossOriginCacheOptions,
  type CrossOriginCacheStats,
  type CrossOriginStorageManager,
  type ErrorKind,
  type HashDescriptor,
  type HashDetails,
  type HashSource,
  type ProgressEvent,
  type RequestLike,
  type Sha256Hasher,
  connectCrossOriginStorage,
  exposeCrossOriginStorage,
  installCrossOriginStorage,
  installGetFileHandleAlias,
  type BridgedCrossOriginStorage,
  type ConnectCrossOriginStorageOptions,
  type CrossOriginStorageExposure,
  type ExposeCrossOriginStorageOptions,
  WllamaCacheManager,
  createWllamaCacheManager,
  wllamaNameFromURL,
  type WllamaCacheEntry,
  type WllamaCacheEntryMetadata,
  type WllamaCacheManagerOptions,
  type WllamaDownloadOptions,
  prepareWebLLMModel,
  webLLMModelUrl,
  type PreparedWebLLMModel,
  type PrepareWebLLMOptions,
  type PrepareWebLLMProgress,
  type WebLLMModelRecord,
} from "cross-origin-cache";
import { prebuiltAppConfig, type AppConfig, type ModelRecord } from "@mlc-ai/web-llm";
import {
  deleteTensorCache,
  hasTensorInCache,
  type ArtifactCacheTemplate,
  type FetchTensorCacheOptions,
  type Instance,
  type TensorCacheAccessOptions,
} from "@mlc-ai/web-runtime";
import { env, type AutoTokenizer } from "@huggingface/transformers";
// wllama 3.8.1 has no "exports", its "main" names a file it does not ship, and its esm/index.d.ts
// re-exports without extensions (unresolved under nodenext): its declaration files by path.
import type { CacheManager } from "@wllama/wllama/esm/cache-manager.js";
import { ModelManager } from "@wllama/wllama/esm/model-manager.js";

const wasmUrl: CoreOptions = { wasmUrl: new URL("./core.wasm", "https://app.example/") };
const wasmBytes: CoreOptions = { wasmBinary: new Uint8Array(8) };
const wasmBuffer: CoreOptions = { wasmBinary: new ArrayBuffer(8), wasmUrl: "/assets/core.wasm" };

async function hashing(): Promise<string[]> {
  const hasher: Sha256Hasher = await createSha256(wasmUrl);
  const chained: Sha256Hasher = hasher.update(new Uint8Array([1, 2])).update(new ArrayBuffer(2)).update(new DataView(new ArrayBuffer(4)));
  const hex: string = chained.digest();
  const plain: string = await sha256(new TextEncoder().encode("abc"));
  const withOptions: string = await sha256(new Float32Array(4), wasmBytes);
  const fromBuffer: string = await sha256(new ArrayBuffer(3), wasmBuffer);
  await createSha256();
  const pointer = await parseLfsPointer("version https://git-lfs.github.com/spec/v1\noid sha256:...\nsize 1\n");
  const oid: string | undefined = pointer?.oid;
  const size: number | undefined = pointer?.size;
  await parseLfsPointer("x", { wasmUrl: "core.wasm" });
  const core: CoreModule = await loadCore();
  await loadCore(wasmBytes);
  const resolver = new core.Resolver({ maxAge: 60_000, legacyStores: ["tvmjs-cos-hash-meta"] });
  const cohort: number = resolver.openCohort();
  const resolution = resolver.resolution("https://huggingface.co/org/model/resolve/main/x.bin", Date.now(), false, cohort, "");
  resolver.closeCohort(cohort);
  const step = resolution.next();
  const waitsFor: number[] = resolver.takeBatches(Date.now()).requests.flatMap((request) => request.tickets);
  const fetchesPointer: boolean = step.action === core.StepAction.fetchPointer;
  const pointerUrl: string = step.pointerUrl;
  resolution.delete();
  resolver.delete();
  const kind: string | undefined = core.errorKinds.persistFailed;
  return [hex, plain, withOptions, fromBuffer, oid ?? "", String(size), String(fetchesPointer), pointerUrl, kind ?? "", String(waitsFor)];
}

const manager: CrossOriginStorageManager = {
  async requestFileHandle(hash: HashDescriptor, options?: { create?: boolean; origins?: string | string[] }) {
    return { hash, options };
  },
};
const newestShape: CrossOriginStorageManager = { getFileHandle: async () => ({}) };
const oldestShape: CrossOriginStorageManager = { requestFileHandles: async (hashes) => hashes.map(() => ({})) };

function onError(event: CacheErrorEvent): void {
  const kind: ErrorKind | string = event.kind;
  const known: ErrorKind[] = [
    "persist-failed", "persisted-read-failed", "persisted-record-invalid", "pointer-invalid",
    "pointer-fetch-failed", "batch-unavailable", "batch-failed", "batch-invalid", "listing-failed", "listing-invalid", "cos-not-allowed",
    "cos-quota", "cos-hash-mismatch", "cos-failed", "record-corrected",
  ];
  // The subject names the one field the event carries.
  const about: string = event.subject === "url" ? event.url : event.subject === "hash" ? event.hash : event.store;
  console.log(kind, known.includes(event.kind), about, event.error.message, event.message);
}

function onProgress(event: ProgressEvent): void {
  const phase: "resolve" | "download" | "hash" | "store" = event.phase;
  const total: number | undefined = event.total;
  console.log(event.url, phase, event.loaded, total);
}

// Every option, once.
const everyOption: CrossOriginCacheOptions = {
  wasmUrl: "/assets/core.wasm",
  wasmBinary: new Uint8Array(0),
  scope: "tvmjs",
  fetch: globalThis.fetch,
  caches: globalThis.caches,
  storage: manager,
  origins: "*",
  fallback: false,
  importLegacy: true,
  batch: true,
  listRepos: false,
  maxAge: 60_000,
  maxAgeOtherHosts: 86_400_000,
  capacity: 1000,
  resumeAttempts: 5,
  pacedDownloads: "auto",
  resolutionTimeout: 10_000,
  hints: { "https://huggingface.co/org/repo/resolve/main/model.bin": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
  onError,
  onProgress,
};
const listedOrigins: CrossOriginCacheOptions = { origins: ["https://a.example", "https://b.example"], storage: null };

async function caching(signal: AbortSignal): Promise<void> {
  const cache: CrossOriginCache = await createCrossOriginCache(everyOption);
  await createCrossOriginCache();
  await createCrossOriginCache(listedOrigins);
  await createCrossOriginCache({ storage: newestShape });
  await createCrossOriginCache({ storage: oldestShape });

  const scope: string = cache.scope;
  const kind: "cross-origin-storage" | "fallback" | "none" = cache.storageKind;
  const url = "https://huggingface.co/org/repo/resolve/main/params_shard_0.bin";
  const requests: RequestLike[] = [url, new URL(url), new Request(url)];
  const one: HashDescriptor | null = await cache.resolveHash(requests[2]!);
  const many: (HashDescriptor | null)[] = await cache.resolveHashes(requests);
  const detailed: (HashDetails | null)[] = await cache.resolveHashDetails(requests);
  const source: HashSource | undefined = detailed[0]?.source;
  const detailNumbers: (number | null | undefined)[] = [detailed[0]?.size];
  const commit: string | null | undefined = detailed[0]?.commit;
  const algorithm: "SHA-256" | undefined = one?.algorithm;
  cache.addHint(url, "0".repeat(64));
  cache.addHint(new URL(url), "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");

  // tvmjs ArtifactCacheTemplate
  const response: Response = await cache.fetchWithCache(url);
  const json: { records: unknown[] } = await cache.fetchWithCache(url, "json", signal);
  const bytes: ArrayBuffer = await cache.fetchWithCache(url, "arraybuffer", signal);
  const dynamic: unknown = await cache.fetchWithCache(url, String(Math.random()));
  await cache.addToCache(url);
  await cache.addToCache(url, "arraybuffer", signal);
  const all: boolean = await cache.hasAllKeys([url]);
  await cache.deleteInCache(url);

  // Cache-like
  const matched: Response | undefined = await cache.match(new Request(url));
  await cache.match(url);
  await cache.put(url, new Response(new Uint8Array(1)));
  await cache.put(new URL(url), response);

  const stats: CrossOriginCacheStats = cache.stats();
  const counts: number[] = [
    stats.hits.memory, stats.hits.persisted, stats.hits.imported, stats.hits.batch, stats.hits.pointer,
    stats.hits.content, stats.hits.hint, stats.hits.stale, stats.unresolved, stats.resolutionRequests.listing, stats.resolutionRequests.pathsInfo,
    stats.resolutionRequests.pointer, stats.downloads, stats.resumedDownloads, stats.bytesDownloaded,
    stats.storageHits, stats.storageMisses, stats.bytesFromStorage, stats.stored, stats.bytesStored,
    stats.errors["cos-failed"] ?? 0,
  ];
  const storage: CrossOriginCacheStats["storage"] = stats.storage;
  cache.dispose();
  console.log(scope, kind, many, detailed, source, detailNumbers, commit, algorithm, json, bytes, dynamic, all, matched, counts, storage);
}

// ---- tvmjs (@mlc-ai/web-runtime): our cache where its typings take an artifact cache.
async function tvmjs(cache: CrossOriginCache, instance: Instance, signal: AbortSignal): Promise<boolean> {
  const template: ArtifactCacheTemplate = cache;
  const access: TensorCacheAccessOptions = { artifactCache: cache, cacheScope: "tvmjs" };
  const fetchOptions: FetchTensorCacheOptions = { artifactCache: template, signal };
  const base = "https://huggingface.co/org/model-MLC/resolve/main/";
  await instance.fetchTensorCache(base, instance.cpu(), fetchOptions);
  const cached: boolean = await hasTensorInCache(base, access);
  await deleteTensorCache(base, { artifactCache: cache });
  return cached;
}

// ---- transformers.js: our cache as env.customCache.
async function transformers(cache: CrossOriginCache, tokenizer: typeof AutoTokenizer): Promise<void> {
  env.useCustomCache = true;
  env.customCache = cache;
  env.useBrowserCache = false;
  env.remoteHost = "https://huggingface.co/";
  await tokenizer.from_pretrained("org/model");
}

// ---- workers: the page exposes its COS, the worker connects or installs it.
async function workers(worker: Worker, shared: SharedWorker, port: MessagePort): Promise<boolean> {
  const exposure: CrossOriginStorageExposure = exposeCrossOriginStorage(worker);
  const none: ExposeCrossOriginStorageOptions = { storage: null };
  exposeCrossOriginStorage(shared, none).close();
  exposeCrossOriginStorage(port, { storage: manager });
  exposure.close();
  const connect: ConnectCrossOriginStorageOptions = { port, timeoutMs: 500 };
  const bridged: BridgedCrossOriginStorage | null = await connectCrossOriginStorage(connect);
  if (bridged) {
    await bridged.getFileHandle({ algorithm: "SHA-256", value: "0".repeat(64) });
    await createCrossOriginCache({ storage: bridged });
    bridged.disconnect();
  }
  const installed: boolean = await installCrossOriginStorage();
  return installed && (installGetFileHandleAlias() || installGetFileHandleAlias(manager));
}

// ---- wllama: our cache as its cacheManager (its class type has private members: a cast).
async function wllama(cache: CrossOriginCache, signal: AbortSignal): Promise<number> {
  const options: WllamaCacheManagerOptions = { caches };
  const manager: WllamaCacheManager = createWllamaCacheManager(cache, options);
  createWllamaCacheManager(cache);
  new WllamaCacheManager(cache, {});
  // Every public member of wllama's CacheManager, checked structurally (keyof skips its private ones).
  const publicShape: Pick<CacheManager, keyof CacheManager> = manager;
  const models = new ModelManager({ cacheManager: publicShape as CacheManager });
  const url = "https://huggingface.co/org/model-GGUF/resolve/main/model-00001-of-00002.gguf";
  const name: string = await manager.getNameFromURL(url);
  const same: string = await wllamaNameFromURL(url);
  const download: WllamaDownloadOptions = {
    headers: { Authorization: "Bearer hf_x" }, signal, metadataAdditional: { mmprojURL: undefined },
    progressCallback: ({ loaded, total }) => loaded / total,
  };
  await manager.download(url, download);
  await manager.download(url);
  const blob: Blob | null = await manager.open(name);
  const size: number = await manager.getSize(same);
  const metadata: WllamaCacheEntryMetadata | null = await manager.getMetadata(name);
  if (metadata) await manager.writeMetadata(name, metadata);
  await manager.write(name, new Blob([]).stream(), { etag: "", originalSize: 0, originalURL: url });
  const entries: WllamaCacheEntry[] = await manager.list();
  await manager.deleteMany((entry: WllamaCacheEntry) => entry.size === 0);
  await manager.delete(url);
  await manager.clear();
  await models.getModels();
  return (blob?.size ?? 0) + size + entries.length;
}

// web-llm's own ModelRecord is what prepareWebLLMModel takes.
async function webllm(signal: AbortSignal): Promise<number> {
  const appConfig: AppConfig = { ...prebuiltAppConfig, cacheBackend: "cross-origin" };
  const record: ModelRecord = appConfig.model_list[0];
  const asOurs: WebLLMModelRecord = record;
  const cache = await createCrossOriginCache({ scope: "tvmjs" });
  const options: PrepareWebLLMOptions = {
    cache, signal, onProgress: (event: PrepareWebLLMProgress) => event.loaded / event.total + event.filesDone / event.filesTotal,
  };
  const prepared: PreparedWebLLMModel = await prepareWebLLMModel(asOurs, options);
  await prepareWebLLMModel(record, { origins: "*", onError: (e: CacheErrorEvent) => e.kind });
  await prepareWebLLMModel(new URL(webLLMModelUrl(record.model)));
  const first: string | null = prepared.files[0].sha256;
  return prepared.stats.downloads + prepared.modelUrl.length + (first?.length ?? 0);
}

export { caching, hashing, transformers, tvmjs, webllm, wllama, workers };
