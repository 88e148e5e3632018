// A same-origin stand-in for Cross-Origin Storage when no manager exists: entries keyed by SHA-256
// in a Cache API cache, the hash verified on close, NotFoundError on a miss. It offers the same
// requestFileHandle API, so the cache code treats both alike.
import { hasherFor } from "./sha256.js";

const ENTRY_PREFIX = "https://cross-origin-cache.invalid/sha256/";

function domError(message, name) {
  return new DOMException(message, name);
}

function chunkBytes(chunk) {
  if (chunk && typeof chunk === "object" && chunk.type === "write") return chunkBytes(chunk.data);
  return chunk;
}

export class FallbackStore {
  #caches;
  #core;
  #opening;

  constructor(caches, name, core) {
    this.#caches = caches;
    this.#core = core;
    this.name = name;
  }

  #open() {
    this.#opening ??= this.#caches.open(this.name);
    return this.#opening;
  }

  async requestFileHandle(hash, { create = false } = {}) {
    // COS semantics: only the canonical lowercase form is accepted, never normalised.
    if (hash?.algorithm !== "SHA-256" || !this.#core.isCanonicalSha256Hex(String(hash?.value ?? ""))) {
      throw new TypeError("hash must be {algorithm: 'SHA-256', value: 64 lowercase hex digits}");
    }
    const key = ENTRY_PREFIX + hash.value;
    if (create) return { kind: "file", name: hash.value, createWritable: () => this.#writable(key, hash.value) };
    const cache = await this.#open();
    const response = await cache.match(key);
    if (!response) throw domError(`no entry for ${hash.value}`, "NotFoundError");
    return {
      kind: "file",
      name: hash.value,
      getFile: async () => {
        const blob = await response.blob();
        return new File([blob], hash.value, { type: blob.type });
      },
    };
  }

  async remove(value) {
    const cache = await this.#open();
    return cache.delete(ENTRY_PREFIX + value);
  }

  // Bytes stream into cache.put as they are written, so a large file is never held whole; the
  // hash is checked at close, and a mismatch errors the stream, so put stores nothing.
  async #writable(key, expected) {
    const cache = await this.#open();
    const hasher = hasherFor(this.#core);
    const pipe = new TransformStream();
    const writer = pipe.writable.getWriter();
    const stored = cache.put(key, new Response(pipe.readable));
    stored.catch(() => {});
    let finished = false;
    const finish = () => {
      if (finished) throw new TypeError("the writable is closed");
      finished = true;
      return hasher.digest();
    };
    const push = async (bytes) => {
      hasher.update(bytes);
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
      async close() {
        const actual = finish();
        if (actual !== expected) {
          const error = domError(`bytes hash to ${actual}, not ${expected}`, "DataError");
          await writer.abort(error).catch(() => {});
          throw error;
        }
        await writer.close();
        await stored;
      },
      async abort(reason) {
        if (!finished) finish();
        await writer.abort(reason).catch(() => {});
      },
    };
  }
}
