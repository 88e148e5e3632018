// Type declarations for cross-origin-cache (written by hand: Emscripten 3.1.6 emits none).

/** The Cross-Origin Storage hash descriptor; `value` is always 64 lowercase hex digits. */
export interface HashDescriptor {
  algorithm: "SHA-256";
  value: string;
}

/** Options that locate the wasm where a bundler did not copy `dist/core.wasm`. */
export interface CoreOptions {
  /** URL of `core.wasm` (e.g. from your bundler's asset handling). */
  wasmUrl?: string | URL;
  /** The bytes of `core.wasm`. */
  wasmBinary?: ArrayBuffer | Uint8Array;
}

export interface Sha256Hasher {
  /** Adds bytes; throws after digest(). */
  update(data: Uint8Array | ArrayBuffer | ArrayBufferView): Sha256Hasher;
  /** Lowercase hex; frees the hasher, so a second call throws. */
  digest(): string;
}

export function createSha256(options?: CoreOptions): Promise<Sha256Hasher>;
export function sha256(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: CoreOptions): Promise<string>;
export function parseLfsPointer(text: string, options?: CoreOptions): Promise<{ oid: string; size: number } | null>;

export type ErrorKind =
  | "persist-failed"
  | "persisted-read-failed"
  | "persisted-record-invalid"
  | "persisted-snapshot-invalid"
  | "pointer-invalid"
  | "pointer-fetch-failed"
  | "batch-unavailable"
  | "batch-failed"
  | "batch-invalid"
  | "listing-failed"
  | "listing-invalid"
  | "cos-not-allowed"
  | "cos-quota"
  | "cos-hash-mismatch"
  | "cos-failed"
  | "prefetch-failed"
  | "integrity-mismatch"
  /** Not a failure of the load: a body broke off and the rest came with a range request. */
  | "download-resumed"
  /** Not a failure of the load: bytes refuted a stored URL→hash record (a cache, not a verdict);
   * the hub (or the bytes) was asked again and the record corrected where it is kept. */
  | "record-corrected";

/** What every error event carries, whatever its subject. */
interface CacheErrorEventBase {
  kind: ErrorKind;
  error: Error;
  message: string;
}

/**
 * An `onError` event. `subject` says what it is about, and exactly the matching field is set:
 * `url` (credentials redacted), `hash` (hex SHA-256, space-separated when several, e.g. from
 * `hasAllKeys`) or `store` (a Cache API store name, e.g. the persisted snapshot's).
 */
export type CacheErrorEvent =
  | (CacheErrorEventBase & { subject: "url"; url: string })
  | (CacheErrorEventBase & { subject: "hash"; hash: string })
  | (CacheErrorEventBase & { subject: "store"; store: string });

export interface ProgressEvent {
  url: string;
  /** "download": bytes arriving (and, when the hash is known, streaming into storage); "store": a
   * downloaded file whose hash came from its content being written to storage. */
  phase: "download" | "store";
  loaded: number;
  total?: number;
}

/** What `navigator.crossOriginStorage` offers (any of the three draft shapes). */
export interface CrossOriginStorageManager {
  getFileHandle?(hash: HashDescriptor, options?: { create?: boolean; origins?: string | string[] }): Promise<unknown>;
  requestFileHandle?(hash: HashDescriptor, options?: { create?: boolean; origins?: string | string[] }): Promise<unknown>;
  requestFileHandles?(hashes: HashDescriptor[], options?: { create?: boolean; origins?: string | string[] }): Promise<unknown[]>;
}

export interface CrossOriginCacheOptions extends CoreOptions {
  /** Names the persisted store `<scope>-cos-hash-meta`; "tvmjs" shares tvmjs's store. Default "cross-origin-cache". */
  scope?: string;
  fetch?: typeof fetch;
  /** A CacheStorage; default `globalThis.caches` when it exists (persistence is off without one). */
  caches?: CacheStorage;
  /** A COS manager; default `navigator.crossOriginStorage`. */
  storage?: CrossOriginStorageManager | null;
  /** Who may read what this cache stores in COS. Default "*". Private requests are always same-site. */
  origins?: "*" | string[];
  /** Same-origin content-addressed store in the Cache API when no COS manager exists. Default true. */
  fallback?: boolean;
  /** Read tvmjs's and transformers.js's stored URL→hash maps after our own. Default true. */
  importLegacy?: boolean;
  /** Ask the hub's API for hashes in batches (one request per repo revision). Default true. */
  batch?: boolean;
  /** With `batch`: list a model repo's revision once (`GET /api/models/{repo}/tree/{revision}?recursive=true`),
   * so its other files need no request; `false` asks paths-info for the files at hand instead
   * (always so for datasets and spaces). Default true. */
  listRepos?: boolean;
  /** Milliseconds after which a hash of a branch/tag URL is revalidated. Default 3600000. */
  maxAge?: number;
  /** Milliseconds after which a hash of a non-hub URL expires; default never. */
  maxAgeOtherHosts?: number;
  /** In-memory index entries. Default 10000. */
  capacity?: number;
  /** How often a download that breaks off is resumed with a range request (`Range: bytes=<n>-`),
   * for files whose hash is known beforehand (the bytes are verified against it). 0: never.
   * Default 3. */
  resumeAttempts?: number;
  /** Whether a large download whose hash is known is taken as consecutive bounded range requests
   * (`Range: bytes=<n>-<m>`, 32 MiB each), each asked for only once the bytes before it are in
   * storage, so the page never holds the whole file. For browsers that apply no backpressure to a
   * fetch() body (Firefox takes in the whole response as fast as the network sends it, read or
   * not). `"auto"`: so in Firefox (Gecko) only; `true`/`false`: always/never. A server that ignores
   * the range is read in one body. Default "auto". */
  pacedDownloads?: "auto" | boolean;
  /** Milliseconds a resolution request (listing, paths-info, LFS pointer) may go unanswered; then it
   * is abandoned, reported through `onError` (`listing-failed`, `batch-failed`,
   * `pointer-fetch-failed`: "timed out after N ms") and the next source is used. A number > 0 and
   * at most 2147483647, or `Infinity` (wait for ever); anything else is a `TypeError`.
   * Default 30000. */
  resolutionTimeout?: number;
  /** Milliseconds a storage call that should answer at once (a handle request, `createWritable()`,
   * `getFile()`) may go unanswered; then it fails with a `TimeoutError`: a read is a storage error
   * (`cos-failed`, the file is downloaded), a write's create fails the write (`cos-failed`, the
   * bytes are served unstored), and no later write waits for it. Writes and closes are not bounded
   * (they last as long as the bytes take). A number > 0 and at most 2147483647, or `Infinity`.
   * Default 60000. */
  storageTimeout?: number;
  /** URL → SRI string (`sha256-<base64>`) or hex SHA-256 known in advance. */
  hints?: Record<string, string>;
  onError?: (event: CacheErrorEvent) => void;
  onProgress?: (event: ProgressEvent) => void;
}

export interface CrossOriginCacheStats {
  hits: Record<"memory" | "persisted" | "imported" | "batch" | "pointer" | "content" | "hint" | "stale", number>;
  unresolved: number;
  /**
   * listing: tree listings; pathsInfo: paths-info requests (the two make the `batch` option's
   * requests, and `hits.batch` counts answers from either); pointer: /raw/ pointer requests.
   */
  resolutionRequests: { listing: number; pathsInfo: number; pointer: number };
  downloads: number;
  /** Downloads that broke off and were resumed (each resume counts). */
  resumedDownloads: number;
  bytesDownloaded: number;
  /** Loads storage answered (addToCache only asks for a handle: a hit without bytes read). */
  storageHits: number;
  storageMisses: number;
  /** Bytes of the files opened from storage for callers. */
  bytesFromStorage: number;
  stored: number;
  bytesStored: number;
  errors: Record<string, number>;
  storage: "cross-origin-storage" | "fallback" | "none";
}

export type RequestLike = string | URL | Request;

/** Where a hash came from this time: memory, our persisted store, another library's store
 * (imported), the hub's listing or paths-info (batch), an LFS pointer, a caller's hint, or a
 * record past maxAge the hub could not revalidate (stale). */
export type HashSource = "memory" | "persisted" | "imported" | "batch" | "pointer" | "hint" | "stale";

export interface HashDetails extends HashDescriptor {
  /** Bytes, when the source said. */
  size: number | null;
  /** The repo commit the hash was read at, when known. */
  commit: string | null;
  source: HashSource;
}

export interface ResolveOptions {
  signal?: AbortSignal;
}

export declare class CrossOriginCache {
  readonly scope: string;
  readonly storageKind: "cross-origin-storage" | "fallback" | "none";
  /** `signal` ends the call's wait with an AbortError (a hub request other calls share goes on). */
  resolveHash(request: RequestLike, options?: ResolveOptions): Promise<HashDescriptor | null>;
  resolveHashes(requests: RequestLike[], options?: ResolveOptions): Promise<(HashDescriptor | null)[]>;
  /** As resolveHashes, with size, commit and source; null where the hash must come from the bytes. */
  resolveHashDetails(requests: RequestLike[], options?: ResolveOptions): Promise<(HashDetails | null)[]>;
  addHint(url: RequestLike, integrity: string): void;
  /** Writes pending persisted state now: the one-entry snapshot of every URL→hash record that a
   * reload reads instead of one entry per URL (otherwise written within a second of a change). */
  flush(): Promise<void>;
  // tvmjs ArtifactCacheTemplate
  // A Request's headers, credentials and mode are used for the download and for the hub requests
  // to the file's own origin; a private one (credential header, cookies, credentials in its URL)
  // is stored same-site only.
  fetchWithCache(url: string | Request, storetype?: undefined, signal?: AbortSignal): Promise<Response>;
  fetchWithCache(url: string | Request, storetype: "json", signal?: AbortSignal): Promise<any>;
  fetchWithCache(url: string | Request, storetype: "arraybuffer", signal?: AbortSignal): Promise<ArrayBuffer>;
  fetchWithCache(url: string | Request, storetype?: string, signal?: AbortSignal): Promise<any>;
  addToCache(url: string | Request, storetype?: string, signal?: AbortSignal): Promise<void>;
  hasAllKeys(urls: string[]): Promise<boolean>;
  deleteInCache(url: string): Promise<void>;
  // Cache-like (transformers.js env.customCache)
  match(request: RequestLike): Promise<Response | undefined>;
  put(request: RequestLike, response: Response): Promise<void>;
  /** Forgets the request's URL→hash mapping (as deleteInCache); true when there was one. */
  delete(request: RequestLike): Promise<boolean>;
  stats(): CrossOriginCacheStats;
  /**
   * Frees the wasm-side index. Loads in flight stop reading and reject with an AbortError ("the
   * cache was disposed"), storing nothing; later calls reject with an Error saying so. A second call does nothing.
   */
  dispose(): void;
}

export function createCrossOriginCache(options?: CrossOriginCacheOptions): Promise<CrossOriginCache>;
/** The wasm core itself (the shim's own boundary, typed in core.d.ts). */
export function loadCore(options?: CoreOptions): Promise<import("./core.js").CoreModule>;
export type { CoreModule } from "./core.js";

// ---- workers: the page's Cross-Origin Storage over a MessagePort (js/cos-bridge/) -------------

/** A COS manager whose calls run in the page that exposed its storage; disconnect() ends the bridge (the page aborts open writes). */
export interface BridgedCrossOriginStorage extends Required<CrossOriginStorageManager> {
  disconnect(): void;
}

export interface ExposeCrossOriginStorageOptions {
  /** The page's COS manager; default `navigator.crossOriginStorage`. null: tell the worker there is none. */
  storage?: CrossOriginStorageManager | null;
}

/** Returned by exposeCrossOriginStorage: close() stops exposing and aborts the writes still open. */
export interface CrossOriginStorageExposure {
  close(): void;
}

/**
 * Page side: exposes the page's COS to a dedicated Worker, a SharedWorker (its port) or any
 * MessagePort whose other end calls connectCrossOriginStorage(). Call it right after creating the worker.
 */
export function exposeCrossOriginStorage(
  target: Worker | SharedWorker | MessagePort,
  options?: ExposeCrossOriginStorageOptions,
): CrossOriginStorageExposure;

export interface ConnectCrossOriginStorageOptions {
  /** Where the page's handshake arrives (a SharedWorker's connect port); default the dedicated worker's scope. */
  port?: MessagePort;
  /**
   * How long to wait for the handshake, in ms; default 1000. `Infinity`: for ever. A negative
   * number, NaN or a value of another kind is a TypeError naming the option.
   */
  timeoutMs?: number;
}

/** Worker side: the page's COS, or null when the page has none or sent no handshake in time. */
export function connectCrossOriginStorage(options?: ConnectCrossOriginStorageOptions): Promise<BridgedCrossOriginStorage | null>;

/** Worker side: installs the page's COS as `navigator.crossOriginStorage` (never replacing one); resolves to whether there is one now. */
export function installCrossOriginStorage(options?: ConnectCrossOriginStorageOptions): Promise<boolean>;

/**
 * Adds `getFileHandle` (the newest draft name) to a manager that has only `requestFileHandle` or
 * `requestFileHandles`; default `navigator.crossOriginStorage`. Never replaces one; returns whether it added it.
 */
export function installGetFileHandleAlias(manager?: CrossOriginStorageManager | null): boolean;

// ---- @wllama/wllama: its `cacheManager` over a CrossOriginCache (js/wllama-cache-manager.js) ----

/** wllama's CacheEntryMetadata (3.8.x). */
export interface WllamaCacheEntryMetadata {
  /** wllama keeps the response's ETag; here the file's SHA-256 (hex) when known, else "". */
  etag: string;
  /** Bytes of the remote file, compared by wllama with `size` to call a file valid. */
  originalSize: number;
  originalURL: string;
  mmprojURL?: string | undefined;
  sha256?: string | undefined;
  [key: string]: any;
}

/** wllama's CacheEntry: `name` is wllama's key for the URL (`${hashSHA1(url)}_${fileName}`). */
export interface WllamaCacheEntry {
  name: string;
  /** Bytes in storage now (0 when the storage no longer has them). */
  size: number;
  metadata: WllamaCacheEntryMetadata;
}

/** wllama's DownloadOptions. */
export interface WllamaDownloadOptions {
  /** Called with the file's size once it is in storage (the cache's `onProgress` gets byte progress). */
  progressCallback?: (progress: { loaded: number; total: number }) => any;
  metadataAdditional?: Record<string, any>;
  /** Sent with the cache's requests for this file (e.g. `Authorization` for a gated repo), taken
   * as fetch takes them; a URL's userinfo goes as `Authorization: Basic` unless they have one. */
  headers?: HeadersInit;
  signal?: AbortSignal;
}

export interface WllamaCacheManagerOptions {
  /** Where the index of wllama's metadata (`<scope>-wllama-index`) is kept; default `globalThis.caches`, in memory without one. */
  caches?: CacheStorage;
}

/**
 * The interface of wllama's CacheManager, for `new ModelManager({cacheManager})` or
 * `new Wllama(paths, {cacheManager})`. wllama types that option as its class, whose private
 * members make TypeScript want a cast: `createWllamaCacheManager(cache) as unknown as CacheManager`.
 */
export declare class WllamaCacheManager {
  constructor(cache: CrossOriginCache, options?: WllamaCacheManagerOptions);
  getNameFromURL(url: string): Promise<string>;
  /** Stores a stream as the bytes of `metadata.originalURL`, then the metadata under `name`. */
  write(name: string, stream: ReadableStream, metadata: WllamaCacheEntryMetadata): Promise<void>;
  download(url: string, options?: WllamaDownloadOptions): Promise<void>;
  open(nameOrURL: string): Promise<Blob | null>;
  /** Bytes in storage, or -1. */
  getSize(name: string): Promise<number>;
  getMetadata(name: string): Promise<WllamaCacheEntryMetadata | null>;
  list(): Promise<WllamaCacheEntry[]>;
  clear(): Promise<void>;
  delete(nameOrURL: string): Promise<void>;
  deleteMany(predicate: (entry: WllamaCacheEntry) => boolean): Promise<void>;
  writeMetadata(name: string, metadata: WllamaCacheEntryMetadata): Promise<void>;
}

export function createWllamaCacheManager(cache: CrossOriginCache, options?: WllamaCacheManagerOptions): WllamaCacheManager;

/** wllama's key for a URL: `${hashSHA1(url)}_${last path segment}`. */
export function wllamaNameFromURL(url: string): Promise<string>;

// ---- @mlc-ai/web-llm: preparing a model for its cacheBackend "cross-origin" (js/web-llm.js) ----

/** The fields of web-llm's ModelRecord that name its files. */
export interface WebLLMModelRecord {
  /** The model folder (web-llm appends "resolve/main/" unless it has a `/resolve/<revision>/` part). */
  model: string;
  model_id?: string;
  /** The model library; prepared when it is an absolute http(s) URL (web-llm caches only those). */
  model_lib?: string;
  /** Relative to the model folder, when the record names one. */
  model_manifest?: string;
  /** web-llm's ModelIntegrity: its SRI strings become hints (a sha256- one keys COS directly). */
  integrity?: { config?: string; model_lib?: string; tokenizer?: Record<string, string> };
}

/** Per file; with a cache made by the call (no `cache` option) also as bytes arrive. */
export interface PrepareWebLLMProgress {
  /** The file the event is about, credentials redacted (as in the cache's own events). */
  url: string;
  /** Bytes of the files known so far that are in storage or on their way (sizes the hub reported). */
  loaded: number;
  total: number;
  filesDone: number;
  filesTotal: number;
}

export interface PrepareWebLLMOptions extends Omit<CrossOriginCacheOptions, "scope" | "onProgress"> {
  /** A cache created with `scope: "tvmjs"` (else a TypeError); default: one made for this call, then disposed. */
  cache?: CrossOriginCache;
  onProgress?: (event: PrepareWebLLMProgress) => void;
  /** Ends the preparation; what was stored stays stored. */
  signal?: AbortSignal;
}

/**
 * For the caller who gave the URLs: `modelUrl` and each file's `url` are the URLs web-llm asks for,
 * credentials (userinfo, `?token=…`) included, not redacted; don't log them.
 */
export interface PreparedWebLLMModel {
  /** The model folder URL web-llm uses (see webLLMModelUrl). */
  modelUrl: string;
  files: { url: string; sha256: string | null; size: number | null }[];
  /** The cache's stats after the preparation. */
  stats: CrossOriginCacheStats;
}

/**
 * Puts every file web-llm's `cacheBackend: "cross-origin"` will read (chat config, manifest when named,
 * tokenizer files, tensor-cache.json, its shards, the model library) into Cross-Origin Storage,
 * verified, with their URL→hash in tvmjs's store `tvmjs-cos-hash-meta`; installs the getFileHandle
 * alias. `model`: a ModelRecord, or a tvmjs model URL (its tensor cache only). A rejection is a
 * redacted copy, as from the cache's methods (a platform's URL TypeError included).
 */
export function prepareWebLLMModel(model: WebLLMModelRecord | string | URL, options?: PrepareWebLLMOptions): Promise<PreparedWebLLMModel>;

/** web-llm's model folder URL for `ModelRecord.model` (its cleanModelUrl). */
export function webLLMModelUrl(model: string): string;
