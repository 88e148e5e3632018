// Test data and checksums the Node, browser and client tests share, so each is defined once.
import { createHash } from "node:crypto";

/**
 * SHA-256 as lowercase hex: of a string's UTF-8 bytes, of the bytes an ArrayBuffer view covers
 * (not its whole buffer), or of an ArrayBuffer.
 * @param {string | ArrayBufferView | ArrayBuffer} data
 */
export function sha256Hex(data) {
  const hash = createHash("sha256");
  if (typeof data === "string") hash.update(data);
  else if (ArrayBuffer.isView(data)) hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else hash.update(new Uint8Array(data));
  return hash.digest("hex");
}

/**
 * A seeded generator of numbers in [0, 1) (a 32-bit LCG), so a failing trial can be replayed and
 * generated fixtures are the same bytes every run.
 * @param {number} seed
 * @returns {() => number}
 */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * `size` deterministic bytes from `seed` (xorshift32). Refers to nothing outside itself, so a
 * page can rebuild it from `seededData.toString()` and make the same bytes.
 * @param {number} size
 * @param {number} seed
 * @returns {Uint8Array}
 */
export function seededData(size, seed) {
  let x = (seed * 2654435761) >>> 0 || 1;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
