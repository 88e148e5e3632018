// Bytes as lowercase hex: digests shown to other libraries, and random ids.

/** bytes (a Uint8Array or ArrayBuffer) as lowercase hex. */
export function toHex(bytes) {
  return Array.from(new Uint8Array(bytes instanceof ArrayBuffer ? bytes : bytes.buffer, bytes.byteOffset ?? 0, bytes.byteLength),
    (b) => b.toString(16).padStart(2, "0")).join("");
}

/** byteCount random bytes as hex (getRandomValues exists in every context, secure or not). */
export function randomHex(byteCount = 16) {
  return toHex(globalThis.crypto.getRandomValues(new Uint8Array(byteCount)));
}
