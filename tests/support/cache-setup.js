// One place that wires a cache to a local hub and in-memory stand-ins for the Node tests.
import { startHub } from "../../local-hub/index.js";
import { MemoryCacheStorage } from "./memory-cache-storage.js";
import { createMemoryCos } from "./memory-cos.js";
import { createCrossOriginCache } from "../../js/index.js";

/** Starts a hub for the test and closes it when the test ends. */
export async function hubFor(t, options) {
  const hub = await startHub(options);
  t.after(() => hub.close());
  return hub;
}

/** A cache on the given stores, collecting the error events it reports. */
export async function cacheOn({ caches, storage, origin, ...options } = {}) {
  const events = [];
  const cache = await createCrossOriginCache({
    caches,
    storage: storage === undefined ? null : storage,
    onError: (event) => events.push(event),
    ...options,
  });
  return { cache, events };
}

export function stores(options = {}) {
  return { caches: new MemoryCacheStorage(), cos: createMemoryCos(options) };
}

/** Every file of the hub's default model, as URLs on main. */
export function modelUrls(hub) {
  return [...hub.model.files.map((file) => file.url), hub.model.wasm.url];
}

export function expectedHash(hub, url) {
  if (url === hub.model.wasm.url) return hub.model.wasm.sha256;
  return hub.model.files.find((file) => file.url === url || file.commitUrl === url).sha256;
}
