// Runs tests/support/cos-page-backend.js on a worker thread for bench/lib/cos-backend-thread.js:
// answers {id, method, args} messages with {id, value} or {id, error}.
import { parentPort, workerData } from "node:worker_threads";
import { startCosBackend } from "../../tests/support/cos-page-backend.js";

let backend;
try {
  backend = await startCosBackend(workerData);
} catch (error) {
  parentPort.postMessage({ failed: { message: error?.message ?? String(error), code: error?.code } });
}

const methods = {
  counts: () => backend.counts,
  entry: (value) => backend.entry(value),
  resetCounters: () => backend.resetCounters(),
  add: (data, options) => backend.add(data, options),
  close: () => backend.close(),
};

if (backend) {
  parentPort.on("message", async ({ id, method, args }) => {
    try {
      parentPort.postMessage({ id, value: await methods[method](...args) });
    } catch (error) {
      parentPort.postMessage({ id, error: error?.message ?? String(error) });
    }
  });
  parentPort.postMessage({ ready: { url: backend.url, port: backend.port, dir: backend.dir } });
}
