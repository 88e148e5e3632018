// A page that starts the test worker (worker-bridge-worker.js) and exposes its COS to it, for the
// worker bridge tests (not a test file: node --test picks only *.test.js).

const WORKER = "/tests/browser/worker-bridge-worker.js";

/**
 * Opens `url`, starts the test worker there and exposes the page's COS to it (`expose: false`
 * leaves it unexposed). `ask(command, arg)` runs a command in the worker.
 */
export async function pageWithWorker(browser, url, { expose = true } = {}) {
  const page = await browser.open(url);
  await page.evaluate(async ({ worker, expose }) => {
    const coc = await import("/js/index.js");
    const replies = new Map();
    let next = 1;
    window.testWorker = new Worker(worker, { type: "module" });
    if (expose) window.exposure = coc.exposeCrossOriginStorage(window.testWorker);
    // The app's own handler, added after the bridge's: it must never see the bridge's messages.
    window.strangers = [];
    window.testWorker.onmessage = ({ data }) => {
      const reply = replies.get(data?.id);
      if (!reply) return window.strangers.push(JSON.stringify(data));
      replies.delete(data.id);
      reply(data);
    };
    window.ask = (command, arg) => new Promise((resolve) => {
      const id = next++;
      replies.set(id, resolve);
      window.testWorker.postMessage({ id, command, arg });
    });
  }, { worker: WORKER, expose });
  const ask = async (command, arg) => {
    const reply = await page.evaluate(({ command, arg }) => window.ask(command, arg), { command, arg });
    if (reply.error) throw new Error(`worker command ${command} failed: ${reply.error}`);
    return reply.value;
  };
  return { page, ask };
}
