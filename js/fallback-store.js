// A same-origin stand-in for Cross-Origin Storage when no manager exists: entries keyed by SHA-256
// in a Cache API cache, the hash verified on close, NotFoundError on a miss. It offers the same
// requestFileHandle API, so the cache code treats both alike.
//
// An entry is served only when it is sealed: each write carries a random id in a header, and a
// seal naming that id and the size is stored (in a cache of seals beside the entries' own) only
// after the bytes hashed right. A write that was
// cut off, or bytes that other code of the origin put under an entry's key, are a miss.
import { randomHex } from "./hex.js";
import { hasherFor } from "./sha256.js";

const ENTRY_PREFIX = "https://cross-origin-cache.invalid/sha256/";
const SEAL_PREFIX = "https://cross-origin-cache.invalid/seal/";
const WRITE_HEADER = "X-Cross-Origin-Cache-Write";

function domError(message, name) {
  return new DOMException(message, name);
}

function chunkBytes(chunk) {
  if (chunk && typeof chunk === "object" && chunk.type === "write") return chunkBytes(chunk.data);
  return chunk;
}

function defaultEstimate() {
  return globalThis.navigator?.storage?.estimate?.();
}

export class FallbackStore {
  #caches;
  #core;
  #estimate;
  #opening;
  #openingSeals;

  /** estimate: () => navigator.storage.estimate()'s answer (a test may pass its own). */
  constructor(caches, name, core, { estimate = defaultEstimate } = {}) {
    this.#caches = caches;
    this.#core = core;
    this.#estimate = estimate;
    this.name = name;
  }

  #open() {
    this.#opening ??= this.#caches.open(this.name);
    return this.#opening;
  }

  #openSeals() {
    this.#openingSeals ??= this.#caches.open(`${this.name}-seals`);
    return this.#openingSeals;
  }

  /** {fits, quota, usage}: whether size bytes may be written, by the browser's storage estimate. */
  async room(size) {
    let estimate;
    try {
      estimate = await this.#estimate();
    } catch {
      estimate = undefined;  // unknown: the write is tried, and a refusal is still handled
    }
    const quota = Number(estimate?.quota ?? -1);
    const usage = Number(estimate?.usage ?? -1);
    return { fits: this.#core.fitsStorageEstimate(Number(size ?? -1), quota, usage), quota, usage };
  }

  async requestFileHandle(hash, { create = false } = {}) {
    // COS semantics: only the canonical lowercase form is accepted, never normalised.
    if (hash?.algorithm !== "SHA-256" || !this.#core.isCanonicalSha256Hex(String(hash?.value ?? ""))) {
      throw new TypeError("hash must be {algorithm: 'SHA-256', value: 64 lowercase hex digits}");
    }
    if (create) return { kind: "file", name: hash.value, createWritable: () => this.#writable(hash.value) };
    const [cache, seals] = await Promise.all([this.#open(), this.#openSeals()]);
    const [response, seal] = await Promise.all([cache.match(ENTRY_PREFIX + hash.value), seals.match(SEAL_PREFIX + hash.value)]);
    const missing = () => domError(`no entry for ${hash.value}`, "NotFoundError");
    const writeId = response?.headers.get(WRITE_HEADER) ?? "";
    const sealText = seal ? await seal.text() : "";
    if (!response || !this.#core.fallbackSealVouches(sealText, writeId, -1)) {
      response?.body?.cancel().catch(() => {});
      throw missing();
    }
    return {
      kind: "file",
      name: hash.value,
      getFile: async () => {
        const blob = await response.blob();
        if (!this.#core.fallbackSealVouches(sealText, writeId, blob.size)) throw missing();
        return new File([blob], hash.value, { type: blob.type });
      },
    };
  }

  async remove(value) {
    const [cache, seals] = await Promise.all([this.#open(), this.#openSeals()]);
    const [removed] = await Promise.all([cache.delete(ENTRY_PREFIX + value), seals.delete(SEAL_PREFIX + value)]);
    return removed;
  }

  // Bytes stream into cache.put as they are written, so a large file is never held whole; the
  // hash is checked at close, and a mismatch errors the stream, so put stores nothing. The seal
  // follows the bytes, once they are both stored and verified.
  async #writable(expected) {
    const [cache, seals] = await Promise.all([this.#open(), this.#openSeals()]);
    const hasher = hasherFor(this.#core);
    const writeId = randomHex(16);
    const pipe = new TransformStream();
    const writer = pipe.writable.getWriter();
    const stored = cache.put(ENTRY_PREFIX + expected, new Response(pipe.readable, { headers: { [WRITE_HEADER]: writeId } }));
    stored.catch(() => {});
    let finished = false;
    let size = 0;
    const finish = () => {
      if (finished) throw new TypeError("the writable is closed");
      finished = true;
      return hasher.digest();
    };
    const push = async (bytes) => {
      hasher.update(bytes);
      size += bytes.byteLength;
      await writer.write(bytes);
    };
    return {
      async write(chunk) {
        if (finished) throw new TypeError("the writable is closed");
        const data = chunkBytes(chunk);
        // Not copied: a chunk is handed over for good (CosClient.write), and the pipe holds it
        // until cache.put has taken it.
        if (!(data instanceof Blob)) return push(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
        const reader = data.stream().getReader();
        for (let part = await reader.read(); !part.done; part = await reader.read()) await push(part.value);
      },
      close: async () => {
        const actual = finish();
        if (actual !== expected) {
          const error = domError(`bytes hash to ${actual}, not ${expected}`, "DataError");
          await writer.abort(error).catch(() => {});
          throw error;
        }
        await writer.close();
        await stored;
        await seals.put(SEAL_PREFIX + expected, new Response(this.#core.encodeFallbackSeal(writeId, size)));
      },
      async abort(reason) {
        if (!finished) finish();
        await writer.abort(reason).catch(() => {});
      },
    };
  }
}
