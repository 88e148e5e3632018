// The cross-origin cache: executes the core's resolution steps (memory → persisted store → legacy
// stores → batch → LFS pointer → content) and loads, verifies and stores bytes through Cross-Origin
// Storage. Every decision comes from the core; this file only does I/O.
import { loadCore } from "./core.js";
import { CosClient, StorageWriteError } from "./cos-client.js";
import { ErrorReporter, abortError, redactUrl, throwIfAborted } from "./errors.js";
import { FallbackStore } from "./fallback-store.js";
import { HashResolution } from "./hash-resolution.js";
import { PersistedStore } from "./persisted-store.js";
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

function isPrivateRequest(request) {
  return typeof request === "object" && request !== null && typeof request.headers?.has === "function" &&
    request.headers.has("Authorization");
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
    pointerRequests: 0,
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
  #disposed = false;
  #loading = new SharedWork();
  #seenInStorage = new Set();

  constructor(core, options = {}) {
    this.#core = core;
    this.scope = options.scope ?? "cross-origin-cache";
    this.#fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.#resumeAttempts = options.resumeAttempts ?? 3;
    if (!Number.isInteger(this.#resumeAttempts) || this.#resumeAttempts < 0) {
      throw new TypeError(`resumeAttempts must be a whole number >= 0, got ${this.#resumeAttempts}`);
    }
    this.#errors = new ErrorReporter(options.onError);
    this.#progress = new Progress(options.onProgress);
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
      maxAgeOther: options.maxAgeOtherHosts ?? -1,
      persist: Boolean(this.#persisted),
      batch: options.batch !== false,
      listRepos: options.listRepos !== false,
      legacyStores: [...this.#legacy.keys()],
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
    });
    for (const [url, integrity] of Object.entries(options.hints ?? {})) this.addHint(url, integrity);
  }

  /** Integrity the app knows for a URL: SRI (`sha256-…`, `sha384-…`, `sha512-…`) or hex SHA-256. */
  addHint(url, integrity) {
    this.#resolver.addIntegrity(requestUrl(url), String(integrity).trim());
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
    return descriptor(await this.#hashes.record(requestUrl(request)));
  }

  /** Writes pending persisted state (the snapshot of every URL→hash record) now. */
  async flush() {
    await this.#hashes.flush();
  }

  async resolveHashes(requests) {
    const records = await this.#hashes.many(requests.map(requestUrl));
    return records.map(descriptor);
  }

  /** resolveHashes, each with its size, commit and where the hash came from this time. */
  async resolveHashDetails(requests) {
    const records = await this.#hashes.many(requests.map(requestUrl));
    return records.map(details);
  }

  // ---- loading and storing ---------------------------------------------------------------

  /** Loads url through the cache; the same in-flight load is shared by concurrent callers. */
  #load(url, { signal, response, privateRequest = false } = {}) {
    // A caller's own response (put) is stored as given, never shared.
    if (response) return this.#runLoad(url, { signal, response, privateRequest });
    const key = this.#core.parseArtifactUrl(url).storageKey;
    return this.#loading.run(key, signal, (shared) => this.#runLoad(url, { signal: shared, privateRequest }));
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
      if (result.status === "not-allowed") this.#errors.report("cos-not-allowed", redactUrl(this.#core, url), result.error);
      if (result.status === "error") this.#errors.report("cos-failed", redactUrl(this.#core, url), result.error);
    }
    return result;
  }

  async #runLoad(url, options) {
    const loaded = await this.#transfer(url, options);
    if (this.#core.isTensorCacheUrl(url)) {
      this.#bytesOf(url, loaded, options.signal).then((blob) => this.#prefetchShards(url, blob), () => {});
    }
    return loaded;
  }

  // The bytes of a load. Bytes streamed into storage are read back only when a caller needs them
  // (addToCache does not), once per load.
  #bytesOf(url, loaded, signal) {
    loaded.bytes ??= (async () => {
      if (loaded.blob) return loaded.blob;
      const stored = await this.#readStorage(url, loaded.record, false);
      if (stored.status === "hit") return stored.file;
      // The extension can lose an entry after a clean close; the caller still gets its bytes.
      this.#seenInStorage.delete(loaded.record.value);
      this.#errors.report("cos-failed", redactUrl(this.#core, url), new Error(`entry ${loaded.record.value} missing after write`));
      const again = await this.#download(url, this.#core.parseArtifactUrl(url), signal);
      return (await this.#storeUnknown(url, again, false, undefined, undefined, signal, {}, loaded.record?.value)).blob;
    })();
    return loaded.bytes;
  }

  // tvmjs asks for shards one at a time after reading the tensor cache: resolve them all now,
  // in one batch request per revision, and let those requests join it.
  #prefetchShards(url, blob) {
    blob.text()
      .then((text) => this.#hashes.many(this.#core.tensorCacheShardUrls(url, text)))
      .catch((error) => this.#errors.report("prefetch-failed", redactUrl(this.#core, url), error));
  }

  async #transfer(url, { signal, response, privateRequest }) {
    throwIfAborted(signal);
    const parsed = this.#core.parseArtifactUrl(url);
    const record = await this.#hashes.record(url, signal);
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
    const network = response ?? await this.#download(url, parsed, signal, requestInit);
    // Private bytes are kept same-site: anyone who knows a hash could read a shared entry.
    const origins = parsed.hasCredentials || privateRequest ? undefined : this.#origins;
    const total = Number(network.headers.get("Content-Length")) || (record?.size > 0 ? record.size : undefined);
    // Only a request this cache made can be made again for the rest of a body that broke off.
    const refetch = response ? null : requestInit;
    if (canStore && record) return this.#storeKnown(url, network, record, origins, total, signal, refetch);
    return this.#storeUnknown(url, network, canStore, origins, total, signal, refetch, record?.value);
  }

  async #download(url, parsed, signal, requestInit = {}) {
    this.#stats.downloads++;
    let response;
    try {
      response = await this.#fetch(url, { ...requestInit, signal });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw new Error(`cross-origin-cache: fetching ${parsed.redacted} failed: ${error?.message ?? error}`, { cause: error });
    }
    if (!response.ok) {
      response.body?.cancel().catch(() => {});
      throw new Error(`cross-origin-cache: fetching ${parsed.redacted} failed: HTTP ${response.status}`);
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
  async #pump(url, response, total, signal, sink, { hashKnown = false, refetch, writesInFlight = 1 } = {}) {
    const expected = this.#live().verifyOnly(url);
    const hasher = digestsFor(this.#core, expected.map((digest) => digest.algorithm));
    const writes = [];  // the sink's pending writes, oldest first
    let writeFailure;   // the first write that failed, even while an older one is pending
    const reader = new ResumableBody({
      core: this.#core,
      fetch: refetch ? (target, init) => this.#fetch(target, { ...refetch, ...init }) : undefined,
      url,
      response,
      hashKnown,
      maxAttempts: this.#resumeAttempts,
      onResumed: (cause, atByte) => {
        this.#stats.resumedDownloads++;
        this.#errors.report("download-resumed", redactUrl(this.#core, url),
          new Error(`the body broke off at byte ${atByte} (${cause?.message ?? cause}); the rest was asked for with a range request`, { cause }));
      },
    });
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
          this.#errors.report(step.errorKind, redactUrl(this.#core, url), new Error(step.errorMessage));
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
    if (step.errorKind) {
      this.#errors.report(step.errorKind === "hash-mismatch" ? "cos-hash-mismatch" : step.errorKind,
        redactUrl(this.#core, url), new Error(step.errorMessage));
      throw new Error(`cross-origin-cache: ${step.errorMessage}`);
    }
    return step;
  }

  // The hash is known before the bytes: stream them straight into storage, flat memory.
  async #storeKnown(url, response, record, origins, total, signal, refetch) {
    let step;
    let failure;  // what went wrong, when it was not the storage: "network" or "mismatch"
    try {
      await this.#cos.write(record.value, origins, async (storage) => {
        let writeFailed = false;
        const sink = (chunk) => storage.write(chunk).catch((error) => { writeFailed = true; throw error; });
        const writesInFlight = storage.queues ? WRITES_IN_FLIGHT : 1;
        const pumped = await this.#pump(url, response, total, signal, sink, { hashKnown: true, refetch, writesInFlight }).catch((error) => {
          if (!writeFailed) failure = "network";
          throw error;
        });
        try {
          step = this.#verify(url, pumped, record.value, response);
        } catch (error) {
          failure = "mismatch";
          throw error;
        }
      });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (failure === "mismatch") throw error;
      if (failure === "network") throw error;
      this.#reportWriteError(url, error);
      // Only the storage's own check at close can say the bytes do not match: the caller must know.
      if (error instanceof StorageWriteError && this.#core.storageWriteErrorKind(error.kind, error.step) === "cos-hash-mismatch") {
        throw new Error(`cross-origin-cache: storage rejected the bytes of ${redactUrl(this.#core, url)} as not matching ${record.value}`, { cause: error });
      }
      // The body went into a failed write: fetch it again and hand it over unstored.
      const again = await this.#download(url, this.#core.parseArtifactUrl(url), signal);
      return this.#storeUnknown(url, again, false, origins, total, signal, {}, record.value);
    }
    await this.#hashes.persist(url, step.persistKey, step.persistBody);
    this.#countStored(record.value, total);
    return { blob: undefined, source: "network", record };
  }

  // The hash comes from the content: hash while spooling into a Blob, then store under it.
  // refetch: the RequestInit this cache made the request with (null for a response handed to
  // put()); expected: the hash known when the download started, if any (storage was not usable).
  async #storeUnknown(url, response, canStore, origins, total, signal, refetch = {}, expected = "") {
    const parts = [];
    const { hex, size } = await this.#pump(url, response, total, signal, (chunk) => { parts.push(chunk); }, { refetch });
    const step = this.#verify(url, { hex, size }, expected, response);
    const blob = new Blob(parts, { type: response.headers.get("Content-Type") ?? "" });
    parts.length = 0;
    if (canStore) {
      try {
        throwIfAborted(signal);
        await this.#cos.write(hex, origins, async (storage) => {
          await storage.write(blob);
          this.#progress.emit(url, "store", size, size, true);
        });
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
    this.#errors.report(this.#core.storageWriteErrorKind(String(name ?? ""), step), redactUrl(this.#core, url), error);
  }


  // ---- tvmjs ArtifactCacheTemplate ------------------------------------------------------

  async fetchWithCache(url, storetype, signal) {
    const target = requestUrl(url);
    const loaded = await this.#load(target, { signal, privateRequest: isPrivateRequest(url) });
    const blob = await this.#bytesOf(target, loaded, signal);
    return convert(storedResponse(blob, this.#mediaType(target, blob)), storetype);
  }

  async addToCache(url, storetype, signal) {
    await this.#load(requestUrl(url), { signal });
  }

  async hasAllKeys(urls) {
    const records = await this.#hashes.many(urls.map(requestUrl));
    if (!this.#cos || records.some((record) => !record)) return false;
    // Hashes this cache stored or saw cost nothing; the others are asked for together.
    const unknown = [...new Set(records.map((r) => r.value).filter((value) => !this.#seenInStorage.has(value)))];
    if (unknown.length === 0) return true;
    const result = await this.#cos.hasAll(unknown);
    if (result.status === "error") this.#errors.report("cos-failed", unknown.length === 1 ? unknown[0] : `${unknown.length} hashes`, result.error);
    if (result.status !== "hit") return false;
    for (const value of unknown) this.#seenInStorage.add(value);
    return true;
  }

  async deleteInCache(url) {
    const target = requestUrl(url);
    const record = await this.#hashes.local(target);
    this.#live().forget(target);
    const key = this.#core.parseArtifactUrl(target).storageKey;
    if (this.#persisted) {
      try {
        await this.#persisted.delete(key);
      } catch (error) {
        this.#errors.report("persist-failed", redactUrl(this.#core, target), error);
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
    if (!this.#isUrl(url)) return undefined;  // a Cache answers a key it cannot hold with a miss
    const record = await this.#hashes.record(url);
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
    if (!(response instanceof Response) || !response.body) throw new TypeError("put: expected a Response with a body");
    if (!response.ok) throw new TypeError(`put: refusing to store a response with status ${response.status}`);
    await this.#load(url, { response, privateRequest: isPrivateRequest(request) });
  }
}

/** Creates a cache; options are described in index.d.ts. */
export async function createCrossOriginCache(options = {}) {
  const core = await loadCore(options);
  return new CrossOriginCache(core, options);
}
