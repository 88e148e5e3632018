// A same-origin stand-in for Cross-Origin Storage when no manager exists: entries keyed by SHA-256
// in a Cache API cache, the hash verified on close, NotFoundError on a miss. It offers the same
// requestFileHandle API, so the cache code treats both alike.
//
// Its writer (this package's cache, the only one) hashes the bytes as it streams them and vouches
// for the hash before closing; close refuses any other.
//
// An entry is served only when it is sealed: each write carries a random id in a header, and a
// seal naming that id and the size is stored (in a cache of seals beside the entries' own) only
// after the bytes hashed right. A write that was cut off, or bytes that other code of the origin
// put under an entry's key, are a miss; code that copies an entry's write header on purpose is not
// kept out (it can read and write all the origin stores: nothing here can hide a secret from it).
import { readBounded } from "./bounded-body.js";
import { randomHex } from "./hex.js";
import { KeyedTurns } from "./keyed-turns.js";
import { withSiteLock } from "./site-lock.js";

const ENTRY_PREFIX = "https://cross-origin-cache.invalid/sha256/";
const SEAL_PREFIX = "https://cross-origin-cache.invalid/seal/";
const WRITE_HEADER = "X-Cross-Origin-Cache-Write";
const QUEUED = new CountQueuingStrategy({ highWaterMark: 4 });

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
  #sealing = new KeyedTurns();  // seal steps, per hash
  #timeoutMs;            // how long a seal step waits for another tab's (the cache's storageTimeout)
  #estimate;
  #opening;
  #openingSeals;

  /** estimate: () => navigator.storage.estimate()'s answer (a test may pass its own). */
  constructor(caches, name, core, { estimate = defaultEstimate, timeoutMs = Infinity } = {}) {
    this.#caches = caches;
    this.#core = core;
    this.#estimate = estimate;
    this.#timeoutMs = timeoutMs;
    this.name = name;
  }

  // The last step of a write, one write of an entry at a time: look at whose bytes the entry
  // holds, and seal them if they are this write's. Each turn comes after its own bytes landed, so
  // the write whose bytes landed last seals them, and no later turn seals another: once the writes
  // are done, the seal and the entry name the same write. Only these quick storage calls take
  // turns, never a write's body.
  // Other tabs write the same entries: where the browser has Web Locks, the turns are the site's.
  // A tab whose seal step never ends (storage that stopped answering) holds its turn no longer than
  // the others' timeout: they seal without it, at worst an entry sealed for another write (a miss).
  #sealed(hash, step) {
    const siteStep = () => withSiteLock(`cross-origin-cache: ${this.name} seal ${hash}`, step, this.#timeoutMs)
      .catch((error) => {
        if (error?.lockNotGranted) return step();
        throw error;
      });
    return this.#sealing.run(hash, siteStep);
  }

  #open() {
    this.#opening ??= this.#caches.open(this.name);
    return this.#opening;
  }

  // The stores by name, opened again for each write and delete: other code of the origin may have
  // deleted them (a service worker's cleanup), and a Cache opened before keeps taking writes that
  // no reload finds. Reads go on with the last ones opened.
  #reopen() {
    this.#opening = this.#caches.open(this.name);
    this.#openingSeals = this.#caches.open(`${this.name}-seals`);
    return Promise.all([this.#opening, this.#openingSeals]);
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
    // Read no further than a seal can be: a planted one of any size is a miss like any bad seal.
    const sealText = new TextDecoder().decode(await readBounded(seal?.body ?? null, this.#core.maxSealBytes));
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
    const [cache, seals] = await this.#reopen();
    const [removed] = await Promise.all([cache.delete(ENTRY_PREFIX + value), seals.delete(SEAL_PREFIX + value)]);
    return removed;
  }

  // Bytes stream into cache.put as they are written, so a large file is never held whole and the
  // browser stores one chunk while the writer reads and hashes the next. A Blob written alone (a
  // body the browser read whole) is put as it is at close, so its bytes never cross the page. The
  // writer hashed every byte it wrote (the cache does, to check them against what it expected): it
  // vouches for the hash before closing, and close refuses (DataError, put stores nothing) bytes
  // vouched as anything but the entry's hash, or not vouched for at all. Hashing them a second
  // time here would only halve the speed. The seal follows the bytes, once they are stored and
  // vouched for.
  async #writable(expected) {
    const [cache] = await this.#reopen();
    const writeId = randomHex(16);
    const entry = (body) => new Response(body, { headers: { [WRITE_HEADER]: writeId } });
    let size = 0;
    let vouched = "";
    let whole;   // the one Blob written so far, put at close
    let piped;   // {pipe, stored} once bytes stream into cache.put
    // A few chunks queue on each side, so a chunk's write never waits for cache.put to take it.
    const startPipe = () => {
      const counted = new TransformStream({
        transform(chunk, controller) {
          size += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }, QUEUED, QUEUED);
      const stored = cache.put(ENTRY_PREFIX + expected, entry(counted.readable));
      stored.catch(() => {});
      return { pipe: counted.writable.getWriter(), stored };
    };
    const pipeBlob = async (pipe, blob) => {
      const reader = blob.stream().getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) await pipe.write(part.value);
    };
    let finished = false;
    const finish = () => {
      if (finished) throw new TypeError("the writable is closed");
      finished = true;
    };
    // A writer as a WritableStream's (CosClient holds one to the end): its writes go straight into
    // the pipe, several pending at once, with no stream of its own in between.
    const writer = {
      write(chunk) {
        if (finished) return Promise.reject(new TypeError("the writable is closed"));
        const data = chunkBytes(chunk);
        if (data instanceof Blob && !whole && !piped) {
          whole = data;
          return Promise.resolve();
        }
        if (!piped) {
          piped = startPipe();
          if (whole) piped.tail = pipeBlob(piped.pipe, whole);
          whole = undefined;
        }
        const { pipe } = piped;
        // Not copied: a chunk is handed over for good (CosClient.write), and the pipe holds it
        // until cache.put has taken it.
        const send = () => (data instanceof Blob ? pipeBlob(pipe, data) : pipe.write(data instanceof ArrayBuffer ? new Uint8Array(data) : data));
        // A Blob is piped part by part: whatever is written after it waits its turn.
        if (!(data instanceof Blob) && !piped.tail) return send();
        piped.tail = (piped.tail ?? Promise.resolve()).then(send);
        return piped.tail;
      },
      close: async () => {
        finish();
        if (vouched !== expected) {
          const error = domError(vouched ? `bytes hash to ${vouched}, not ${expected}` : `no hash was vouched for the bytes of ${expected}`, "DataError");
          await piped?.pipe.abort(error).catch(() => {});
          throw error;
        }
        if (piped) {
          await piped.tail;
          await piped.pipe.close();
          await piped.stored;
        } else {
          size = whole?.size ?? 0;
          await cache.put(ENTRY_PREFIX + expected, entry(whole ?? new Blob([])));
        }
        await this.#sealed(expected, async () => {
          // By name again: the stores may have been deleted while the bytes came in.
          const [named, seals] = await this.#reopen();
          const current = await named.match(ENTRY_PREFIX + expected);
          current?.body?.cancel().catch(() => {});
          if (!current) throw domError(`the entry of ${expected} left ${this.name} before its seal (deleted meanwhile)`, "NotFoundError");
          // Another write of the same bytes (a load of the same file under another URL) may have
          // put its entry over this one meanwhile: that write seals its own (its turn comes after
          // this one), and a seal of this write would name bytes no longer there.
          if (current.headers.get(WRITE_HEADER) !== writeId) return;
          try {
            await seals.put(SEAL_PREFIX + expected, new Response(this.#core.encodeFallbackSeal(writeId, size)));
          } catch (error) {
            // An entry without its seal is never served: its bytes would only take the space that
            // was just found short. The refusal itself goes on to the writer.
            await named.delete(ENTRY_PREFIX + expected).catch(() => {});
            throw error;
          }
        });
      },
      async abort(reason) {
        finished = true;
        whole = undefined;
        await piped?.pipe.abort(reason).catch(() => {});
      },
    };
    const writable = {
      getWriter: () => writer,
      /** The SHA-256 (hex) the writer computed over every byte it wrote; close compares it with the entry's. */
      vouch(hex) {
        vouched = String(hex);
      },
    };
    return writable;
  }
}
