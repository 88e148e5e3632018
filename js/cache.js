// The cross-origin cache: executes the core's resolution steps (memory → persisted store → legacy
// stores → batch → LFS pointer → content) and loads, verifies and stores bytes through Cross-Origin
// Storage. Every decision comes from the core; this file only does I/O.
import { loadCore } from "./core.js";
import { CosClient, StorageWriteError } from "./cos-client.js";
import { ErrorReporter, abortError, redactUrl, throwIfAborted } from "./errors.js";
import { FallbackStore } from "./fallback-store.js";
import { HashResolution } from "./hash-resolution.js";
import { bridgedStorage } from "./cos-bridge/worker.js";
import { checkOptions } from "./options.js";
import { PersistedStore } from "./persisted-store.js";
import { Redactor } from "./redactor.js";
import { requestInit, sharedKey, withInit } from "./request-init.js";
import { ResumableBody } from "./resumable-body.js";
import { SharedWork } from "./shared-work.js";
import { Progress } from "./progress.js";
import { digestsFor } from "./sha256.js";

// Writes into a storage that queues them (a WritableStream) pending at once while the body is
// read on and hashed.
export const WRITES_IN_FLIGHT = 4;
const LEGACY_STORES = ["tvmjs-cos-hash-meta", "experimental_transformers-hash-cache"];

function requestUrl(request) {
  if (typeof request === "string") return request;
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

async function convert(response, storetype) {
  if (storetype === undefined || storetype === null || storetype === "") return response;
  const kind = String(storetype).toLowerCase();
  if (kind === "json") return response.json();
  if (kind === "arraybuffer") return response.arrayBuffer();
  throw new TypeError(`unknown storetype '${storetype}': use "json", "arraybuffer" or none`);
}

function emptyStats() {
  return {
    hits: { memory: 0, persisted: 0, imported: 0, batch: 0, pointer: 0, content: 0, hint: 0, stale: 0 },
    unresolved: 0,
    resolutionRequests: { listing: 0, batch: 0, pointer: 0 },
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

// Bytes refuted the URL's record: the load is to run again (see #transfer). storeKey: the
// entry to drop from the stores the record may have come from.
class RecordRefuted extends Error {
  constructor(url, storeKey) {
    super(`the bytes of ${url} refuted its stored hash, which is forgotten: the next load asks again`);
    this.storeKey = storeKey;
  }
}

export class CrossOriginCache {
  #core;
  #resolver;
  #fetch;
  #resumeAttempts;
  #persisted;
  #legacy = new Map();
  #cos;
  #fallback;
  #origins;
  #errors;
  #progress;
  #stats = emptyStats();
  #hashes;
  #redactor;
  #disposed = false;
  #loading = new SharedWork();
  #seenInStorage = new Set();

  constructor(core, options = {}) {
    checkOptions(core, options);
    this.#core = core;
    this.scope = options.scope ?? "cross-origin-cache";
    this.#fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.#resumeAttempts = options.resumeAttempts ?? 3;
    const timeout = options.resolutionTimeout ?? 30000;
    this.#redactor = new Redactor(core);
    this.#errors = new ErrorReporter(core, options.onError, this.#redactor);
    this.#progress = new Progress(options.onProgress, (text) => this.#redactor.text(text));
    this.#origins = options.origins ?? "*";

    const cacheStorage = options.caches ?? (typeof caches === "undefined" ? undefined : caches);
    const ownStore = `${this.scope}-cos-hash-meta`;
    if (cacheStorage) {
      this.#persisted = new PersistedStore(cacheStorage, ownStore);
      if (options.importLegacy !== false) {
        for (const name of LEGACY_STORES) {
          if (name !== ownStore) this.#legacy.set(name, new PersistedStore(cacheStorage, name, { mustExist: true }));
        }
      }
    }
    const manager = options.storage !== undefined ? options.storage
      : (typeof navigator === "undefined" ? undefined : navigator.crossOriginStorage);
    if (manager) {
      this.#cos = new CosClient(manager);
    } else if (options.fallback !== false && cacheStorage) {
      this.#fallback = new FallbackStore(cacheStorage, `${this.scope}-cos-fallback`, core);
      this.#cos = new CosClient(this.#fallback);
    }
    this.storageKind = manager ? "cross-origin-storage" : this.#fallback ? "fallback" : "none";

    this.#resolver = new core.Resolver({
      capacity: options.capacity ?? 10000,
      maxAge: options.maxAge ?? 3600000,
      maxAgeOtherHosts: options.maxAgeOtherHosts ?? -1,
      persist: Boolean(this.#persisted),
      batch: options.batch !== false,
      listRepos: options.listRepos !== false,
      legacyStores: [...this.#legacy.keys()],
      resolutionTimeout: timeout,
    });
    this.#hashes = new HashResolution({
      core,
      resolver: this.#resolver,
      fetch: this.#fetch,
      persisted: this.#persisted,
      legacy: this.#legacy,
      errors: this.#errors,
      stats: this.#stats,
      // A store another library also writes and deletes from (scope "tvmjs") gets no snapshot: it
      // would keep answering for URLs that library deleted.
      snapshot: !LEGACY_STORES.includes(ownStore),
      timeoutMs: timeout,
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
  async #resolveMany(requests) {
    const contexts = requests.map((request) => this.#context(request));
    const groups = new Map();
    for (const context of contexts) {
      if (!groups.has(context.partition)) groups.set(context.partition, { context, urls: [] });
      groups.get(context.partition).urls.push(context.url);
    }
    const byPartition = new Map();
    await Promise.all([...groups].map(async ([partition, { context, urls }]) => {
      const records = await this.#hashes.many(urls, undefined, context);
      byPartition.set(partition, new Map(urls.map((url, i) => [url, records[i]])));
    }));
    return contexts.map((context) => byPartition.get(context.partition).get(context.url));
  }

  stats() {
    return structuredClone({ ...this.#stats, errors: { ...this.#errors.counts }, storage: this.storageKind });
  }

  dispose() {
    this.#hashes.close();
    this.#disposed = true;
    this.#resolver.delete();
  }

  // The core's resolver, unless the cache was disposed while work was in flight.
  #live() {
    if (this.#disposed) throw new Error("cross-origin-cache: the cache was disposed");
    return this.#resolver;
  }

  // ---- hash resolution -------------------------------------------------------------------

  async resolveHash(request) {
    const context = this.#context(request);
    return descriptor(await this.#hashes.record(context.url, undefined, undefined, context));
  }

  /** Writes pending persisted state (the snapshot of every URL→hash record) now. */
  async flush() {
    await this.#hashes.flush();
  }

  async resolveHashes(requests) {
    return (await this.#resolveMany(requests)).map(descriptor);
  }

  /** resolveHashes, each with its size, commit and where the hash came from this time. */
  async resolveHashDetails(requests) {
    return (await this.#resolveMany(requests)).map(details);
  }

  // ---- loading and storing ---------------------------------------------------------------

  /**
   * Loads a caller's request through the cache; the same in-flight load is shared by concurrent
   * callers with the same credentials (never across: an unauthenticated call must not take bytes
   * fetched with a token, nor a call with a token the failure of one without).
   */
  #load(context, { signal, response } = {}) {
    const url = context.url;
    // A caller's own response (put) is stored as given, never shared.
    if (response) return this.#runLoad(url, { signal, response, context });
    const key = sharedKey(context, this.#core.parseArtifactUrl(url).storageKey);
    return this.#loading.run(key, signal, (shared) => this.#runLoad(url, { signal: shared, context }));
  }

  // Looks the bytes up in storage; `count` is false for the read-back after our own write.
  async #readStorage(url, record, count = true) {
    if (!this.#cos || !record) return { status: "miss" };
    const result = await this.#cos.read(record.value);
    if (!count) return result;
    if (result.status === "hit") {
      this.#seenInStorage.add(record.value);
      this.#stats.storageHits++;
      this.#stats.bytesFromStorage += result.file.size;
    } else {
      this.#seenInStorage.delete(record.value);
      this.#stats.storageMisses++;
      if (result.status === "not-allowed") this.#errors.url(this.#errors.kinds.cosNotAllowed, url, result.error);
      if (result.status === "error") this.#errors.url(this.#errors.kinds.cosFailed, url, result.error);
    }
    return result;
  }

  async #runLoad(url, options) {
    const loaded = await this.#transfer(url, options);
    if (this.#core.isTensorCacheUrl(url)) {
      this.#bytesOf(options.context, loaded, options.signal).then((blob) => this.#prefetchShards(options.context, blob), () => {});
    }
    return loaded;
  }

  // The bytes of a load. Bytes streamed into storage are read back only when a caller needs them
  // (addToCache does not), once per load.
  #bytesOf(context, loaded, signal) {
    const url = context.url;
    loaded.bytes ??= (async () => {
      if (loaded.blob) return loaded.blob;
      if (!loaded.lost) {
        const stored = await this.#readStorage(url, loaded.record, false);
        if (stored.status === "hit") return stored.file;
        // The entry was there after the write and is gone now; the caller still gets its bytes.
        this.#seenInStorage.delete(loaded.record.value);
        this.#errors.url(this.#errors.kinds.cosFailed, url, new Error(`entry ${loaded.record.value} missing after write`));
      }
      const again = await this.#download(context, signal);
      return (await this.#storeUnknown(context, again, false, undefined, undefined, signal, {}, loaded.record?.value)).blob;
    })();
    return loaded.bytes;
  }

  // tvmjs asks for shards one at a time after reading the tensor cache: resolve them all now,
  // in one batch request per revision, and let those requests join it.
  #prefetchShards(context, blob) {
    const url = context.url;
    blob.text()
      .then((text) => this.#hashes.many(this.#core.tensorCacheShardUrls(url, text), undefined, context))
      .catch((error) => this.#errors.url(this.#errors.kinds.prefetchFailed, url, error));
  }

  // A load whose bytes refuted the URL's record (a cache, not a verdict) runs once more: the core
  // has forgotten the record, and the hub (or, for other hosts, the bytes) answers afresh. A
  // caller's own response (put) cannot be fetched again: its load fails, the record corrected.
  async #transfer(url, options) {
    try {
      return await this.#transferOnce(url, options);
    } catch (error) {
      if (!(error instanceof RecordRefuted)) throw error;
      await this.#hashes.dropRefuted(url, error.storeKey);
      if (options.response) throw new Error(`cross-origin-cache: ${error.message}`);
      return this.#transferOnce(url, options);
    }
  }

  async #transferOnce(url, { signal, response, context }) {
    throwIfAborted(signal);
    const record = await this.#hashes.record(url, signal, undefined, context);
    throwIfAborted(signal);
    let canStore = Boolean(this.#cos);
    if (!response) {
      const stored = await this.#readStorage(url, record);
      throwIfAborted(signal);
      if (stored.status === "hit") return { blob: stored.file, source: this.#fallback ? "fallback" : "cos", record };
      if (stored.status === "not-allowed") canStore = false;
    }
    // Bytes headed for storage skip the browser's HTTP cache: a second copy of a multi-GB file
    // there would only push other sites' entries out.
    const requestInit = canStore ? { cache: "no-store" } : {};
    const network = response ?? await this.#download(context, signal, requestInit);
    // Private bytes are kept same-site: anyone who knows a hash could read a shared entry. What
    // is private is the core's call (planRequest).
    const origins = context.isPrivate ? undefined : this.#origins;
    const total = Number(network.headers.get("Content-Length")) || (record?.size > 0 ? record.size : undefined);
    if (canStore && total !== undefined) canStore = await this.#roomFor(url, total);
    // Only a request this cache made can be made again for the rest of a body that broke off.
    const refetch = response ? null : requestInit;
    if (canStore && record) return this.#storeKnown(context, network, record, origins, total, signal, refetch);
    return this.#storeUnknown(context, network, canStore, origins, total, signal, refetch, record?.value);
  }

  // The file's URL as fetch() takes it (no userinfo: that goes as a header), with the caller's
  // headers and modes on top of the cache's own RequestInit.
  #fetchFile(context, own) {
    return this.#fetch(context.fetchUrl, requestInit(this.#core, context, context.fetchUrl, own));
  }

  async #download(context, signal, own = {}) {
    this.#stats.downloads++;
    const redacted = redactUrl(this.#core, context.url);
    let response;
    try {
      response = await this.#fetchFile(context, { ...own, signal });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw new Error(`cross-origin-cache: fetching ${redacted} failed: ${error?.message ?? error}`, { cause: error });
    }
    const refusal = this.#core.downloadRefusal(response.status, Boolean(response.body));
    if (refusal) {
      response.body?.cancel().catch(() => {});
      throw new Error(`cross-origin-cache: fetching ${redacted} failed: ${refusal}`);
    }
    return response;
  }

  // Streams the body through the hasher (and into `sink` when given), honouring abort.
  // A body that breaks off is asked for again from where it stopped, when this cache made the
  // request (`refetch`: its RequestInit) and the hash is known (`hashKnown`), so the joined bytes
  // are checked.
  // `sink` is given each chunk for good (the body is read into a new buffer each time), with up
  // to `writesInFlight` of its writes pending at once, so reading and hashing go on while the
  // storage is busy.
  async #pump(context, response, total, signal, sink, { hashKnown = false, refetch, writesInFlight = 1 } = {}) {
    const url = context.url;
    const expected = this.#live().verifyOnly(url);
    const writes = [];  // the sink's pending writes, oldest first
    let writeFailure;   // the first write that failed, even while an older one is pending
    // The reader first: a response it cannot read (no body) must not leave a hasher behind.
    const reader = new ResumableBody({
      core: this.#core,
      fetch: refetch ? (target, init) => this.#fetchFile(context, withInit(refetch, init)) : undefined,
      url: context.fetchUrl,
      response,
      hashKnown,
      maxAttempts: this.#resumeAttempts,
      onResumed: (cause, atByte) => {
        this.#stats.resumedDownloads++;
        this.#errors.url(this.#errors.kinds.downloadResumed, url,
          new Error(`the body broke off at byte ${atByte} (${cause?.message ?? cause}); the rest was asked for with a range request`, { cause }));
      },
    });
    const hasher = digestsFor(this.#core, expected.map((digest) => digest.algorithm));
    const onAbort = () => reader.cancel(abortError(signal)).catch(() => {});
    signal?.addEventListener("abort", onAbort);
    try {
      for (;;) {
        const { done, value } = await reader.read(signal).catch((error) => {
          if (signal?.aborted) throw abortError(signal);
          throw new Error(`cross-origin-cache: reading ${redactUrl(this.#core, url)} failed: ${error?.message ?? error}`, { cause: error });
        });
        throwIfAborted(signal);
        if (writeFailure) throw writeFailure.error;
        if (done) break;
        hasher.update(value);
        this.#stats.bytesDownloaded += value.byteLength;
        if (sink) {
          if (writes.length >= writesInFlight) await writes.shift();
          const written = Promise.resolve(sink(value));
          written.catch((error) => { writeFailure ??= { error }; });
          writes.push(written);
        }
        // Streamed straight into storage (a sink), downloading is storing.
        this.#progress.emit(url, "download", reader.loaded, total);
      }
      await Promise.all(writes);
      this.#progress.emit(url, "download", reader.loaded, total, true);
      const digests = hasher.finish();
      for (const { algorithm } of expected) {
        const step = this.#live().checkDigest(url, algorithm, digests[algorithm]);
        if (step.errorKind) {
          this.#errors.url(step.errorKind, url, new Error(step.errorMessage));
          throw Object.assign(new Error(`cross-origin-cache: ${step.errorMessage}`), { integrity: true });
        }
      }
      return { hex: digests.sha256, size: reader.loaded };
    } catch (error) {
      hasher.free();
      await Promise.allSettled(writes);  // let writes in flight settle before the writable is aborted
      reader.cancel().catch(() => {});
      if (signal?.aborted) throw abortError(signal);
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  // expected: the hash the download started with ("" when none); the core judges the bytes by
  // it however old its record is now. ETag and X-Repo-Commit are what a later revalidation of a
  // file not in LFS compares.
  #verify(url, { hex, size }, expected, response) {
    const step = this.#live().recordContent(url, {
      sha256: hex,
      size,
      expected: expected ?? "",
      etag: response.headers.get("ETag") ?? "",
      repoCommit: response.headers.get("X-Repo-Commit") ?? "",
    }, Date.now());
    if (step.hit === "content") this.#stats.hits.content++;
    if (step.recheck) throw new RecordRefuted(redactUrl(this.#core, url), step.dropKey);
    if (step.errorKind) this.#errors.url(step.errorKind, url, new Error(step.errorMessage));
    if (step.refused) throw new Error(`cross-origin-cache: ${step.errorMessage}`);
    return step;
  }

  // The hash is known before the bytes: stream them straight into storage, flat memory.
  async #storeKnown(context, response, record, origins, total, signal, refetch) {
    const url = context.url;
    let step;
    let failure;  // what went wrong, when it was not the storage: "network" or "mismatch"
    try {
      await this.#cos.write(record.value, origins, async (storage) => {
        let writeFailed = false;
        const sink = (chunk) => storage.write(chunk).catch((error) => { writeFailed = true; throw error; });
        const writesInFlight = storage.queues ? WRITES_IN_FLIGHT : 1;
        const pumped = await this.#pump(context, response, total, signal, sink, { hashKnown: true, refetch, writesInFlight }).catch((error) => {
          if (!writeFailed) failure = "network";
          throw error;
        });
        try {
          step = this.#verify(url, pumped, record.value, response);
        } catch (error) {
          failure = "mismatch";
          throw error;
        }
        storage.vouch(pumped.hex);
      });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (failure === "mismatch") throw error;
      if (failure === "network") throw error;
      this.#reportWriteError(url, error);
      // Only the storage's own check at close can say the bytes do not match: the caller must know.
      if (error instanceof StorageWriteError && this.#core.storageWriteErrorKind(error.kind, error.step) === this.#errors.kinds.cosHashMismatch) {
        throw new Error(`cross-origin-cache: storage rejected the bytes of ${redactUrl(this.#core, url)} as not matching ${record.value}`, { cause: error });
      }
      // The body went into a failed write: fetch it again and hand it over unstored.
      const again = await this.#download(context, signal);
      return this.#storeUnknown(context, again, false, origins, total, signal, {}, record.value);
    }
    if (!(await this.#keptAfterWrite(url, record.value))) return { blob: undefined, source: "network", record, lost: true };
    await this.#hashes.persist(url, step.persistKey, step.persistBody);
    this.#countStored(record.value, total);
    return { blob: undefined, source: "network", record };
  }

  // Whether there is room in the fallback store for size bytes (navigator.storage.estimate());
  // when there is not, the file is served unstored and that is reported.
  async #roomFor(url, size) {
    if (!this.#fallback) return true;
    const room = await this.#fallback.room(size);
    if (!room.fits) {
      this.#errors.url(this.#errors.kinds.cosQuota, url,
        new Error(`not stored: ${size} bytes do not fit in the storage left (quota ${room.quota}, used ${room.usage})`));
    }
    return room.fits;
  }

  // The COS extension can close a write cleanly and keep nothing (it does so when it is full):
  // a write counts only once the entry is there. The fallback store reports its own failures.
  async #keptAfterWrite(url, value) {
    if (this.#fallback) return true;
    const found = await this.#cos.has(value);
    if (found.status === "hit") return true;
    this.#seenInStorage.delete(value);
    this.#errors.url(this.#errors.kinds.cosQuota, url,
      new Error(`the storage closed the write of ${value} without an error but kept nothing (it does so when it is full)`, { cause: found.error }));
    return false;
  }

  // The hash comes from the content: hash while spooling into a Blob, then store under it.
  // refetch: the RequestInit this cache made the request with (null for a response handed to
  // put()); expected: the hash known when the download started, if any (storage was not usable).
  async #storeUnknown(context, response, canStore, origins, total, signal, refetch = {}, expected = "") {
    const url = context.url;
    const parts = [];
    const { hex, size } = await this.#pump(context, response, total, signal, (chunk) => { parts.push(chunk); }, { refetch });
    const step = this.#verify(url, { hex, size }, expected, response);
    const blob = new Blob(parts, { type: response.headers.get("Content-Type") ?? "" });
    parts.length = 0;
    if (canStore && await this.#roomFor(url, size)) {
      try {
        throwIfAborted(signal);
        await this.#cos.write(hex, origins, async (storage) => {
          await storage.write(blob);
          storage.vouch(hex);
          this.#progress.emit(url, "store", size, size, true);
        });
        if (!(await this.#keptAfterWrite(url, hex))) return { blob, source: "network", record: step.found ? step.record : null };
        this.#countStored(hex, size);
        await this.#hashes.persist(url, step.persistKey, step.persistBody);
      } catch (error) {
        if (signal?.aborted) throw abortError(signal);
        this.#reportWriteError(url, error);
      }
    }
    return { blob, source: "network", record: step.found ? step.record : null };
  }

  #countStored(hex, size) {
    this.#seenInStorage.add(hex);
    this.#stats.stored++;
    this.#stats.bytesStored += size ?? 0;
  }

  #mediaType(url, blob) {
    return this.#core.servedMediaType(blob.type, this.#core.parseArtifactUrl(url).mediaType);
  }

  #reportWriteError(url, error) {
    const name = error instanceof StorageWriteError ? error.kind : error?.name;
    const step = error instanceof StorageWriteError ? error.step : "write";
    this.#errors.url(this.#core.storageWriteErrorKind(String(name ?? ""), step), url, error);
  }


  // ---- tvmjs ArtifactCacheTemplate ------------------------------------------------------

  async fetchWithCache(url, storetype, signal) {
    const context = this.#context(url);
    const loaded = await this.#load(context, { signal });
    const blob = await this.#bytesOf(context, loaded, signal);
    return convert(storedResponse(blob, this.#mediaType(context.url, blob)), storetype);
  }

  async addToCache(url, storetype, signal) {
    await this.#load(this.#context(url), { signal });
  }

  async hasAllKeys(urls) {
    const records = await this.#resolveMany(urls);
    if (!this.#cos || records.some((record) => !record)) return false;
    // Hashes this cache stored or saw cost nothing; the others are asked for together.
    const unknown = [...new Set(records.map((r) => r.value).filter((value) => !this.#seenInStorage.has(value)))];
    if (unknown.length === 0) return true;
    const result = await this.#cos.hasAll(unknown);
    if (result.status === "error") this.#errors.hash(this.#errors.kinds.cosFailed, unknown, result.error);
    if (result.status !== "hit") return false;
    for (const value of unknown) this.#seenInStorage.add(value);
    return true;
  }

  async deleteInCache(url) {
    const target = this.#context(url).url;
    const record = await this.#hashes.local(target);
    this.#live().forget(target);
    const key = this.#core.parseArtifactUrl(target).storageKey;
    // Nothing is stored under a URL with credentials (and the Cache API would quote it whole).
    if (this.#persisted && this.#live().persistable(target)) {
      try {
        await this.#persisted.delete(key);
      } catch (error) {
        this.#errors.url(this.#errors.kinds.persistFailed, target, error);
      }
      // The snapshot of all records must forget it too before a reload could read it back.
      await this.#hashes.flush();
    }
    if (record && this.#fallback && !(await this.#hashes.referenced(record.value))) {
      await this.#fallback.remove(record.value);
      this.#seenInStorage.delete(record.value);
    }
  }

  // ---- Cache-like API (transformers.js env.customCache) ----------------------------------

  async match(request) {
    const url = requestUrl(request);
    // A Cache answers a key it cannot hold with a miss.
    if (!this.#isUrl(url) || !this.#core.isCacheableMethod(requestMethod(request))) return undefined;
    const context = this.#context(request);
    const record = await this.#hashes.record(url, undefined, undefined, context);
    const stored = await this.#readStorage(url, record);
    return stored.status === "hit" ? storedResponse(stored.file, this.#mediaType(url, stored.file)) : undefined;
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
