// Samples the resident set size (VmRSS from /proc/<pid>/status) of a few processes every
// `intervalMs` on a worker thread, so a busy main thread (the hub and the COS backend serve
// gigabytes from it) does not delay the samples.
//
//   const sampler = await startRssSampler({ pids: {renderer: 123, browser: 100}, intervalMs: 20 });
//   ... the operation ...
//   const result = await sampler.stop();
//   // {renderer: {baseline, peak, last, samples}, browser: {...}, ..., sum: {...}, intervalMs, maxGapMs}
//
// baseline is the sample taken before start resolves, so start the operation after awaiting it.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { rssBytesSync } from "./proc.js";

function sampleAll(pids) {
  const values = {};
  let sum = 0;
  for (const [name, pid] of Object.entries(pids)) {
    const rss = rssBytesSync(pid);
    values[name] = rss;
    sum += rss ?? 0;
  }
  values.sum = sum;
  return values;
}

function workerMain({ pids, intervalMs }) {
  const series = {};
  const record = (values) => {
    for (const [name, rss] of Object.entries(values)) {
      if (rss === undefined) continue;
      const entry = (series[name] ??= { baseline: rss, peak: rss, last: rss, samples: 0 });
      entry.peak = Math.max(entry.peak, rss);
      entry.last = rss;
      entry.samples++;
    }
  };
  let lastAt = performance.now();
  let maxGapMs = 0;
  record(sampleAll(pids));
  parentPort.postMessage({ type: "started" });
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - lastAt);
    lastAt = now;
    record(sampleAll(pids));
  }, intervalMs);
  parentPort.on("message", (message) => {
    if (message?.type !== "stop") return;
    clearInterval(timer);
    record(sampleAll(pids));
    parentPort.postMessage({ type: "result", result: { ...series, intervalMs, maxGapMs } });
  });
}

/**
 * Starts sampling `pids` ({name: pid}); resolves once the baseline sample is taken.
 * Returns {stop()} → the per-name {baseline, peak, last, samples} plus `sum` (the sum over the
 * processes at each sample), intervalMs and maxGapMs (the longest gap between two samples).
 */
export async function startRssSampler({ pids, intervalMs = 20 }) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { pids, intervalMs } });
  const messages = [];
  let waiting;
  let failure;
  worker.on("message", (message) => {
    messages.push(message);
    waiting?.();
  });
  worker.on("error", (error) => {
    failure = error;
    waiting?.();
  });
  const next = async (type) => {
    for (;;) {
      const index = messages.findIndex((message) => message.type === type);
      if (index >= 0) return messages.splice(index, 1)[0];
      if (failure) throw failure;
      await new Promise((resolve) => {
        waiting = resolve;
      });
      waiting = undefined;
    }
  };
  await next("started");
  return {
    async stop() {
      worker.postMessage({ type: "stop" });
      try {
        return (await next("result")).result;
      } finally {
        await worker.terminate();
      }
    },
  };
}

if (!isMainThread && workerData?.pids) workerMain(workerData);
