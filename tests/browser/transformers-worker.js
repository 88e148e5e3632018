// A dedicated module worker for transformers.test.js: it has no navigator.crossOriginStorage of its
// own (its page exposes its COS with exposeCrossOriginStorage), runs transformers-app.js on each
// message {id, arg} and posts {id, value} or {id, error}.
import { loadWithTransformers } from "/tests/browser/transformers-app.js";

addEventListener("message", async ({ data }) => {
  if (!data || typeof data.id !== "number" || data.command !== "transformers") return;
  try {
    postMessage({ id: data.id, value: await loadWithTransformers(data.arg) });
  } catch (error) {
    postMessage({ id: data.id, error: String(error?.stack ?? error) });
  }
});
