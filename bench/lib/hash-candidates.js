// The SHA-256 candidates of the hash benchmark, shared by Node (bench/hash.js) and the Chromium
// page (bench/page/hash.js, which loads this file over HTTP): environment-neutral code that is
// handed the data and the already-loaded hashers.

/** Lowercase hex of an ArrayBuffer or a byte view. */
export function hex(bytes) {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = "";
  for (const byte of view) out += byte.toString(16).padStart(2, "0");
  return out;
}

/**
 * The candidates, in the order they run within a round. Each is {id, label, kind, hashes?, run};
 * run() resolves to the lowercase hex digest of the whole stream (null where hashes is false: a
 * diagnostic that only times a part of the work).
 *
 * - chunks: the distinct chunks (Uint8Array, all the same length), cycled chunkCount times;
 * - oneShot: one buffer holding that whole stream, for one-shot candidates (or null);
 * - createSha256: ours, from js/index.js; core: the loaded core (loadCore()) for diagnostics;
 * - hashWasm: a hasher from hash-wasm's createSHA256(), reused via init();
 * - subtle: a SubtleCrypto; createHash: node:crypto's, where there is one (Node only).
 */
export function hashCandidates({ chunks, chunkCount, oneShot, createSha256, core, hashWasm, subtle, createHash }) {
  const chunkBytes = chunks[0].byteLength;
  if (chunks.some((chunk) => chunk.byteLength !== chunkBytes)) throw new RangeError("hash bench: chunks must all have one length");
  const distinct = chunks.length;
  const candidates = [
    {
      id: "ours",
      label: "ours: createSha256(), update per chunk, digest()",
      kind: "candidate",
      async run() {
        const hasher = await createSha256();
        for (let i = 0; i < chunkCount; i++) hasher.update(chunks[i % distinct]);
        return hasher.digest();
      },
    },
    {
      id: "hash-wasm",
      label: "hash-wasm: createSHA256(), init(), update per chunk, digest()",
      kind: "candidate",
      async run() {
        hashWasm.init();
        for (let i = 0; i < chunkCount; i++) hashWasm.update(chunks[i % distinct]);
        return hashWasm.digest("hex");
      },
    },
  ];
  if (createHash) {
    candidates.push({
      id: "node-crypto",
      label: "node:crypto: createHash('sha256'), update per chunk",
      kind: "candidate",
      async run() {
        const hasher = createHash("sha256");
        for (let i = 0; i < chunkCount; i++) hasher.update(chunks[i % distinct]);
        return hasher.digest("hex");
      },
    });
  }
  if (subtle && oneShot) {
    candidates.push({
      id: "subtle",
      label: `crypto.subtle.digest, one-shot on the ${oneShot.byteLength / 2 ** 20} MiB buffer`,
      kind: "candidate",
      async run() {
        return hex(await subtle.digest("SHA-256", oneShot));
      },
    });
  }
  candidates.push(
    {
      id: "core-direct",
      label: "diag: ours minus the JS wrapper (scratchView(n).set + updateFromScratch(n))",
      kind: "diagnostic",
      async run() {
        const hasher = new core.Sha256();
        try {
          for (let i = 0; i < chunkCount; i++) {
            core.scratchView(chunkBytes).set(chunks[i % distinct]);
            hasher.updateFromScratch(chunkBytes);
          }
          return hasher.finishHex();
        } finally {
          hasher.delete();
        }
      },
    },
    {
      id: "copy-only",
      label: "diag: only the copies into the core's scratch (scratchView(n).set), no hashing",
      hashes: false,
      kind: "diagnostic",
      async run() {
        for (let i = 0; i < chunkCount; i++) core.scratchView(chunkBytes).set(chunks[i % distinct]);
        return null;
      },
    },
  );
  return candidates;
}

/** Runs one candidate once: {id, ms, digest}. `now` is a millisecond wall clock. */
export async function timeCandidate(candidate, now) {
  const start = now();
  const digest = await candidate.run();
  return { id: candidate.id, ms: now() - start, digest };
}

/** The metadata of candidates that can cross page.evaluate: [{id, label, kind}]. */
export function describeCandidates(candidates) {
  return candidates.map(({ id, label, kind, hashes = true }) => ({ id, label, kind, hashes }));
}
