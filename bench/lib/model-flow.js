// The Node side of one whole-model load for bench part "model": the setting (the local hub with a
// network profile, the COS test polyfill and its backend or none, Chromium on a persistent
// profile: bench/lib/cos-world.js), two page origins served apart from the hub, and one load
// measured: wall time in the page, hub requests and bytes by kind (counted by the hub), COS
// backend counts, the renderer's peak RSS, and what the page loaded checked against the model.
import { closePages, openCosWorld } from "./cos-world.js";
import { rssBytesSync } from "./proc.js";
import { startRssSampler } from "./rss-sampler.js";
import { startStaticServer } from "./server.js";

export const MODEL_PAGE = "/bench/page/model.html";
const SAMPLE_MS = 20;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Hub (shaped by `profile`) + COS or none + Chromium, and two static servers on the repository:
 * the app's origin ("home") and another origin ("other"), both `http://localhost:<port>` (secure
 * contexts the COS polyfill serves), apart from the hub so the hub counts model traffic only.
 */
export async function openModelWorld({ root, log, profile, cos }) {
  const world = await openCosWorld({ root, log, cos, hubOptions: { network: profile } });
  const servers = [];
  try {
    servers.push(await startStaticServer({ root }), await startStaticServer({ root }));
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    await world.close();
    throw error;
  }
  return {
    world,
    hub: world.hub,
    origins: { home: servers[0].origin, other: servers[1].origin },
    /** A fresh COS backend (nothing stored), when COS is on. */
    async resetCos() {
      if (cos) await world.resetCos();
    },
    async close() {
      await Promise.all(servers.map((server) => server.close()));
      await world.close();
    },
  };
}

/** The renderer of `page`: the page renderer whose RSS grows while the page fills 64 MiB (as cos-world.js). */
async function findRenderer(world, page, collectGarbage) {
  const candidates = await world.pageRenderers();
  if (candidates.length === 0) throw new Error("no page renderer process found");
  if (candidates.length === 1) return candidates[0].pid;
  const before = new Map(candidates.map((proc) => [proc.pid, rssBytesSync(proc.pid) ?? 0]));
  await page.evaluate(() => {
    window.__rendererProbe = new Uint8Array(64 << 20).fill(7);
  });
  await sleep(50);
  const growth = candidates.map((proc) => ({ pid: proc.pid, grew: (rssBytesSync(proc.pid) ?? 0) - before.get(proc.pid) })).sort((a, b) => b.grew - a.grew);
  await page.evaluate(() => {
    delete window.__rendererProbe;
  });
  await collectGarbage();
  if (growth[0].grew < 32 << 20) throw new Error(`no renderer grew by 32 MiB while the page filled 64 MiB: ${JSON.stringify(growth)}`);
  return growth[0].pid;
}

/** A new page (the only one open) on `origin`'s model page, ready, with its renderer found. */
async function openModelPage(world, origin, log) {
  await closePages(world.context);
  const page = await world.context.newPage();
  // The page calls this when its download phase is over (see measureLoad).
  const hooks = {};
  await page.exposeFunction("modelBenchDownloaded", () => hooks.downloaded?.());
  const errors = [];
  page.on("pageerror", (error) => {
    errors.push(error.message);
    log(`page error: ${error.message}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") log(`page console error: ${message.text()}`);
  });
  const response = await page.goto(`${origin}${MODEL_PAGE}`);
  if (!response?.ok()) throw new Error(`${origin}${MODEL_PAGE} answered ${response?.status()}`);
  await page.waitForFunction("window.modelBench !== undefined", null, { timeout: 60_000 });
  const devtools = await world.context.newCDPSession(page);
  const collectGarbage = () => devtools.send("HeapProfiler.collectGarbage");
  const rendererPid = await findRenderer(world, page, collectGarbage);
  return { page, errors, collectGarbage, rendererPid, hooks };
}

/** Hub body bytes by file: shards, the other repo files, the library; and requests by kind. */
function analyseHub(hub, placed) {
  const shardPaths = new Set(placed.shardPaths);
  const libPath = placed.lib.files[0].path;
  const bytes = { shards: 0, otherFiles: 0, library: 0, pointers: 0, listings: 0 };
  for (const entry of hub.log) {
    if (entry.kind === "resolve") {
      if (shardPaths.has(entry.path)) bytes.shards += entry.bytes;
      else if (entry.path === libPath) bytes.library += entry.bytes;
      else bytes.otherFiles += entry.bytes;
    } else if (entry.kind === "raw") bytes.pointers += entry.bytes;
    else if (entry.kind === "tree" || entry.kind === "pathsInfo") bytes.listings += entry.bytes;
  }
  const c = hub.counters;
  return {
    requests: {
      total: c.requests,
      resolve: c.resolve,
      raw: c.raw,
      listing: c.tree + c.pathsInfo,
      other: c.requests - c.resolve - c.raw - c.tree - c.pathsInfo,
    },
    bytes: { ...bytes, total: Object.values(c.bytes).reduce((sum, n) => sum + n, 0) },
    shardDownloads: hub.log.filter((entry) => entry.kind === "resolve" && shardPaths.has(entry.path)).length,
  };
}

/** Every record's first 8 bytes as the page copied them, checked against the generated shards. */
function checkLoaded(model, loaded, tag) {
  const { shards, shardBytes } = model.shape;
  const recordBytes = shardBytes / 8;
  const expectedRecords = shards * 8;
  if (loaded.records !== expectedRecords) throw new Error(`${tag}: ${loaded.records} records loaded, expected ${expectedRecords}`);
  if (loaded.bytes !== shards * shardBytes) throw new Error(`${tag}: ${loaded.bytes} bytes copied, expected ${shards * shardBytes}`);
  for (let i = 0; i < shards; i++) {
    for (let j = 0; j < 8; j++) {
      const expected = Buffer.from(model.shardSlice(i, j * recordBytes, 8)).toString("hex");
      const got = loaded.heads[`model.layers.${i}.weight_${j}`];
      if (got !== expected) throw new Error(`${tag}: shard ${i} record ${j} starts ${got}, expected ${expected}`);
    }
  }
  if (loaded.tokenizerBytes !== model.tokenizerSize) throw new Error(`${tag}: tokenizer files gave ${loaded.tokenizerBytes} bytes, expected ${model.tokenizerSize}`);
  if (loaded.libraryBytes !== model.shape.libBytes) throw new Error(`${tag}: the library gave ${loaded.libraryBytes} bytes, expected ${model.shape.libBytes}`);
}

/**
 * One load of the model placed at `placed` by `candidate` in a new page on `origin`.
 * `clear`: remove the origin's Cache API caches first (untimed). Returns the measured row.
 */
export async function measureLoad(setting, { model, placed, candidate, origin, clear, cos, tag, log }) {
  const { world, hub } = setting;
  const { page, errors, collectGarbage, rendererPid, hooks } = await openModelPage(world, origin, log);
  try {
    if (clear) await page.evaluate(() => window.modelBench.clearCaches());
    const info = await page.evaluate(() => window.modelBench.info());
    if (info.cos !== cos) throw new Error(`${tag}: the page ${cos ? "has no" : "has a"} navigator.crossOriginStorage`);
    if (!info.tvmjs || !info.secureContext) throw new Error(`${tag}: page not ready: ${JSON.stringify(info)}`);
    await collectGarbage();
    await sleep(100);
    hub.resetCounters();
    if (cos) await world.cos.resetCounters();
    // Two samplers: the whole load, and its download phase alone (stopped when the page says the
    // phase is over; a load with no download phase leaves it null).
    const sampler = await startRssSampler({ pids: { renderer: rendererPid }, intervalMs: SAMPLE_MS });
    const downloadSampler = await startRssSampler({ pids: { renderer: rendererPid }, intervalMs: SAMPLE_MS });
    let downloadMemory = null;
    let downloadStopped = null;
    hooks.downloaded = () => {
      downloadStopped ??= downloadSampler.stop().then((memory) => {
        downloadMemory = memory;
      });
      return downloadStopped;
    };
    let result;
    let memory;
    try {
      result = await page.evaluate((args) => window.modelBench.load(args), { candidate, modelUrl: placed.modelUrl, libUrl: placed.libUrl });
    } finally {
      memory = await sampler.stop();
      if (downloadStopped) await downloadStopped;
      else await downloadSampler.stop();
      hooks.downloaded = undefined;
    }
    if (errors.length > 0) throw new Error(`${tag}: page errors: ${errors.join("; ")}`);
    checkLoaded(model, result.loaded, tag);
    const hubSeen = analyseHub(hub, placed);
    const cosCounts = cos ? await world.cos.counts() : null;
    return {
      ms: result.ms,
      phases: result.phases,
      download: result.download,
      storageKind: result.storageKind,
      stats: result.stats,
      ...hubSeen,
      cosBackend: cosCounts && { created: cosCounts.created, bytesWritten: cosCounts.bytesWritten, bytesRead: cosCounts.bytesRead, requests: cosCounts.request },
      rendererPeakIncrease: memory.renderer.peak - memory.renderer.baseline,
      rendererDownloadPeakIncrease: downloadMemory ? downloadMemory.renderer.peak - downloadMemory.renderer.baseline : null,
      pausedMs: result.pausedMs,
      rendererSamples: memory.renderer.samples,
      maxSampleGapMs: memory.maxGapMs,
    };
  } finally {
    await page.close().catch(() => {});
  }
}

/**
 * The share of the link's cap the download phase used: bytes it moved / its duration / the cap.
 * The download phase: tvmjs's addToCache loops (first call to last return) for the tvmjs and ours
 * candidates, the whole preparation for the web-llm one. null on an uncapped link or without one.
 */
export function linkShare(row, candidate, linkBytesPerSecond) {
  if (!Number.isFinite(linkBytesPerSecond)) return null;
  let seconds;
  let bytes;
  if (candidate === "webllm") {
    seconds = (row.phases.prepareMs ?? 0) / 1000;
    bytes = row.bytes.total;
  } else {
    if (row.download.start === null || row.download.end === null) return null;
    seconds = (row.download.end - row.download.start) / 1000;
    bytes = row.bytes.shards;
  }
  if (!(seconds > 0) || bytes === 0) return null;
  return bytes / seconds / linkBytesPerSecond;
}
