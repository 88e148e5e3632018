/**
 * An in-memory Cross-Origin Storage (COS) manager following the WICG draft
 * (https://wicg.github.io/cross-origin-storage/), for Node tests.
 *
 * One `store` is shared by managers for several origins, so tests can check
 * visibility across origins. Files are addressed by `{algorithm: "SHA-256",
 * value}`; writes are hashed on close and rejected with DataError if the bytes
 * do not match. Each step can be made to fail with any error, and a seeded
 * PRNG can drop entries whose create handle requests overlapped, like the real
 * extension does (the step that races there: overlapping writes and closes lose
 * nothing once those requests run one at a time).
 *
 * API shapes offered (option `api`):
 *  - "getFileHandle":      getFileHandle(hash, {create, origins}) -> handle (newest draft)
 *  - "requestFileHandle":  requestFileHandle(hash, {create, origins}) -> handle
 *  - "requestFileHandles": requestFileHandles([hash, ...], {create, origins}) -> handle[] (older draft)
 *  - "all" (default):      all three.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { Blob, File } from "node:buffer";
import { sha256Hex } from "./test-data.js";

const HEX64 = /^[0-9a-f]{64}$/;
const API_METHODS = ["getFileHandle", "requestFileHandle", "requestFileHandles"];
/** Default origin of `store.manager()`. */
export const DEFAULT_ORIGIN = "http://localhost";

/**
 * @typedef {object} CosEntry
 * @property {string} hash The SHA-256 hex value.
 * @property {Uint8Array|null} bytes null while the first write is in progress.
 * @property {string[]|"*"|undefined} origins Extra origins that may read it ("*" = all; undefined = owner only).
 * @property {string} ownerOrigin Origin that first stored it.
 * @property {boolean} writing True until the first successful close.
 */

/**
 * @typedef {"request"|"getFile"|"createWritable"|"write"|"close"} Step
 */

/**
 * @typedef {object} CallRecord
 * @property {string} origin
 * @property {string} method The API method the handle came from.
 * @property {string|undefined} hash The hash value (undefined if it was not valid).
 * @property {object|undefined} options The options passed to the API method.
 * @property {Step|"abort"} step
 * @property {string} [error] Name of the error the step failed with.
 * @property {number} [bytes] Bytes in a write.
 * @property {boolean} [done] The write completed (the store has its bytes).
 */

/** A small deterministic PRNG: sha256 of seed and a counter, as a fraction in [0, 1). */
function seededRandom(seed) {
  let n = 0;
  return () => createHash("sha256").update(`memory-cos\0${seed}\0${n++}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** Widens visibility; never narrows. (Shared with the page backend: one COS semantics.) */
export function widen(current, added, writerOrigin, ownerOrigin) {
  if (current === "*" || added === "*") return "*";
  const set = new Set([...(current ?? []), ...(added ?? [])]);
  if (writerOrigin !== ownerOrigin) set.add(writerOrigin);
  return set.size ? [...set] : undefined;
}

/** @param {CosEntry} entry @param {string} origin */
export function visibleTo(entry, origin) {
  return entry.origins === "*" || entry.ownerOrigin === origin || (Array.isArray(entry.origins) && entry.origins.includes(origin));
}

/** Validates a hash descriptor, returning its value. */
function hashValue(hash) {
  if (!hash || typeof hash !== "object") throw new TypeError("hash must be an object {algorithm, value}");
  if (hash.algorithm !== "SHA-256") throw new TypeError(`unsupported hash algorithm: ${hash.algorithm}`);
  if (typeof hash.value !== "string" || !HEX64.test(hash.value)) {
    throw new TypeError("hash value must be 64 lowercase hex digits");
  }
  return hash.value;
}

/** Validates request options. */
function requestOptions(options) {
  if (options == null) return { create: false, origins: undefined };
  if (typeof options !== "object") throw new TypeError("options must be an object");
  const { origins } = options;
  if (origins !== undefined && origins !== "*" && !(Array.isArray(origins) && origins.every((o) => typeof o === "string"))) {
    throw new TypeError('origins must be "*" or an array of origin strings');
  }
  return { create: Boolean(options.create), origins: Array.isArray(origins) ? [...origins] : origins };
}

/**
 * Turns a write() argument into bytes. A BufferSource is kept as given, uncopied, until close, as
 * the COS extension keeps it: a writer that writes into a buffer it handed over corrupts the entry.
 * @returns {Promise<Uint8Array>}
 */
async function chunkBytes(chunk) {
  if (chunk && typeof chunk === "object" && "type" in chunk && !(chunk instanceof Blob)) {
    if (chunk.type !== "write" || chunk.position != null) {
      throw new TypeError(`memory COS supports only sequential {type: "write", data} chunks, got type ${chunk.type}`);
    }
    chunk = chunk.data;
  }
  if (typeof chunk === "string") return new TextEncoder().encode(chunk);
  if (chunk instanceof Blob) return new Uint8Array(await chunk.arrayBuffer());
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError("write() takes a BufferSource, Blob, string or {type: \"write\", data}");
}

/**
 * A FileSystemWritableFileStream look-alike: a real WritableStream with a
 * `write(data)` shortcut, so both `await w.write(x); await w.close()` and
 * `readable.pipeTo(w)` work.
 */
class MemoryWritable extends WritableStream {
  /** @param {any} data */
  async write(data) {
    const writer = this.getWriter();
    try {
      await writer.write(data);
    } finally {
      writer.releaseLock();
    }
  }
}

/**
 * Creates an in-memory COS store.
 * @param {object} [options]
 * @param {"getFileHandle"|"requestFileHandle"|"requestFileHandles"|"all"} [options.api="all"]
 * @param {boolean} [options.failConcurrentCreates=false] Lose a new entry with probability 1/3 (its close
 *   resolves, nothing is kept) when its create handle request (create: true) overlapped another
 *   create handle request still pending.
 * @param {number} [options.createRequestMs] How long a create handle request stays pending (the
 *   extension's rewrites all its metadata per call): 5 with failConcurrentCreates, else 0.
 * @param {number|string} [options.seed=1] Seed of the PRNG behind failConcurrentCreates.
 * @param {(info: {step: Step, hash: string, origin: string, method: string, create: boolean}) => Error|undefined} [options.faults]
 * @param {number} [options.quotaBytes=Infinity] Total bytes the store may hold.
 * @param {boolean} [options.silentQuota=false] Over quota, close() resolves and keeps nothing, as the
 *   COS extension does when a write fails inside it.
 * @param {(info: {offset: number, bytes: number}) => number} [options.writeMs] How long a write of
 *   `bytes` at `offset` in its entry takes (a slow store; default: none).
 */
export function createMemoryCos(options = {}) {
  const { api = "all", failConcurrentCreates = false, seed = 1, faults, quotaBytes = Infinity, silentQuota = false, writeMs } = options;
  const createRequestMs = options.createRequestMs ?? (failConcurrentCreates ? 5 : 0);
  const methods = api === "all" ? API_METHODS : [api];
  if (!methods.every((m) => API_METHODS.includes(m))) throw new TypeError(`unknown api ${api}`);
  const random = seededRandom(seed);

  /** @type {Map<string, CosEntry>} */
  const entries = new Map();
  /** Create handle requests still pending, each marked raced once another overlaps it. @type {Set<{raced: boolean}>} */
  const pendingCreates = new Set();

  const usedBytes = () => {
    let total = 0;
    for (const entry of entries.values()) total += entry.bytes?.length ?? 0;
    return total;
  };

  const store = {
    /** @type {CallRecord[]} */
    calls: [],
    counts: { request: 0, getFile: 0, createWritable: 0, write: 0, close: 0, abort: 0, created: 0, lost: 0, racedCreates: 0 },
    /** Stored (fully written) entries. @returns {CosEntry[]} */
    entries: () => [...entries.values()].filter((e) => !e.writing),
    /** Any entry, including one being written. @param {string} value @returns {CosEntry|undefined} */
    get: (value) => entries.get(value),
    /** Bytes held by stored entries. */
    usedBytes,
    clearCalls() {
      store.calls.length = 0;
    },
    /**
     * Puts bytes in the store directly (test setup, no calls recorded), hashing them.
     * @param {Uint8Array|string} data
     * @param {{origin?: string, origins?: string[]|"*"}} [opts]
     * @returns {{algorithm: "SHA-256", value: string}}
     */
    add(data, { origin = DEFAULT_ORIGIN, origins } = {}) {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data);
      const value = sha256Hex(bytes);
      const existing = entries.get(value);
      if (existing && !existing.writing) existing.origins = widen(existing.origins, origins, origin, existing.ownerOrigin);
      else entries.set(value, { hash: value, bytes, origins, ownerOrigin: origin, writing: false });
      return { algorithm: "SHA-256", value };
    },
    /**
     * A `navigator.crossOriginStorage` for one origin.
     * @param {string} [origin]
     */
    manager(origin = DEFAULT_ORIGIN) {
      const manager = {};
      for (const method of methods) {
        manager[method] =
          method === "requestFileHandles"
            ? (hashes, opts) => requestMany(origin, hashes, opts)
            : (hash, opts) => request(origin, method, hash, opts);
      }
      return manager;
    },
  };

  /** Records a step and asks the fault hook; throws the injected error. */
  function step(ctx, name, extra = {}) {
    const record = { origin: ctx.origin, method: ctx.method, hash: ctx.hash, options: ctx.options, step: name, ...extra };
    store.calls.push(record);
    if (name in store.counts) store.counts[name]++;
    const error = name === "abort" ? undefined : faults?.({ step: name, hash: ctx.hash, origin: ctx.origin, method: ctx.method, create: ctx.create });
    if (error) {
      record.error = error.name;
      throw error;
    }
    return record;
  }

  /** Wraps a step body so a failure is noted on its call record. */
  async function noted(record, body) {
    try {
      return await body();
    } catch (error) {
      record.error ??= error?.name;
      throw error;
    }
  }

  async function requestMany(origin, hashes, opts) {
    let values;
    try {
      if (!Array.isArray(hashes)) throw new TypeError("requestFileHandles takes an array of hashes");
      values = hashes.map(hashValue);
    } catch (error) {
      store.calls.push({ origin, method: "requestFileHandles", hash: undefined, options: opts, step: "request", error: error.name });
      store.counts.request++;
      throw error;
    }
    return Promise.all(values.map((value) => request(origin, "requestFileHandles", { algorithm: "SHA-256", value }, opts)));
  }

  async function request(origin, method, hash, opts) {
    const ctx = { origin, method, hash: undefined, options: opts, create: false };
    let value;
    let options;
    try {
      value = hashValue(hash);
      options = requestOptions(opts);
    } catch (error) {
      store.calls.push({ origin, method, hash: typeof hash?.value === "string" ? hash.value : undefined, options: opts, step: "request", error: error.name });
      store.counts.request++;
      throw error;
    }
    Object.assign(ctx, { hash: value, create: options.create });
    const record = step(ctx, "request");
    if (options.create) await pendingCreate(ctx);
    const entry = entries.get(value);
    if (!options.create) {
      if (!entry || !visibleTo(entry, origin)) {
        record.error = "NotFoundError";
        throw new DOMException(`No file with hash ${value} is available to ${origin}.`, "NotFoundError");
      }
      if (entry.writing) {
        record.error = "NotAllowedError";
        throw new DOMException(`The file with hash ${value} is still being written.`, "NotAllowedError");
      }
    }
    return makeHandle(ctx, options);
  }

  /** Holds a create handle request pending for createRequestMs; overlapping ones are all marked raced. */
  async function pendingCreate(ctx) {
    const create = { raced: pendingCreates.size > 0 };
    for (const other of pendingCreates) {
      if (!other.raced) store.counts.racedCreates++;
      other.raced = true;
    }
    if (create.raced) store.counts.racedCreates++;
    pendingCreates.add(create);
    ctx.createRequest = create;
    try {
      await (createRequestMs > 0 ? new Promise((resolve) => setTimeout(resolve, createRequestMs)) : null);
    } finally {
      pendingCreates.delete(create);
    }
  }

  function makeHandle(ctx, options) {
    const handle = {
      kind: "file",
      name: ctx.hash,
      async getFile() {
        const record = step(ctx, "getFile");
        const entry = entries.get(ctx.hash);
        if (!entry || entry.writing || !visibleTo(entry, ctx.origin)) {
          record.error = "NotFoundError";
          throw new DOMException(`No file with hash ${ctx.hash} is available to ${ctx.origin}.`, "NotFoundError");
        }
        return new File([entry.bytes], ctx.hash);
      },
    };
    if (options.create) {
      handle.createWritable = async () => {
        step(ctx, "createWritable");
        return makeWritable(ctx, options);
      };
    }
    return handle;
  }

  function makeWritable(ctx, options) {
    const chunks = [];
    let buffered = 0;
    let done = false;

    let placeholder = null;
    if (!entries.has(ctx.hash)) {
      placeholder = { hash: ctx.hash, bytes: null, origins: options.origins, ownerOrigin: ctx.origin, writing: true };
      entries.set(ctx.hash, placeholder);
    }

    /** Forgets this writer and any placeholder it created. */
    const finish = () => {
      if (done) return;
      done = true;
      if (placeholder && entries.get(ctx.hash) === placeholder && placeholder.writing) entries.delete(ctx.hash);
    };
    const quotaError = () =>
      new DOMException(`Storing ${ctx.hash} would exceed the ${quotaBytes}-byte quota.`, "QuotaExceededError");

    return new MemoryWritable({
      write: async (chunk) => {
        let record;
        try {
          const bytes = await chunkBytes(chunk);
          record = step(ctx, "write", { bytes: bytes.length });
          const stored = entries.get(ctx.hash);
          const duplicate = stored && !stored.writing; // will only widen on close, so costs nothing
          if (!duplicate && !silentQuota && usedBytes() + buffered + bytes.length > quotaBytes) {
            record.error = "QuotaExceededError";
            throw quotaError();
          }
          const delay = writeMs?.({ offset: buffered, bytes: bytes.length }) ?? 0;
          chunks.push(bytes);
          buffered += bytes.length;
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
          record.done = true;
        } catch (error) {
          if (!record) store.calls.push({ origin: ctx.origin, method: ctx.method, hash: ctx.hash, options: ctx.options, step: "write", error: error?.name });
          finish();
          throw error;
        }
      },
      close: async () => {
        let record;
        try {
          record = step(ctx, "close");
        } catch (error) {
          finish();
          throw error;
        }
        await noted(record, async () => {
          try {
            const bytes = new Uint8Array(buffered);
            let at = 0;
            for (const chunk of chunks) {
              bytes.set(chunk, at);
              at += chunk.length;
            }
            const actual = sha256Hex(bytes);
            if (actual !== ctx.hash) {
              throw new DOMException(`Written bytes hash to ${actual}, not ${ctx.hash}.`, "DataError");
            }
            const existing = entries.get(ctx.hash);
            if (existing && !existing.writing) {
              existing.origins = widen(existing.origins, options.origins, ctx.origin, existing.ownerOrigin);
              return;
            }
            if (usedBytes() + bytes.length > quotaBytes) {
              if (!silentQuota) throw quotaError();
              store.counts.lost++;
              record.lost = true;
              return; // resolves like a success, but nothing was kept (finish() drops the placeholder)
            }
            if (failConcurrentCreates && ctx.createRequest?.raced && random() < 1 / 3) {
              store.counts.lost++;
              record.lost = true;
              return; // resolves like a success, but the entry is gone (finish() drops the placeholder)
            }
            const entry = existing ?? placeholder ?? { hash: ctx.hash, ownerOrigin: ctx.origin, origins: options.origins };
            entry.bytes = bytes;
            entry.writing = false;
            if (entry.ownerOrigin !== ctx.origin || entry.origins !== options.origins) {
              entry.origins = widen(entry.origins, options.origins, ctx.origin, entry.ownerOrigin);
            }
            entries.set(ctx.hash, entry);
            store.counts.created++;
          } finally {
            finish();
          }
        });
      },
      abort: async () => {
        step(ctx, "abort");
        finish();
      },
    });
  }

  return { store, manager: store.manager };
}
