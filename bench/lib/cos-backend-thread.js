// The COS backend (tests/support/cos-page-backend.js) on a thread of its own. In a browser,
// Cross-Origin Storage is the browser's (or an extension's) work, done beside the network, not by
// the web server; sharing the bench's one Node thread with the hub, the backend's hashing and file
// writes would take turns with serving the download, and a store that overlaps its download with
// its writes could not show it.
import { Worker } from "node:worker_threads";

/**
 * Starts the backend on a worker thread. Returns {url, port, dir} and async counts(),
 * entry(value), resetCounters(), add(data, options) and close(), as the backend's own.
 */
export async function startCosBackendThread(options = {}) {
  const worker = new Worker(new URL("./cos-backend-worker.js", import.meta.url), { workerData: options });
  const pending = new Map();
  let nextId = 0;
  const ready = await new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (message) => {
      if (message.ready) resolve(message.ready);
      else if (message.failed) reject(Object.assign(new Error(message.failed.message), { code: message.failed.code }));
      else {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if ("error" in message) call?.reject(new Error(`COS backend: ${message.error}`));
        else call?.resolve(message.value);
      }
    });
  }).catch(async (error) => {
    await worker.terminate();
    throw error;
  });
  worker.on("error", (error) => {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  });
  const call = (method, ...args) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
  return {
    ...ready,
    counts: () => call("counts"),
    entry: (value) => call("entry", value),
    resetCounters: () => call("resetCounters"),
    add: (data, addOptions) => call("add", data, addOptions),
    async close() {
      try {
        await call("close");
      } finally {
        await worker.terminate();
      }
    },
  };
}
