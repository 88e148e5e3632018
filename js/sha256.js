// Streaming digests on the wasm core: each chunk is copied once into the core's scratch buffer, in
// pieces of at most 1 MiB, and every hasher reads it there.
const PIECE = 1 << 20;

function asBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError("sha256: expected a Uint8Array, an ArrayBuffer or an ArrayBuffer view");
}

/**
 * SHA-256 plus any of "sha384"/"sha512" over the same bytes. finish() → {sha256, sha384?, sha512?}
 * frees the wasm objects; free() does so without a result (on errors).
 */
export function digestsFor(core, extra = []) {
  let natives = [["sha256", new core.Sha256()], ...extra.map((name) => [name, new core.Sha512(name === "sha384")])];
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
      const hashers = live();
      const bytes = asBytes(data);
      for (let offset = 0; offset < bytes.byteLength; offset += PIECE) {
        const piece = bytes.subarray(offset, Math.min(offset + PIECE, bytes.byteLength));
        core.scratchView(piece.byteLength).set(piece);
        for (const [, hasher] of hashers) hasher.updateFromScratch(piece.byteLength);
      }
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
