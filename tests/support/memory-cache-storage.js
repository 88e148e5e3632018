/**
 * An in-memory stand-in for the Cache API (CacheStorage and Cache) for Node
 * tests, with injectable failures and per-cache counters.
 *
 * Follows the Cache API where it matters to callers: entries are keyed by the
 * request URL without its fragment, only GET requests are stored or matched
 * (unless `ignoreMethod`), `put` consumes the whole body and refuses 206,
 * error responses, used bodies and `Vary: *`, and every `match` returns a
 * fresh Response. Vary is otherwise ignored.
 *
 * @module
 */

/**
 * @typedef {object} CacheCounts
 * @property {number} opens
 * @property {number} puts
 * @property {number} matches
 * @property {number} deletes
 */

/**
 * @typedef {Error | ((request: Request) => Error | undefined) | null | undefined} FailSetting
 *   An error to reject with, or a function deciding per request.
 */

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** @returns {CacheCounts} */
const zeroCounts = () => ({ opens: 0, puts: 0, matches: 0, deletes: 0 });

/**
 * Turns a RequestInfo into a Request, as the Cache API does (strings must be
 * absolute URLs here, since there is no document base URL).
 * @param {Request|URL|string} input
 * @returns {Request}
 */
function toRequest(input) {
  if (input instanceof Request) return input;
  if (input instanceof URL) return new Request(input.href);
  if (typeof input === "string") {
    if (!URL.canParse(input)) throw new TypeError(`Cache: not an absolute URL: ${input}`);
    return new Request(input);
  }
  throw new TypeError("Cache: request must be a Request, URL or absolute URL string");
}

/** The key an entry is stored under: the URL without fragment (and, if asked, without query). */
function keyOf(url, ignoreSearch = false) {
  const u = new URL(url);
  u.hash = "";
  if (ignoreSearch) u.search = "";
  return u.href;
}

/** @param {FailSetting} setting @param {Request} request */
function failure(setting, request) {
  if (!setting) return undefined;
  return typeof setting === "function" ? setting(request) : setting;
}

/**
 * One named cache. Obtain through MemoryCacheStorage#open.
 */
export class MemoryCache {
  /** @type {FailSetting} Makes put reject (after the body was read). */
  failPut = null;
  /** @type {FailSetting} Makes match reject. */
  failMatch = null;

  /** @type {Map<string, {url: string, status: number, statusText: string, headers: [string, string][], bytes: Uint8Array}>} */
  #entries = new Map();

  /** @param {string} name @param {CacheCounts} counts */
  constructor(name, counts) {
    /** The cache's name. */
    this.name = name;
    /** Counters shared with the storage's counts for this name. */
    this.counts = counts;
  }

  /**
   * @param {Request|URL|string} input
   * @param {{ignoreSearch?: boolean, ignoreMethod?: boolean, ignoreVary?: boolean}} [options]
   * @returns {Promise<Response|undefined>}
   */
  async match(input, options = {}) {
    this.counts.matches++;
    const request = toRequest(input);
    const error = failure(this.failMatch, request);
    if (error) throw error;
    if (request.method !== "GET" && !options.ignoreMethod) return undefined;
    const entry = options.ignoreSearch
      ? [...this.#entries.values()].find((e) => keyOf(e.url, true) === keyOf(request.url, true))
      : this.#entries.get(keyOf(request.url));
    if (!entry) return undefined;
    const body = NULL_BODY_STATUSES.has(entry.status) ? null : entry.bytes.slice();
    const response = new Response(body, { status: entry.status, statusText: entry.statusText, headers: entry.headers });
    Object.defineProperty(response, "url", { value: entry.url });
    return response;
  }

  /**
   * Stores a response, reading its whole body.
   * @param {Request|URL|string} input
   * @param {Response} response
   * @returns {Promise<void>}
   */
  async put(input, response) {
    this.counts.puts++;
    const request = toRequest(input);
    const scheme = new URL(request.url).protocol;
    if (scheme !== "http:" && scheme !== "https:") throw new TypeError(`Cache.put: unsupported scheme ${scheme}`);
    if (request.method !== "GET") throw new TypeError("Cache.put: only GET requests can be stored");
    if (!(response instanceof Response)) throw new TypeError("Cache.put: not a Response");
    if (response.type === "error") throw new TypeError("Cache.put: network error response");
    if (response.status === 206) throw new TypeError("Cache.put: partial (206) response");
    if (response.headers.get("Vary")?.split(",").some((v) => v.trim() === "*")) {
      throw new TypeError("Cache.put: Vary: * response");
    }
    if (response.bodyUsed) throw new TypeError("Cache.put: response body already used");
    const bytes = new Uint8Array(await response.arrayBuffer());
    const error = failure(this.failPut, request);
    if (error) throw error;
    const key = keyOf(request.url);
    this.#entries.delete(key); // a replaced entry moves to the end, as in the spec
    this.#entries.set(key, {
      url: key,
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      bytes,
    });
  }

  /**
   * @param {Request|URL|string} input
   * @param {{ignoreSearch?: boolean, ignoreMethod?: boolean}} [options]
   * @returns {Promise<boolean>} Whether anything was deleted.
   */
  async delete(input, options = {}) {
    this.counts.deletes++;
    const request = toRequest(input);
    if (request.method !== "GET" && !options.ignoreMethod) return false;
    if (!options.ignoreSearch) return this.#entries.delete(keyOf(request.url));
    let deleted = false;
    for (const [key, entry] of this.#entries) {
      if (keyOf(entry.url, true) === keyOf(request.url, true)) deleted = this.#entries.delete(key) || deleted;
    }
    return deleted;
  }

  /**
   * Requests for the stored entries, oldest first (optionally only those matching a request).
   * @param {Request|URL|string} [input]
   * @returns {Promise<Request[]>}
   */
  async keys(input) {
    const wanted = input === undefined ? undefined : keyOf(toRequest(input).url);
    return [...this.#entries.keys()].filter((key) => wanted === undefined || key === wanted).map((key) => new Request(key));
  }

  /** Number of stored entries (test helper). */
  get size() {
    return this.#entries.size;
  }
}

/**
 * The CacheStorage (`caches`) stand-in.
 */
export class MemoryCacheStorage {
  /** @type {Error|null|undefined} Makes open reject. */
  failOpen = null;

  /** @type {Map<string, MemoryCache>} */
  #caches = new Map();

  /** @type {Map<string, CacheCounts>} Counters per cache name; they survive delete. */
  counts = new Map();

  /** Counters for one cache name (zeros if never used). @param {string} name @returns {CacheCounts} */
  countsFor(name) {
    name = String(name);
    if (!this.counts.has(name)) this.counts.set(name, zeroCounts());
    return /** @type {CacheCounts} */ (this.counts.get(name));
  }

  /** Opens (creating if needed) a cache; the same object for the same live name. @returns {Promise<MemoryCache>} */
  async open(name) {
    name = String(name);
    const counts = this.countsFor(name);
    counts.opens++;
    if (this.failOpen) throw this.failOpen;
    let cache = this.#caches.get(name);
    if (!cache) {
      cache = new MemoryCache(name, counts);
      this.#caches.set(name, cache);
    }
    return cache;
  }

  /** @returns {Promise<boolean>} */
  async has(name) {
    return this.#caches.has(String(name));
  }

  /** Deletes a cache; objects already opened keep working but are detached. @returns {Promise<boolean>} */
  async delete(name) {
    return this.#caches.delete(String(name));
  }

  /** Cache names in creation order. @returns {Promise<string[]>} */
  async keys() {
    return [...this.#caches.keys()];
  }

  /**
   * Looks a request up in one named cache or in all, in creation order.
   * @param {Request|URL|string} input
   * @param {{cacheName?: string, ignoreSearch?: boolean, ignoreMethod?: boolean}} [options]
   * @returns {Promise<Response|undefined>}
   */
  async match(input, options = {}) {
    const names = options.cacheName === undefined ? [...this.#caches.keys()] : [String(options.cacheName)];
    for (const name of names) {
      const response = await this.#caches.get(name)?.match(input, options);
      if (response) return response;
    }
    return undefined;
  }
}
