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

/** Entries plus seals in the fallback store's two Cache API caches (0: it keeps nothing). */
export async function fallbackEntries(caches) {
  const [entries, seals] = await Promise.all([caches.open("cross-origin-cache-cos-fallback"), caches.open("cross-origin-cache-cos-fallback-seals")]);
  return (await entries.keys()).length + (await seals.keys()).length;
}

/** The three places bytes can go, as cacheOn() options over stores(): by name, for a test per place. */
export const STORAGES = {
  "Cross-Origin Storage": ({ caches, cos }) => ({ caches, storage: cos.store.manager() }),
  "the fallback store": ({ caches }) => ({ caches }),
  "no storage (held in memory)": ({ caches }) => ({ caches, fallback: false }),
};

/** Every resolution request (listing, paths-info, pointer) hangs; resolves once the listing is asked. */
export function hangResolutionRequests(hub) {
  let listingAsked;
  const listing = new Promise((resolve) => { listingAsked = resolve; });
  hub.setFault((req) => {
    if (req.kind === "tree") listingAsked();
    return req.kind === "tree" || req.kind === "pathsInfo" || req.kind === "raw";
  }, { hang: true });
  return listing;
}
