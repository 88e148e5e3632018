// The demo's loader run inside a dedicated module worker, where apps such as transformers.js and
// web-llm load their models. Its cache finds the page's Cross-Origin Storage through the bridge
// (the page called exposeCrossOriginStorage on this worker); messages: see worker-loader.js.
import { createCrossOriginCache } from "/js/index.js";
import { downloadTracker, loadFiles } from "./load-run.js";

const tracker = downloadTracker();
let cache = null;

const post = (message) => self.postMessage(message);

function newCache() {
  return createCrossOriginCache({
    fetch: tracker.fetch,
    onProgress: (event) => post({ type: "progress", event: { phase: event.phase, url: event.url, loaded: event.loaded, total: event.total } }),
    onError: (event) => post({ type: "event", event: { kind: event.kind, message: event.message, subject: event.subject, [event.subject]: event[event.subject] } }),
  });
}

async function handle({ id, command, urls }) {
  if (command === "start" || command === "reset") {
    cache?.dispose();
    cache = await newCache();
    return { storageKind: cache.storageKind, stats: cache.stats() };
  }
  if (command === "load") {
    return loadFiles(cache, tracker, urls, (type, detail) => post({ type, id, ...detail }));
  }
  throw new Error(`unknown command ${command}`);
}

self.addEventListener("message", ({ data }) => {
  if (typeof data?.command !== "string") return;
  handle(data).then(
    (value) => post({ type: "reply", id: data.id, value }),
    (error) => post({ type: "reply", id: data.id, error: String(error?.message ?? error) }),
  );
});
