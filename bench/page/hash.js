// The Chromium side of the SHA-256 bench (bench/hash.js drives it with page.evaluate):
// window.hashBench.setup(options) loads the data and the hashers; window.hashBench.run(id) runs
// one candidate once and returns {id, ms, digest}. Node calls run() for each candidate in turn in
// every round, so it can read the renderer's CPU time (DevTools Performance metrics) around each.
import { createSha256, loadCore } from "/js/index.js";
import { createSHA256 } from "/node_modules/hash-wasm/dist/index.esm.js";
import { describeCandidates, hashCandidates, timeCandidate } from "/bench/lib/hash-candidates.js";

let candidates;

async function setup({ dataUrl, chunkBytes, chunkCount }) {
  const response = await fetch(dataUrl, { cache: "no-store" });
  if (!response.ok) throw new Error(`hash bench page: ${dataUrl} answered ${response.status}`);
  const data = new Uint8Array(await response.arrayBuffer());
  if (data.byteLength === 0 || data.byteLength % chunkBytes !== 0) {
    throw new Error(`hash bench page: ${data.byteLength} bytes of data is not a whole number of ${chunkBytes}-byte chunks`);
  }
  const chunks = [];
  for (let offset = 0; offset < data.byteLength; offset += chunkBytes) chunks.push(data.subarray(offset, offset + chunkBytes));

  // The whole stream in one buffer for the one-shot candidate, built once outside the timing.
  const oneShot = new Uint8Array(chunkBytes * chunkCount);
  for (let i = 0; i < chunkCount; i++) oneShot.set(chunks[i % chunks.length], i * chunkBytes);

  const [core, hashWasm] = await Promise.all([loadCore(), createSHA256()]);
  candidates = hashCandidates({ chunks, chunkCount, oneShot, createSha256, core, hashWasm, subtle: crypto.subtle });
  return {
    candidates: describeCandidates(candidates),
    userAgent: navigator.userAgent,
    secureContext: globalThis.isSecureContext,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
}

async function run(id) {
  if (!candidates) throw new Error("hash bench page: setup() was not called");
  const candidate = candidates.find((entry) => entry.id === id);
  if (!candidate) throw new Error(`hash bench page: no candidate ${id}`);
  return timeCandidate(candidate, () => performance.now());
}

window.hashBench = { setup, run };
