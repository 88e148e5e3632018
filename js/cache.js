// The cross-origin cache, the public object: the tvmjs ArtifactCache and Cache-like methods, over
// hash resolution (js/hash-resolution.js: memory → persisted store → legacy stores → batch → LFS
// pointer → content) and one transfer per load (js/transfer.js: storage or network, verified,
// stored through Cross-Origin Storage). Every decision comes from the core; this file only wires.
import { loadCore } from "./core.js";
import { CosClient } from "./cos-client.js";
import { ErrorReporter, disposedError, joinedSignal, redactUrl } from "./errors.js";
import { FallbackStore } from "./fallback-store.js";
import { HashResolution } from "./hash-resolution.js";
import { bridgedStorage } from "./cos-bridge/worker.js";
import { checkOptions } from "./options.js";
import { PersistedStore } from "./persisted-store.js";
import { Redactor } from "./redactor.js";
import { sharedKey } from "./request-init.js";
import { SharedWork } from "./shared-work.js";
import { Progress } from "./progress.js";
import { TransferExecutor, fetchBodiesLackBackpressure } from "./transfer.js";


// A string is taken as fetch and the Cache API take it, in the URL parser's form (dot segments
// resolved, characters percent-encoded, default port dropped): one file, one key, whatever its
// spelling. One the parser refuses goes to the core as given, to be refused with its reason.
function requestUrl(request) {
  if (typeof request === "string") {
    try {
      return new URL(request).href;
    } catch {
      return request;
    }
  }
  if (request instanceof URL) return request.href;
  if (request && typeof request.url === "string") return request.url;
  throw new TypeError("expected a URL string, a URL or a Request");
}

// A string or URL is a GET, as it is for the Cache API.
function requestMethod(request) {
  return typeof request === "object" && request !== null && typeof request.method === "string" ? request.method : "GET";
}

// A caller's Request: its headers, credentials mode and request mode are the caller's to give.
function isRequest(request) {
  return typeof request === "object" && request !== null && !(request instanceof URL) &&
    typeof request.headers?.entries === "function";
}

function descriptor(record) {
  return record ? { algorithm: "SHA-256", value: record.value } : null;
}

function details(record) {
  if (!record) return null;
  const { algorithm, value, size, commit, hit } = record;
  return { algorithm, value, size: size >= 0 ? size : null, commit: commit || null, source: hit };
}

function storedResponse(blob, contentType) {
  const headers = { "Content-Length": String(blob.size) };
  if (contentType) headers["Content-Type"] = contentType;
  return new Response(blob, { status: 200, headers });
}

// The stored bytes as the caller asked for them. An ArrayBuffer is read from the Blob itself: in
// Chromium that is twice as fast as reading it through a Response body (536 against 1,050 ms for
// 24 × 32 MiB from the Cache API), and a Response made from the Blob is slower still (1,620 ms).
async function convert(blob, contentType, storetype) {
  const kind = storetypeKind(storetype);
  if (kind === "json") return storedResponse(blob, contentType).json();
  if (kind === "arraybuffer") return blob.arrayBuffer();
  return storedResponse(blob, contentType);
}

// tvmjs's storetypes: none (a Response), "json" or "arraybuffer"; checked before anything is fetched.
function storetypeKind(storetype) {
  if (storetype === undefined || storetype === null || storetype === "") return "response";
  const kind = String(storetype).toLowerCase();
  if (kind === "json" || kind === "arraybuffer") return kind;
  throw new TypeError(`unknown storetype '${storetype}': use "json", "arraybuffer" or none`);
}

function emptyStats() {
  return {
    hits: { memory: 0, persisted: 0, imported: 0, batch: 0, pointer: 0, content: 0, hint: 0, stale: 0 },
    unresolved: 0,
    resolutionRequests: { listing: 0, pathsInfo: 0, pointer: 0 },
    downloads: 0,
    resumedDownloads: 0,
    bytesDownloaded: 0,
    storageHits: 0,
    storageMisses: 0,
    bytesFromStorage: 0,
    stored: 0,
    bytesStored: 0,
  };
}

/** The object without its undefined fields. */
function definedOnly(object) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

export class CrossOriginCache {
  #core;
  #resolver;
  #persisted;
  #legacy = new Map();
  #cos;
  #fallback;
  #errors;
  #stats = emptyStats();
  #hashes;
  #transfers;
  #redactor;
  #disposed = false;
  // Aborted by dispose(): every load in flight stops reading and fails with its reason.
  #disposal = new AbortController();
  #loading = new SharedWork();
  #ledger;
  #bodyRate;

  constructor(core, options = {}) {
    checkOptions(core, options);
    this.#core = core;
    this.scope = options.scope ?? "cross-origin-cache";
    const fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.#redactor = new Redactor(core);
    this.#errors = new ErrorReporter(core, options.onError, this.#redactor);

    const storageTimeoutMs = options.storageTimeout ?? core.storageTimeoutMs;
    const cacheStorage = options.caches ?? (typeof caches === "undefined" ? undefined : caches);
    const stores = core.planStores(this.scope, options.importLegacy !== false);
    if (cacheStorage) {
      this.#persisted = new PersistedStore(cacheStorage, stores.ownStore, { timeoutMs: storageTimeoutMs });
      for (const name of stores.legacyStores) this.#legacy.set(name, new PersistedStore(cacheStorage, name, { mustExist: true, timeoutMs: storageTimeoutMs }));
    }
    const manager = options.storage !== undefined ? options.storage
      : (typeof navigator === "undefined" ? undefined : navigator.crossOriginStorage);
    const storageLimits = { createsInFlight: core.createsInFlight, timeoutMs: storageTimeoutMs };
    if (manager) {
      this.#cos = new CosClient(manager, storageLimits);
    } else if (options.fallback !== false && cacheStorage) {
      this.#fallback = new FallbackStore(cacheStorage, stores.fallbackStore, core, { timeoutMs: storageTimeoutMs });
      this.#cos = new CosClient(this.#fallback, storageLimits);
    }
    this.storageKind = manager ? "cross-origin-storage" : this.#fallback ? "fallback" : "none";

    this.#ledger = new core.StorageLedger();
    this.#bodyRate = new core.BodyRateMeter();
    // Options left out take the core's defaults.
    this.#resolver = new core.Resolver({
      ...definedOnly({
        capacity: options.capacity,
        maxAge: options.maxAge,
        maxAgeOtherHosts: options.maxAgeOtherHosts,
        resolutionTimeout: options.resolutionTimeout,
      }),
      persist: Boolean(this.#persisted),
      batch: options.batch !== false,
      listRepos: options.listRepos !== false,
      snapshot: Boolean(this.#persisted) && stores.snapshot,
      legacyStores: [...this.#legacy.keys()],
    });
    this.#hashes = new HashResolution({
      core,
      resolver: this.#resolver,
      fetch,
      persisted: this.#persisted,
      legacy: this.#legacy,
      errors: this.#errors,
      stats: this.#stats,
      snapshot: stores.snapshot,
      timeoutMs: this.#resolver.resolutionTimeout(),
    });
    this.#transfers = new TransferExecutor({
      core,
      live: () => this.#live(),
      cos: this.#cos,
      fallback: this.#fallback,
      origins: options.origins ?? "*",
      hashes: this.#hashes,
      errors: this.#errors,
      progress: new Progress(options.onProgress, (text) => this.#redactor.text(text)),
      stats: this.#stats,
      fetch,
      resumeAttempts: options.resumeAttempts ?? 3,
      paced: core.pacesDownloads(String(options.pacedDownloads ?? "auto"), fetchBodiesLackBackpressure()),
      ledger: this.#whileLive(this.#ledger),
      bodyRate: this.#whileLive(this.#bodyRate),
    });
    for (const [url, integrity] of Object.entries(options.hints ?? {})) this.addHint(url, integrity);
  }

  /** Integrity the app knows for a URL: SRI (`sha256-…`, `sha384-…`, `sha512-…`) or hex SHA-256. */
  addHint(url, integrity) {
    try {
      this.#resolver.addIntegrity(this.#context(url).url, String(integrity).trim());
    } catch (error) {
      throw this.#redactor.error(error);
    }
  }

  // The facts of a caller's request and the core's plan for them (src/request_secrets.h); its
  // secret values are hidden from every text that leaves the package from now on.
  #context(request) {
    const url = requestUrl(request);
    const headers = isRequest(request) ? [...request.headers.entries()] : [];
    const credentials = isRequest(request) ? request.credentials : undefined;
    const plan = this.#core.planRequest(url, headers.map(([name]) => name), headers.map(([, value]) => value), credentials ?? "");
    this.#redactor.remember(plan.secrets);
    return { url, headers, credentials, mode: isRequest(request) ? request.mode : undefined, ...plan };
  }

  // Requests grouped by partition, so the hub requests they need carry the right credentials.
  async #resolveMany(requests, signal) {
    const contexts = requests.map((request) => this.#context(request));
    const groups = new Map();
    for (const context of contexts) {
      if (!groups.has(context.partition)) groups.set(context.partition, { context, urls: [] });
      groups.get(context.partition).urls.push(context.url);
    }
    const byPartition = new Map();
    await Promise.all([...groups].map(async ([partition, { context, urls }]) => {
      const records = await this.#hashes.many(urls, signal, context);
      byPartition.set(partition, new Map(urls.map((url, i) => [url, records[i]])));
    }));
    return contexts.map((context) => byPartition.get(context.partition).get(context.url));
  }

  stats() {
    return structuredClone({ ...this.#stats, errors: { ...this.#errors.counts }, storage: this.storageKind });
  }

  dispose() {
    if (this.#disposed) return;
    this.#disposal.abort(disposedError("AbortError"));
    this.#hashes.close();
    this.#disposed = true;
    this.#resolver.delete();
    this.#ledger.delete();
    this.#bodyRate.delete();
  }

  // A getter of one of the cache's own core objects, which throws once the cache is disposed.
  #whileLive(object) {
    return () => {
      this.#live();
      return object;
    };
  }

  // The core's resolver, unless the cache was disposed while work was in flight.
  #live() {
    if (this.#disposed) throw disposedError();
    return this.#resolver;
  }

  // ---- hash resolution -------------------------------------------------------------------

  // signal: ends this call's wait (a hub request other callers share goes on).
  async resolveHash(request, { signal } = {}) {
    const context = this.#context(request);
    return descriptor(await this.#hashes.record(context.url, signal, context));
  }

  /** Writes pending persisted state (the snapshot of every URL→hash record) now. */
  async flush() {
    await this.#hashes.flush();
  }

  async resolveHashes(requests, { signal } = {}) {
    return (await this.#resolveMany(requests, signal)).map(descriptor);
  }

  /** resolveHashes, each with its size, commit and where the hash came from this time. */
  async resolveHashDetails(requests, { signal } = {}) {
    return (await this.#resolveMany(requests, signal)).map(details);
  }

  // ---- loading and storing ---------------------------------------------------------------

  /**
   * Loads a caller's request through the cache; the same in-flight load is shared by concurrent
   * callers with the same credentials (never across: an unauthenticated call must not take bytes
   * fetched with a token, nor a call with a token the failure of one without).
   */
  // needsBytes: false when the caller reads nothing now (addToCache); a caller that joins the load
  // and needs them has them read back (TransferExecutor.bytes).
  #load(context, { signal, response, needsBytes } = {}) {
    const url = context.url;
    // A caller's own response (put) is stored as given, never shared.
    if (response) return this.#whileNotDisposed(signal, (live) => this.#transfers.load(context, { signal: live, response }));
    const key = sharedKey(context, this.#core.parseArtifactUrl(url).storageKey);
    return this.#loading.run(key, signal, (shared) => this.#whileNotDisposed(shared, (live) => this.#runLoad(context, live, needsBytes)));
  }

  // Runs work(signal) under a signal that dispose() aborts too: a load in flight stops reading
  // its body then, rather than download to the end only to fail.
  async #whileNotDisposed(signal, work) {
    const either = joinedSignal(signal, this.#disposal.signal);
    try {
      return await work(either.signal);
    } finally {
      either.release();
    }
  }

  async #runLoad(context, signal, needsBytes) {
    const loaded = await this.#transfers.load(context, { signal, needsBytes });
    if (this.#core.isTensorCacheUrl(context.url)) {
      this.#transfers.bytes(loaded, signal).then((blob) => this.#prefetchShards(context, blob), () => {});
    }
    return loaded;
  }

  // tvmjs asks for shards one at a time after reading the tensor cache: resolve them all now,
  // in one batch request per revision, and let those requests join it.
  #prefetchShards(context, blob) {
    const url = context.url;
    blob.text()
      // Keyed as tvmjs will ask for them (requestUrl: the URL parser's form).
      .then((text) => this.#hashes.many(this.#core.tensorCacheShardUrls(url, text).map(requestUrl), undefined, context))
      // A cache disposed meanwhile has no one to tell.
      .catch((error) => { if (!this.#disposed) this.#errors.url(this.#errors.kinds.prefetchFailed, url, error); });
  }

  #mediaType(url, blob) {
    return this.#core.servedMediaType(blob.type, this.#core.parseArtifactUrl(url).mediaType);
  }

  // ---- tvmjs ArtifactCacheTemplate ------------------------------------------------------

  async fetchWithCache(url, storetype, signal) {
    storetypeKind(storetype);
    const context = this.#loadContext(url);
    const loaded = await this.#load(context, { signal });
    const blob = await this.#whileNotDisposed(signal, (live) => this.#transfers.bytes(loaded, live));
    return convert(blob, this.#mediaType(context.url, blob), storetype);
  }

  async addToCache(url, storetype, signal) {
    storetypeKind(storetype);
    await this.#load(this.#loadContext(url), { signal, needsBytes: false });
  }

  // A load's request, refused before anything is fetched when the core says it cannot be one.
  #loadContext(request) {
    const refusal = this.#core.loadRefusal(requestMethod(request));
    if (refusal) throw new TypeError(`cross-origin-cache: ${refusal}`);
    return this.#context(request);
  }

  async hasAllKeys(urls) {
    const records = await this.#resolveMany(urls);
    const { HoldingVerdict: Verdict } = this.#core;
    const resolver = this.#live();
    // A hash the app's integrity rules out is not the URL's file, wherever it is stored.
    const hashes = records.map((record, i) =>
      record && resolver.integrityAllows(this.#context(urls[i]).url, record.value) ? record.value : "");
    const check = this.#ledger.check(this.#transfers.storage, hashes);
    if (check.verdict !== Verdict.ask) return check.verdict === Verdict.allHeld;
    const result = await this.#cos.hasAll(check.ask);
    this.#live();
    const answer = this.#ledger.answered(check.ask, this.#transfers.storageAnswer(result.status));
    if (answer.errorKind) this.#errors.hash(answer.errorKind, check.ask, result.error);
    return answer.allHeld;
  }

  async deleteInCache(url) {
    const target = this.#context(url).url;
    const { DeletionAction: Action } = this.#core;
    const deletion = this.#live().deletion(target, this.#transfers.storage, Boolean(this.#persisted));
    try {
      let step = deletion.next();
      while (step.action !== Action.done) {
        switch (step.action) {
          case Action.lookUp: {
            const record = await this.#hashes.local(target);
            step = deletion.lookedUp(Boolean(record), record?.value ?? "");
            break;
          }
          case Action.deletePersisted: {
            // Our entry and tvmjs's and transformers.js's (which a reload imports), then the
            // snapshot of all records: a deletion that does not reach one of them is no deletion,
            // and the caller is told.
            const entries = await this.#hashes.deleteStored(target, step.key);
            const snapshot = await this.#hashes.flush();
            this.#live();
            if (!entries || !snapshot) {
              const which = entries ? "the persisted snapshot could not be written" : "its persisted entry could not be deleted";
              throw new Error(`cross-origin-cache: deleting ${redactUrl(this.#core, target)}: ${which}, so a reload may still find its record`);
            }
            step = deletion.persistedDeleted();
            break;
          }
          case Action.scanReferences:
            step = deletion.referencesScanned(await this.#hashes.persistedReferences(step.hash));
            break;
          case Action.removeEntry:
            await this.#fallback.remove(step.hash);
            this.#live();  // disposed meanwhile: the ledger is gone
            this.#ledger.missing(step.hash);
            step = deletion.entryRemoved();
            break;
          default:
            throw new Error(`core returned an unknown deletion action ${step.action?.value}`);
        }
      }
    } finally {
      deletion.delete();
    }
  }

  // ---- Cache-like API (transformers.js env.customCache) ----------------------------------

  async match(request) {
    const url = requestUrl(request);
    // A Cache answers a key it cannot hold with a miss.
    if (!this.#isUrl(url) || !this.#core.isCacheableMethod(requestMethod(request))) return undefined;
    const { blob } = await this.#whileNotDisposed(undefined, (live) => this.#transfers.load(this.#context(request), { signal: live, storageOnly: true }));
    return blob ? storedResponse(blob, this.#mediaType(url, blob)) : undefined;
  }

  /** Cache-like delete: forgets the URL's mapping; true when there was one. */
  async delete(request) {
    const url = requestUrl(request);
    if (!this.#isUrl(url)) return false;
    const known = Boolean(await this.#hashes.local(url));
    await this.deleteInCache(url);
    return known;
  }

  #isUrl(url) {
    try {
      this.#core.parseArtifactUrl(url);
      return true;
    } catch {
      return false;
    }
  }

  async put(request, response) {
    const url = requestUrl(request);
    if (!(response instanceof Response)) throw new TypeError("put: expected a Response");
    const refusal = this.#core.putRefusal(requestMethod(request), response.status, response.headers.get("Vary") ?? "",
      Boolean(response.body), response.bodyUsed);
    if (refusal) throw new TypeError(`cross-origin-cache: ${refusal}`);
    await this.#load(this.#context(request), { response });
  }

  // The one exit for rejections: what a public method throws leaves the package redacted
  // (Redactor), never as the platform's own object, which may quote a URL whole.
  static {
    for (const name of ["resolveHash", "flush", "resolveHashes", "resolveHashDetails", "fetchWithCache", "addToCache",
      "hasAllKeys", "deleteInCache", "match", "delete", "put"]) {
      const method = CrossOriginCache.prototype[name];
      CrossOriginCache.prototype[name] = async function (...args) {
        try {
          return await method.apply(this, args);
        } catch (error) {
          throw this.#redactor.error(error);
        }
      };
    }
  }
}

/** Creates a cache; options are described in index.d.ts. */
export async function createCrossOriginCache(options = {}) {
  if (options === null || typeof options !== "object") throw new TypeError("cross-origin-cache: options must be an object");
  // In a worker without COS of its own, the page's, when the page exposes it (cos-bridge/).
  const [core, storage] = await Promise.all([loadCore(options), options.storage === undefined ? bridgedStorage() : undefined]);
  return new CrossOriginCache(core, storage ? { ...options, storage } : options);
}
