// Where the demo runs its loader: in this page, or in a dedicated worker that borrows the page's
// Cross-Origin Storage through exposeCrossOriginStorage. Both offer the same small interface:
// {where, storageKind, stats, load(urls, report), reset(), close()}.
import { createCrossOriginCache, exposeCrossOriginStorage } from "/js/index.js";
import { downloadTracker, loadFiles } from "./load-run.js";

/** The loader in this page. hooks: {onProgress, onError}, the cache's own options. */
export async function createPageLoader(hooks) {
  const tracker = downloadTracker();
  const newCache = () => createCrossOriginCache({ fetch: tracker.fetch, ...hooks });
  let cache = await newCache();
  return {
    where: "page",
    get storageKind() {
      return cache.storageKind;
    },
    stats: async () => cache.stats(),
    load: (urls, report) => loadFiles(cache, tracker, urls, report),
    async reset() {
      cache.dispose();
      cache = await newCache();
    },
    close: () => cache.dispose(),
  };
}

/** The loader in a module worker (load-worker.js); progress and events come back as messages. */
export async function createWorkerLoader(hooks) {
  const worker = new Worker(new URL("./load-worker.js", import.meta.url), { type: "module" });
  exposeCrossOriginStorage(worker); // before our own handler: the bridge keeps its messages to itself
  const pending = new Map();
  let nextId = 1;
  let storageKind = "none";
  let lastStats = {};
  worker.addEventListener("message", ({ data }) => {
    if (data?.type === "progress") return hooks.onProgress(data.event);
    if (data?.type === "event") return hooks.onError(data.event);
    const waiting = pending.get(data?.id);
    if (!waiting) return;
    if (data.type === "reply") {
      pending.delete(data.id);
      if (data.error) waiting.reject(new Error(data.error));
      else waiting.resolve(data.value);
    } else {
      waiting.report?.(data.type, data);
    }
  });
  worker.addEventListener("error", (event) => {
    for (const waiting of pending.values()) waiting.reject(new Error(`the loader worker failed: ${event.message}`));
    pending.clear();
  });
  const ask = (command, extra = {}, report) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, report });
    worker.postMessage({ id, command, ...extra });
  });
  const started = async (command) => {
    ({ storageKind, stats: lastStats } = await ask(command));
  };
  await started("start");
  return {
    where: "worker",
    get storageKind() {
      return storageKind;
    },
    stats: async () => lastStats,
    async load(urls, report) {
      const result = await ask("load", { urls }, report);
      lastStats = result.after;
      return result;
    },
    reset: () => started("reset"),
    close: () => worker.terminate(),
  };
}
