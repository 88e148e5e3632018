// A `cacheManager` for @wllama/wllama (3.8.x) backed by a CrossOriginCache: wllama's
// CacheManager interface (esm/cache-manager.d.ts) adapted onto the cache's own calls. It decides
// nothing itself: a wllama "name" is wllama's own key for a URL (`${sha1(url)}_${fileName}`), the
// bytes are the cache's (resolved by hash, read from and stored in Cross-Origin Storage or the
// fallback store), and the only state it keeps is wllama's metadata per name — the index of what
// was downloaded through it, which is what list() reports — in a Cache API store of the cache's
// scope (`<scope>-wllama-index`). An entry whose metadata carries a secret anywhere (its
// originalURL, mmprojURL or any other string the core would redact: userinfo, a secret query
// value) is indexed for the life of the object only, as the cache keeps its record of such a URL,
// and is never persisted. Within that life list() and getMetadata() give wllama back the metadata
// it wrote, unredacted: wllama finds its files by `metadata.originalURL === url` and downloads
// what list() names, so a redacted URL breaks its ModelManager (loadModelFromHF({hfToken}) builds
// `?token=` URLs). Nothing else shows a secret: this file's errors name a file by wllama's name
// (the file without its query), the cache's errors and events give URLs redacted, and every
// rejection leaves as a redacted copy (Redactor).

import { loadCore } from "./core.js";
import { toHex } from "./hex.js";
import { KeyedTurns } from "./keyed-turns.js";
import { Redactor } from "./redactor.js";

// Index keys are synthetic URLs (the Cache API keys only http(s) requests); nothing is fetched.
const INDEX_BASE = "https://wllama-index.invalid/";
// A name's key is INDEX_BASE + encodeURIComponent(name), which URL parsing leaves as it is, except
// for the names "." and ".." (dot segments, removed: both would be INDEX_BASE, the key of "") and a
// name encodeURIComponent refuses (a lone surrogate). Those are keyed INDEX_BASE + "u/" + the
// name's UTF-16 code units in hex: encodeURIComponent never writes "/", so no other name has it.
const CODE_UNIT_KEYS = "u/";

function indexKey(name) {
  if (name !== "." && name !== "..") {
    try {
      return INDEX_BASE + encodeURIComponent(name);
    } catch {
      // a lone surrogate: below
    }
  }
  let hex = "";
  for (let i = 0; i < name.length; i++) hex += name.charCodeAt(i).toString(16).padStart(4, "0");
  return INDEX_BASE + CODE_UNIT_KEYS + hex;
}

// The name of an index key, or null for a key that is none of indexKey()'s.
function nameOfKey(url) {
  if (!url.startsWith(INDEX_BASE)) return null;
  const rest = url.slice(INDEX_BASE.length);
  if (rest.startsWith(CODE_UNIT_KEYS)) {
    const hex = rest.slice(CODE_UNIT_KEYS.length);
    if (!/^(?:[0-9a-f]{4})*$/.test(hex)) return null;
    let name = "";
    for (let i = 0; i < hex.length; i += 4) name += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
    return name;
  }
  try {
    return decodeURIComponent(rest);
  } catch {
    return null;
  }
}

/**
 * wllama's storage key for a URL: `${hashSHA1(url)}_${last path segment}` (as its CacheManager),
 * the segment without the query or fragment, where a token would stand.
 */
export async function wllamaNameFromURL(url) {
  const text = String(url);
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return `${toHex(digest)}_${text.split(/[?#]/)[0].split("/").pop()}`;
}

// Whether metadata carries a secret: any string in it (a value at any depth, or a key) holding a
// URL the core says carries one (src/request_secrets.h), not decided here.
function carriesSecret(core, metadata) {
  const seen = new Set();
  const visit = (value) => {
    if (typeof value === "string") return core.textCarriesSecret(value);
    if (value === null || typeof value !== "object" || seen.has(value)) return false;
    seen.add(value);
    return Object.entries(value).some(([key, item]) => visit(key) || visit(item));
  };
  return visit(metadata);
}

// wllama's metadata per name, in a Cache API store.
class CacheApiIndex {
  #caches;
  #name;

  constructor(cacheStorage, name) {
    this.#caches = cacheStorage;
    this.#name = name;
  }

  // Opened each time: a store deleted by someone else (caches.delete) is then simply empty.
  #store() {
    return this.#caches.open(this.#name);
  }

  async get(name) {
    const response = await (await this.#store()).match(indexKey(name));
    return response ? response.json().catch(() => null) : null;
  }

  async put(name, metadata) {
    await (await this.#store()).put(indexKey(name),
      new Response(JSON.stringify(metadata), { headers: { "Content-Type": "application/json" } }));
  }

  async delete(name) {
    await (await this.#store()).delete(indexKey(name));
  }

  /** [{name, metadata}] of every readable entry. */
  async entries() {
    const store = await this.#store();
    const keys = await store.keys();
    const entries = await Promise.all(keys.map(async (request) => {
      const name = nameOfKey(request.url);
      if (name === null) return null;
      const response = await store.match(request);
      const metadata = response ? await response.json().catch(() => null) : null;
      return metadata ? { name, metadata } : null;
    }));
    return entries.filter(Boolean);
  }
}

// The same without a CacheStorage (e.g. Node): kept for the life of the object only.
class MemoryIndex {
  #map = new Map();
  async get(name) {
    return this.#map.has(name) ? structuredClone(this.#map.get(name)) : null;
  }
  async put(name, metadata) {
    this.#map.set(name, structuredClone(metadata));
  }
  async delete(name) {
    this.#map.delete(name);
  }
  async entries() {
    return [...this.#map].map(([name, metadata]) => ({ name, metadata: structuredClone(metadata) }));
  }
}

function isHttpUrl(text) {
  return /^https?:\/\//i.test(String(text));
}

// wllama's `headers`, taken as fetch takes them: a Headers, [name, value] pairs or a record.
function headersOf(init) {
  try {
    return new Headers(init ?? {});
  } catch {
    // The platform's TypeError quotes the refused value, which may be a token.
    throw new TypeError("cross-origin-cache: download: options.headers must be valid headers (a Headers, [name, value] pairs or a record)");
  }
}

// What the cache is asked to download: the URL, or with headers an object of a Request's shape
// (the cache reads its url, method and headers), its URL parsed as a Request's is. Not a Request:
// the platform refuses one for a URL with userinfo, which the cache sends as Authorization: Basic.
function downloadRequest(url, init) {
  const headers = headersOf(init);
  if (headers.keys().next().done) return url;
  return { url: new URL(url).href, method: "GET", headers };
}

/** wllama's CacheManager interface over a CrossOriginCache. */
export class WllamaCacheManager {
  #cache;
  #index;
  #privateIndex = new MemoryIndex();  // entries whose metadata carries a secret: never persisted
  // Every change to the indexes' entry of a name, one at a time in call order: a write is a delete
  // in one index and a put in the other, and two interleaved could end on the older metadata.
  #writes = new KeyedTurns();

  constructor(cache, options = {}) {
    for (const method of ["addToCache", "match", "put", "deleteInCache", "resolveHashDetails"]) {
      if (typeof cache?.[method] !== "function") {
        throw new TypeError(`createWllamaCacheManager: expected a CrossOriginCache (no ${method}())`);
      }
    }
    if (options === null || typeof options !== "object") throw new TypeError("createWllamaCacheManager: options must be an object");
    this.#cache = cache;
    const cacheStorage = options.caches ?? (typeof caches === "undefined" ? undefined : caches);
    const storeName = `${cache.scope ?? "cross-origin-cache"}-wllama-index`;
    this.#index = cacheStorage ? new CacheApiIndex(cacheStorage, storeName) : new MemoryIndex();
  }

  /** wllama's key for a URL: `${hashSHA1(url)}_${fileName}`. */
  async getNameFromURL(url) {
    return wllamaNameFromURL(url);
  }

  /**
   * (wllama: deprecated, use download().) Stores a stream as the bytes of `metadata.originalURL`
   * (checked against that URL's hash when the hub knows one), then the metadata under `name`.
   */
  async write(name, stream, metadata) {
    const url = metadata?.originalURL;
    if (!isHttpUrl(url)) throw new TypeError("write: metadata.originalURL must be the file's http(s) URL (the cache keys bytes by URL)");
    await this.#cache.put(url, new Response(stream));
    if ((await this.#storedSize(url)) < 0) throw new Error(`cross-origin-cache: the bytes of ${name} were not kept by the storage`);
    await this.writeMetadata(name, metadata);
  }

  /**
   * Downloads `url` into the cache unless its bytes are there already (the cache's call: by hash,
   * so bytes another origin stored are not downloaded again), then writes wllama's metadata.
   * `headers` go with the cache's requests for this file; `signal` aborts it. `progressCallback`
   * is called once, when the file is in storage: the cache's byte-level progress goes to its own
   * `onProgress` option.
   */
  async download(url, options = {}) {
    const name = await wllamaNameFromURL(url);
    const request = downloadRequest(url, options.headers);
    await this.#cache.addToCache(request, undefined, options.signal);
    const { size, details } = await this.#stored(request);
    if (size < 0) {
      throw new Error(`cross-origin-cache: ${name} was downloaded but is not in storage (no storage, or it refused or lost the bytes; see the cache's onError)`);
    }
    const metadata = {
      originalURL: url,
      originalSize: size,
      // wllama keeps the response's ETag; the cache's request is its own, so the content hash
      // stands in (what the hub's ETag of an LFS file is).
      etag: details?.value ?? "",
      ...(options.metadataAdditional ?? {}),
    };
    if (details?.value) metadata.sha256 = details.value;
    options.progressCallback?.({ loaded: size, total: size });
    await this.writeMetadata(name, metadata);
  }

  /** The stored bytes of a name (or of the URL downloaded under it), or null. */
  async open(nameOrURL) {
    const entry = await this.#entry(nameOrURL);
    if (!entry) return null;
    const response = await this.#cache.match(entry.metadata.originalURL);
    return response ? response.blob() : null;
  }

  /** Bytes in storage for a name, or -1. */
  async getSize(name) {
    const entry = await this.#entry(name);
    return entry ? this.#storedSize(entry.metadata.originalURL) : -1;
  }

  /**
   * wllama's metadata of a name, or null: as wllama wrote it (an entry with a secret is only in
   * this object's memory, and wllama needs its URLs whole).
   */
  async getMetadata(name) {
    return (await this.#entry(name))?.metadata ?? null;
  }

  /**
   * Every file downloaded (or written) through this manager's index, with the size of its bytes in
   * storage now: 0 when the storage no longer has them (evicted), so wllama's Model.validate()
   * calls the model invalid and refresh() loads it again.
   */
  async list() {
    return this.#entries();
  }

  // list()'s entries with their metadata as stored (a name in the private index hides the same
  // name in the persisted one).
  async #entries() {
    const persisted = await this.#persistedEntries();
    const entries = await this.#privateIndex.entries();
    const names = new Set(entries.map((entry) => entry.name));
    entries.push(...persisted.filter((entry) => !names.has(entry.name)));
    return Promise.all(entries.map(async ({ name, metadata }) => {
      const size = isHttpUrl(metadata.originalURL) ? await this.#storedSize(metadata.originalURL) : -1;
      return { name, size: Math.max(size, 0), metadata };
    }));
  }

  async clear() {
    await this.deleteMany(() => true);
  }

  /** Deletes a name, or the file downloaded from a URL. */
  async delete(nameOrURL) {
    const name2 = await wllamaNameFromURL(nameOrURL);
    await this.deleteMany((entry) => entry.name === nameOrURL || entry.name === name2);
  }

  /**
   * Deletes the entries `predicate` picks: the metadata here, and the cache's record of the URL
   * (deleteInCache: the URL→hash mapping; the fallback store's bytes when nothing else refers to
   * them). Cross-Origin Storage has no delete for sites: bytes there stay for other apps.
   */
  async deleteMany(predicate) {
    const entries = await this.#entries();
    const doomed = entries.filter((entry) => predicate(entry));
    const kept = new Set(entries.filter((entry) => !doomed.includes(entry)).map((entry) => entry.metadata.originalURL));
    for (const entry of doomed) {
      await this.#writes.run(entry.name, () => Promise.all([this.#index.delete(entry.name), this.#privateIndex.delete(entry.name)]));
      const url = entry.metadata.originalURL;
      if (isHttpUrl(url) && !kept.has(url)) await this.#cache.deleteInCache(url);
    }
  }

  /** Writes after every earlier write of the name: the last call's metadata is the one kept. */
  async writeMetadata(name, metadata) {
    const key = String(name);
    await this.#writes.run(key, async () => {
      const isPrivate = carriesSecret(await loadCore(), metadata);
      // One index holds a name: an entry moves when a secret in its metadata comes or goes.
      await (isPrivate ? this.#index : this.#privateIndex).delete(key);
      await (isPrivate ? this.#privateIndex : this.#index).put(key, metadata);
    });
  }

  // The index entry of a name, or of the name wllama gives a URL.
  async #entry(nameOrURL) {
    const text = String(nameOrURL);
    const get = async (name) => (await this.#privateIndex.get(name)) ?? (await this.#persisted(name));
    const metadata = (await get(text)) ?? (isHttpUrl(text) ? await get(await wllamaNameFromURL(text)) : null);
    return metadata && isHttpUrl(metadata.originalURL) ? { metadata } : null;
  }

  // A persisted entry, or null. One that carries a secret (persisted by an earlier version, which
  // looked at originalURL only) is moved to memory and taken out of the store.
  async #persisted(name) {
    const metadata = await this.#index.get(name);
    if (metadata === null || !carriesSecret(await loadCore(), metadata)) return metadata;
    await this.#moveToMemory(name);
    return metadata;
  }

  // The persisted index's entries that carry no secret; those that do are moved as #persisted().
  async #persistedEntries() {
    const core = await loadCore();
    const entries = await this.#index.entries();
    const secret = entries.filter((entry) => carriesSecret(core, entry.metadata));
    for (const { name } of secret) await this.#moveToMemory(name);
    return entries.filter((entry) => !secret.includes(entry));
  }

  // Read again in its turn: a write queued before it may have replaced the entry meanwhile.
  async #moveToMemory(name) {
    await this.#writes.run(name, async () => {
      const metadata = await this.#index.get(name);
      if (metadata === null || !carriesSecret(await loadCore(), metadata)) return;
      if ((await this.#privateIndex.get(name)) === null) await this.#privateIndex.put(name, metadata);
      await this.#index.delete(name);
    });
  }

  // Size of a URL's bytes in storage (no download), or -1. Storage keys bytes by their verified
  // SHA-256, so when the record knows the size, the entry being there (hasAllKeys: a handle, no
  // read) is enough; otherwise the stored file is looked at (match: a File, its size).
  async #storedSize(request) {
    return (await this.#stored(request)).size;
  }

  // The size, as #storedSize, with the URL's hash record (resolved once for both).
  async #stored(request) {
    const [details] = await this.#cache.resolveHashDetails([request]);
    if (details && Number.isSafeInteger(details.size)) {
      return { size: (await this.#cache.hasAllKeys([request])) ? details.size : -1, details };
    }
    const response = await this.#cache.match(request);
    if (!response) return { size: -1, details };
    const length = response.headers.get("Content-Length");
    if (length !== null && /^\d+$/.test(length)) {
      response.body?.cancel().catch(() => {});
      return { size: Number(length), details };
    }
    return { size: (await response.blob()).size, details };
  }

  // The one exit for rejections, as for the cache's own methods: what a method throws (a
  // platform error may quote a URL or a value of wllama's metadata whole) leaves as a redacted copy.
  static {
    for (const name of ["getNameFromURL", "write", "download", "open", "getSize", "getMetadata", "list", "clear",
      "delete", "deleteMany", "writeMetadata"]) {
      const method = WllamaCacheManager.prototype[name];
      WllamaCacheManager.prototype[name] = async function (...args) {
        try {
          return await method.apply(this, args);
        } catch (error) {
          throw new Redactor(await loadCore()).error(error);
        }
      };
    }
  }
}

/** wllama's `cacheManager` (ModelManager / Wllama config) over a CrossOriginCache. */
export function createWllamaCacheManager(cache, options) {
  return new WllamaCacheManager(cache, options);
}
