// Streaming SHA-256 on the wasm core: chunks are copied into the core's scratch buffer in pieces
// of at most 1 MiB and hashed there.
const PIECE = 1 << 20;

function asBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError("sha256: expected a Uint8Array, an ArrayBuffer or an ArrayBuffer view");
}

/** A hasher bound to a loaded core; its wasm object is freed by digest(). */
export function hasherFor(core) {
  let native = new core.Sha256();
  const live = () => {
    if (!native) throw new Error("sha256: digest() was already called on this hasher");
    return native;
  };
  return {
    update(data) {
      const hasher = live();
      const bytes = asBytes(data);
      for (let offset = 0; offset < bytes.byteLength; offset += PIECE) {
        const piece = bytes.subarray(offset, Math.min(offset + PIECE, bytes.byteLength));
        core.scratchView(piece.byteLength).set(piece);
        hasher.updateFromScratch(piece.byteLength);
      }
      return this;
    },
    digest() {
      const hasher = live();
      native = undefined;
      try {
        return hasher.finishHex();
      } finally {
        hasher.delete();
      }
    },
  };
}
