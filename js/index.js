// cross-origin-cache: load model files from Cross-Origin Storage by content hash.
import { loadCore } from "./core.js";
import { hasherFor } from "./sha256.js";

export { createCrossOriginCache, CrossOriginCache } from "./cache.js";
export { loadCore };

/** A streaming SHA-256 hasher: update(bytes) any number of times, then digest() → lowercase hex. */
export async function createSha256(options) {
  return hasherFor(await loadCore(options));
}

/** The SHA-256 of bytes as lowercase hex. */
export async function sha256(bytes, options) {
  return hasherFor(await loadCore(options)).update(bytes).digest();
}

/** Parses a Git LFS pointer: {oid, size}, or null when text is not one. */
export async function parseLfsPointer(text, options) {
  const core = await loadCore(options);
  const parsed = core.parseLfsPointer(String(text));
  return parsed.ok ? { oid: parsed.oid, size: parsed.size } : null;
}

export { exposeCrossOriginStorage } from "./cos-bridge/page.js";
export { connectCrossOriginStorage, installCrossOriginStorage } from "./cos-bridge/worker.js";
export { installGetFileHandleAlias } from "./get-file-handle-alias.js";
export { createWllamaCacheManager, WllamaCacheManager, wllamaNameFromURL } from "./wllama-cache-manager.js";
export { prepareWebLLMModel, webLLMModelUrl } from "./web-llm.js";
