// The app every bundler build shares: hash a known string with the package's wasm SHA-256, then
// load one model file from the hub through createCrossOriginCache and hash what came back.
// Query: ?file=<hub URL>&scope=<cache scope>. The outcome lands in window.__result.
import { createCrossOriginCache, sha256 } from "cross-origin-cache";

export const SAMPLE = "cross-origin-cache in a bundled app";

export async function runApp(coreOptions = {}) {
  const params = new URLSearchParams(location.search);
  const file = params.get("file");
  try {
    const hex = await sha256(new TextEncoder().encode(SAMPLE), coreOptions);
    const cache = await createCrossOriginCache({ ...coreOptions, scope: params.get("scope") ?? "bundler-app" });
    const bytes = await cache.fetchWithCache(file, "arraybuffer");
    const fileHash = await sha256(new Uint8Array(bytes), coreOptions);
    const resolved = (await cache.resolveHash(file))?.value ?? null;
    const stats = cache.stats();
    window.__result = { hex, fileHash, resolved, size: bytes.byteLength, storage: cache.storageKind, downloads: stats.downloads, stored: stats.stored };
  } catch (error) {
    window.__result = { error: String(error?.message ?? error) };
  }
}
