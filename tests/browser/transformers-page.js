// Drives transformers-app.js in a page or in a dedicated module worker of that page, for
// transformers.test.js (not a test file: node --test picks only *.test.js).
import { evaluateModule } from "../support/browser.js";

const APP = "/tests/browser/transformers-app.js";
const WORKER = "/tests/browser/transformers-worker.js";

/** In the page itself. */
export function loadInPage(page, arg) {
  return evaluateModule(page, APP, (m, arg) => m.loadWithTransformers(arg), arg);
}

/**
 * In a new dedicated module worker of `page`, to which the page exposes its COS first
 * (exposeCrossOriginStorage, before any handler of its own).
 */
export async function loadInWorker(page, arg) {
  const reply = await page.evaluate(async ({ worker, arg }) => {
    const { exposeCrossOriginStorage } = await import("/js/index.js");
    const w = new Worker(worker, { type: "module" });
    const exposure = exposeCrossOriginStorage(w);
    try {
      return await new Promise((resolve, reject) => {
        w.addEventListener("error", (event) => reject(new Error(`worker error: ${event.message ?? "failed to start"}`)));
        w.addEventListener("message", ({ data }) => {
          if (data?.id === 1) resolve(data);
        });
        w.postMessage({ id: 1, command: "transformers", arg });
      });
    } finally {
      exposure.close();
      w.terminate();
    }
  }, { worker: WORKER, arg });
  if (reply.error) throw new Error(`worker failed: ${reply.error}`);
  return reply.value;
}
