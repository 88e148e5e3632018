// Streaming digests on the wasm core: each chunk is copied once into the core's scratch buffer, in
// pieces of at most 1 MiB, and every hasher reads it there. A Blob the core lets be read whole is
// digested by the platform (WebCrypto) instead, off the page thread.
import { toHex } from "./hex.js";

const PIECE = 1 << 20;
const WEBCRYPTO_NAMES = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
const GIT_OBJECT_FORMATS = { sha1: "SHA-1", sha256: "SHA-256" };

/** Whether this context digests natively (WebCrypto is there: a secure context, or Node). */
export function digestsNatively() {
  return typeof globalThis.crypto?.subtle?.digest === "function";
}

function asBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError("sha256: expected a Uint8Array, an ArrayBuffer or an ArrayBuffer view");
}

// Copies bytes into the core's scratch buffer piece by piece; each of the core's hashers reads them.
function feed(core, hashers, bytes) {
  for (let offset = 0; offset < bytes.byteLength; offset += PIECE) {
    const piece = bytes.subarray(offset, Math.min(offset + PIECE, bytes.byteLength));
    core.scratchView(piece.byteLength).set(piece);
    for (const hasher of hashers) hasher.updateFromScratch(piece.byteLength);
  }
}

// The algorithms besides SHA-256 (always computed) named in `extra`, each once: integrity may name
// several values of one algorithm.
function otherAlgorithms(extra) {
  return [...new Set(extra)].filter((name) => name !== "sha256");
}

/**
 * SHA-256 plus any of "sha384"/"sha512" over the same bytes. finish() → {sha256, sha384?, sha512?}
 * frees the wasm objects; free() does so without a result (on errors).
 */
export function digestsFor(core, extra = []) {
  let natives = [["sha256", new core.Sha256()],
    ...otherAlgorithms(extra).map((name) => [name, new core.Sha512(name === "sha384")])];
  const hashers = natives.map(([, hasher]) => hasher);
  const live = () => {
    if (!natives) throw new Error("sha256: digest() was already called on this hasher");
    return natives;
  };
  const release = () => {
    const held = live();
    natives = undefined;
    return held;
  };
  return {
    update(data) {
      live();
      feed(core, hashers, asBytes(data));
    },
    finish() {
      const result = {};
      for (const [name, hasher] of release()) {
        try {
          result[name] = hasher.finishHex();
        } finally {
          hasher.delete();
        }
      }
      return result;
    },
    free() {
      if (!natives) return;
      for (const [, hasher] of release()) hasher.delete();
    },
  };
}

/** A SHA-256 hasher bound to a loaded core; its wasm object is freed by digest(). */
export function hasherFor(core) {
  const digests = digestsFor(core);
  return {
    update(data) {
      digests.update(data);
      return this;
    },
    digest() {
      return digests.finish().sha256;
    },
  };
}

/**
 * SHA-256 plus any of "sha384"/"sha512" over a Blob → {sha256, sha384?, sha512?}. Up to
 * `wholeBytes` it is read into the page once and digested natively; a larger Blob (a body that
 * grew past its Content-Length, say a compressed one) streams through the core's hashers, so it is
 * never held whole.
 */
export async function digestBlob(core, blob, extra = [], wholeBytes = 0) {
  const names = ["sha256", ...otherAlgorithms(extra)];
  if (blob.size > wholeBytes || !digestsNatively()) {
    const digests = digestsFor(core, extra);
    try {
      const reader = blob.stream().getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) digests.update(part.value);
    } catch (error) {
      digests.free();
      throw error;
    }
    return digests.finish();
  }
  const bytes = await blob.arrayBuffer();
  const results = await Promise.all(names.map((name) => globalThis.crypto.subtle.digest(WEBCRYPTO_NAMES[name], bytes)));
  return Object.fromEntries(names.map((name, index) => [name, toHex(results[index])]));
}

/**
 * The git blob id of a Blob's bytes, in the object format the core named ("sha1" | "sha256"):
 * what a hub names a file not in Git LFS by. Natively (off the page thread) where WebCrypto is and
 * the copy it takes is at most the core's whole-body size, else streamed through the core's hasher
 * (a large file, whatever its hub said, is never copied whole).
 */
export async function gitBlobDigest(core, blob, format, { natively = digestsNatively() } = {}) {
  if (!Object.hasOwn(GIT_OBJECT_FORMATS, format)) throw new TypeError(`sha256: no git object format ${format}`);
  if (natively && blob.size <= core.wholeBodyMaxBytes) {
    const bytes = await new Blob([core.gitBlobHeader(blob.size), blob]).arrayBuffer();
    return toHex(await globalThis.crypto.subtle.digest(GIT_OBJECT_FORMATS[format], bytes));
  }
  const hasher = new core.GitBlob(blob.size, format);
  try {
    const reader = blob.stream().getReader();
    for (let part = await reader.read(); !part.done; part = await reader.read()) feed(core, [hasher], asBytes(part.value));
    return hasher.finishHex();
  } finally {
    hasher.delete();
  }
}
