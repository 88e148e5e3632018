// Bench part "store": storing one large file from the hub into Cross-Origin Storage, in Chromium,
// ours (createCrossOriginCache().addToCache(url)) against tvmjs's own ArtifactCrossOriginStorageCache
// (addToCache(url): it resolves the hash from the Git LFS pointer at /raw/, downloads the file,
// hashes the whole blob with crypto.subtle and writes the blob into COS). Both use the same COS
// manager: the test polyfill in the page, backed by the shared node backend.
//
// Every run stores for real: a fresh COS backend state (nothing stored), a URL never seen before
// (a new repo on the hub, so no persisted URL→hash record helps either side) and a new page (a
// reload: fresh renderer memory, tvmjs's in-memory hash map empty). The hub generates the bytes
// lazily (AES-CTR key stream), so it holds nothing in memory; their SHA-256 is computed once per
// size beforehand, outside the timing.
//
// Measured per run: wall time of addToCache in the page (performance.now), and the peak increase
// of the page's renderer process RSS over its value just before the call (VmRSS from /proc every
// 20 ms on a worker thread; the renderer is found among the browser process' --type=renderer
// children). The browser process and the whole Chromium tree are sampled too, as diagnostics:
// Blob bytes live in the browser process, not the renderer.
import os from "node:os";
import { seededBytes } from "../local-hub/index.js";
import { MiB, generatedSha256, integerListFromEnv, loadAverage, medianCell, plural, positiveIntegerFromEnv, rangeCell, roundOrder, summary, oursText, versions } from "./lib/cos-bench.js";
import { closePages, openCosWorld } from "./lib/cos-world.js";
import { writeCombined } from "./lib/combined.js";
import { machineLine } from "./lib/machine.js";
import { fixed, table, times } from "./lib/markdown.js";
import { cpuSecondsSync, processTree } from "./lib/proc.js";
import { writeResults } from "./lib/results.js";
import { startRssSampler } from "./lib/rss-sampler.js";
import { verdict, verdictLine } from "./lib/verdicts.js";

export const description = "store a large file into COS: ours vs tvmjs's ArtifactCrossOriginStorageCache (wall time, renderer peak RSS)";

const CANDIDATES = [
  { id: "ours", label: "ours: createCrossOriginCache().addToCache(url)" },
  { id: "tvmjs", label: "tvmjs: new ArtifactCrossOriginStorageCache().addToCache(url)" },
];
// Diagnostics (no target, skipped with BENCH_STORE_DIAGNOSTICS=0): what the page pays to download
// the body at all, and to download it through our wasm SHA-256, without storing anything.
const DIAGNOSTICS = [
  { id: "stream", label: "diag: fetch(url), read the body to its end", diagnostic: true },
  { id: "stream-hash", label: "diag: fetch(url), every chunk through createSha256()", diagnostic: true },
];
const TARGET_WALL = 0.66;
const TARGET_MEMORY = 0.1;
const LARGE_MIB = 256; // sizes above this run BENCH_STORE_LARGE_ROUNDS rounds and no warm-up of their own
const SAMPLE_MS = 20;

/** One store of `size` bytes by `candidate`, from a fresh state. */
async function storeOnce(world, { candidate, size, generate, sha256, tag }) {
  const diagnostic = DIAGNOSTICS.some((d) => d.id === candidate);
  await closePages(world.context);
  await world.resetCos();
  const repo = world.hub.addRepo({ id: `bench-store/${tag}`, files: [{ path: "model.bin", size, generate, sha256, lfs: true }] });
  const url = repo.files[0].url;
  const { page, rendererPid, collectGarbage, errors } = await world.openPage();
  try {
    if (!diagnostic) await page.evaluate((id) => window.cosBench.prepare(id), candidate);
    await collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const tree = await processTree(world.browserPid);
    // The Chromium processes that serve this page: the browser, its utility (network, storage)
    // and GPU processes, and the page's renderer (other renderers are idle spares).
    const pids = { renderer: rendererPid, browser: world.browserPid };
    for (const proc of tree) {
      if (proc.type !== "renderer" && proc.type !== "zygote" && proc.type !== "") pids[`${proc.type}-${proc.pid}`] = proc.pid;
    }
    world.hub.resetCounters();
    // CPU used while storing: by Chromium's processes, and by this process (the hub and the COS
    // backend run here). Their sum over the wall time says how many of the cores were busy.
    const chromiumCpu = () => Object.values(pids).reduce((sum, pid) => sum + cpuSecondsSync(pid), 0);
    const benchCpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1e6; };
    const cpuBefore = { chromium: chromiumCpu(), bench: benchCpu(), at: performance.now() };
    const sampler = await startRssSampler({ pids, intervalMs: SAMPLE_MS });
    let result;
    let memory;
    try {
      result = diagnostic
        ? await page.evaluate(([target, hash]) => window.cosBench.streamOnly(target, hash), [url, candidate === "stream-hash"])
        : await page.evaluate(([id, target]) => window.cosBench.store(id, target), [candidate, url]);
    } finally {
      memory = await sampler.stop();
    }
    // Over the same window as the CPU times (a little longer than the page's own timing).
    const cpu = { chromium: chromiumCpu() - cpuBefore.chromium, bench: benchCpu() - cpuBefore.bench, seconds: (performance.now() - cpuBefore.at) / 1e3 };
    if (diagnostic) {
      if (result.bytes !== size) throw new Error(`${candidate} ${tag}: read ${result.bytes} of ${size} bytes`);
      if (candidate === "stream-hash" && result.hex !== sha256) throw new Error(`${candidate} ${tag}: SHA-256 ${result.hex}, expected ${sha256}`);
    } else {
      const entry = await world.cos.entry(sha256);
      if (!entry || entry.writing || entry.size !== size) throw new Error(`${candidate} ${tag}: COS holds no complete ${size}-byte entry for ${sha256} after addToCache`);
    }
    if (errors.length > 0) throw new Error(`${candidate} ${tag}: page errors: ${errors.join("; ")}`);
    const counters = world.hub.counters;
    const increase = (name) => (memory[name] ? memory[name].peak - memory[name].baseline : null);
    return {
      candidate,
      ms: result.ms,
      cpuSeconds: cpu,
      rendererPeakIncrease: increase("renderer"),
      browserPeakIncrease: increase("browser"),
      chromiumPeakIncrease: increase("sum"),
      rendererBaseline: memory.renderer.baseline,
      samples: memory.renderer.samples,
      maxSampleGapMs: memory.maxGapMs,
      hub: {
        requests: counters.resolve + counters.raw + counters.pathsInfo + counters.tree,
        resolve: counters.resolve,
        raw: counters.raw,
        pathsInfo: counters.pathsInfo,
        tree: counters.tree,
        bytes: { ...counters.bytes },
      },
      cos: await world.cos.counts(),
      stats: result.stats,
    };
  } finally {
    await page.close().catch(() => {});
  }
}

function summarizeSize(size, runs, candidates) {
  const byCandidate = Object.fromEntries(
    candidates.map(({ id, label, diagnostic = false }) => {
      const mine = runs.filter((run) => run.candidate === id);
      return [
        id,
        {
          id,
          label,
          diagnostic,
          ms: summary(mine.map((run) => run.ms)),
          mbps: summary(mine.map((run) => size / 1e6 / (run.ms / 1e3))),
          rendererMiB: summary(mine.map((run) => run.rendererPeakIncrease / MiB)),
          browserMiB: summary(mine.map((run) => run.browserPeakIncrease / MiB)),
          chromiumMiB: summary(mine.map((run) => run.chromiumPeakIncrease / MiB)),
          hubRequests: summary(mine.map((run) => run.hub.requests)),
          hubBodyBytes: summary(mine.map((run) => run.hub.bytes.resolve)),
          cosBytesRead: summary(mine.map((run) => run.cos.bytesRead)),
          cpuChromium: summary(mine.map((run) => run.cpuSeconds.chromium)),
          cpuBench: summary(mine.map((run) => run.cpuSeconds.bench)),
          coresBusy: summary(mine.map((run) => (run.cpuSeconds.chromium + run.cpuSeconds.bench) / run.cpuSeconds.seconds)),
          runs: mine,
        },
      ];
    }),
  );
  const ours = byCandidate.ours;
  const tvmjs = byCandidate.tvmjs;
  const wallRatio = ours.ms.median / tvmjs.ms.median;
  const memoryRatio = tvmjs.rendererMiB.median > 0 ? ours.rendererMiB.median / tvmjs.rendererMiB.median : null;
  const label = size >= 1024 * MiB ? `${size / (1024 * MiB)} GiB` : `${size / MiB} MiB`;
  const verdicts = [
    verdict({ part: "store", id: `store-${size / MiB}-wall`, label: `${label}: wall time, ours / tvmjs`, value: wallRatio, target: TARGET_WALL }),
    verdict({ part: "store", id: `store-${size / MiB}-memory`, label: `${label}: renderer peak RSS increase, ours / tvmjs`, value: memoryRatio, target: TARGET_MEMORY }),
  ];
  return { size, label, candidates: byCandidate, wallRatio, memoryRatio, verdicts };
}

function sizeMarkdown(result) {
  const { candidates } = result;
  const rows = Object.values(candidates).map((c) => {
    const base = candidates.tvmjs;
    return [
      c.diagnostic ? `*${c.label}*` : c.label,
      medianCell(c.ms),
      rangeCell(c.ms),
      fixed(c.mbps.median, 1),
      times(c.ms.median / base.ms.median),
      medianCell(c.rendererMiB, 1),
      rangeCell(c.rendererMiB, 1),
      base.rendererMiB.median > 0 ? times(c.rendererMiB.median / base.rendererMiB.median, 3) : "—",
      medianCell(c.browserMiB, 1),
      medianCell(c.chromiumMiB, 1),
      `${fixed(c.hubRequests.median, 0)} (${fixed(c.hubBodyBytes.median / MiB, 0)} MiB)`,
      fixed(c.cosBytesRead.median / MiB, 0),
      fixed(c.cpuChromium.median, 1),
      fixed(c.cpuBench.median, 1),
      fixed(c.coresBusy.median, 2),
    ];
  });
  const n = candidates.ours.ms.n;
  return [
    `### ${result.label} (${plural(n, "timed round")} per candidate)`,
    "",
    table(
      [
        { title: "Candidate" },
        { title: "wall ms median", align: "right" },
        { title: "wall ms min–max", align: "right" },
        { title: "MB/s", align: "right" },
        { title: "× tvmjs (wall)", align: "right" },
        { title: "renderer +MiB median", align: "right" },
        { title: "renderer +MiB min–max", align: "right" },
        { title: "× tvmjs (renderer)", align: "right" },
        { title: "browser proc +MiB", align: "right" },
        { title: "Chromium total +MiB", align: "right" },
        { title: "hub requests (body)", align: "right" },
        { title: "COS bytes read back, MiB", align: "right" },
        { title: "CPU-s Chromium", align: "right" },
        { title: "CPU-s hub + COS backend", align: "right" },
        { title: "cores busy", align: "right" },
      ],
      rows,
    ),
    "",
    ...result.verdicts.map((v) => `- ${verdictLine(v)}`),
  ].join("\n");
}

export async function run(context) {
  const { root, rounds, warmupRounds, log } = context;
  const date = new Date();
  const sizesMiB = integerListFromEnv("BENCH_STORE_SIZES", [64, 1024]);
  const largeRounds = positiveIntegerFromEnv("BENCH_STORE_LARGE_ROUNDS", Math.min(3, rounds));
  const diagnostics = process.env.BENCH_STORE_DIAGNOSTICS !== "0";
  const loadBefore = loadAverage();
  const world = await openCosWorld({ root, log });
  const results = [];
  const notes = [];
  try {
    let warmedUp = false;
    for (const sizeMiB of sizesMiB) {
      const size = sizeMiB * MiB;
      const large = sizeMiB > LARGE_MIB;
      const timedRounds = large ? largeRounds : rounds;
      // Sizes above LARGE_MIB get no warm-up of their own when a smaller size warmed up already:
      // every run starts on a new page anyway, and a 1 GiB warm-up costs a minute.
      const warmups = large && warmedUp ? 0 : warmupRounds;
      // The diagnostics scale with the size; they run for sizes up to LARGE_MIB only.
      const withDiagnostics = diagnostics && !large;
      const generate = seededBytes("bench-store", `size-${sizeMiB}`);
      const started = performance.now();
      const sha256 = generatedSha256(generate, size);
      log(`store ${sizeMiB} MiB: SHA-256 ${sha256.slice(0, 16)}… (${fixed((performance.now() - started) / 1000, 1)} s), ${warmups} warm-up + ${timedRounds} rounds`);
      const runs = [];
      for (let round = 0; round < warmups + timedRounds; round++) {
        const warmup = round < warmups;
        const roundLabel = warmup ? `warm-up ${round + 1}` : `round ${round - warmups + 1}/${timedRounds}`;
        const line = [];
        for (const { id } of [...roundOrder(CANDIDATES, round), ...(withDiagnostics ? DIAGNOSTICS : [])]) {
          const measured = await storeOnce(world, { candidate: id, size, generate, sha256, tag: `s${sizeMiB}-r${round}-${id}`, log });
          if (!warmup) runs.push(measured);
          line.push(`${id} ${fixed(measured.ms, 0)} ms +${fixed(measured.rendererPeakIncrease / MiB, 1)} MiB`);
        }
        log(`store ${sizeMiB} MiB ${roundLabel}: ${line.join(", ")}`);
      }
      warmedUp ||= warmups > 0;
      const result = summarizeSize(size, runs, [...CANDIDATES, ...(withDiagnostics ? DIAGNOSTICS : [])]);
      result.rounds = timedRounds;
      result.warmupRounds = warmups;
      results.push(result);
      if (timedRounds < 5 || warmups === 0) {
        const why = large ? `BENCH_STORE_LARGE_ROUNDS=${largeRounds}, the default for sizes above ${LARGE_MIB} MiB to bound the run time; set it to 5 for the full count` : `BENCH_ROUNDS=${rounds}`;
        notes.push(`${result.label}: ${plural(timedRounds, "timed round")} per candidate (${why})${warmups === 0 ? ", and no warm-up round of its own (the smaller size's warm-up ran first; every run starts on a new page anyway)" : ""}.`);
      }
    }
  } finally {
    await world.close();
  }
  const loadAfter = loadAverage();
  const machine = await context.machine();
  const verdicts = results.flatMap((result) => result.verdicts);
  const v = versions();
  const markdown = [
    `## Store a large file into Cross-Origin Storage — \`node bench/run.js store\` (${date.toISOString()})`,
    "",
    machineLine(machine),
    "",
    `What: one file of each size, served by the local hub (local-hub/) as a Git LFS file generated lazily, stored into COS ` +
      `through the test polyfill and its node backend (the same COS manager for both) from a Chromium page. ours = ${oursText(v)} ` +
      `(addToCache: one listing of the repo revision for the hash, then the body streamed through the wasm SHA-256 into a COS writable); ` +
      `tvmjs = @mlc-ai/web-runtime ${v.tvmjs} ArtifactCrossOriginStorageCache (addToCache: the LFS pointer at /raw/ for the hash, then the body as one Blob, ` +
      `hashed with crypto.subtle from one ArrayBuffer, and written into COS as a Blob).`,
    "",
    `Method: every run starts from an empty COS backend, a URL never seen before and a new page (a reload), and the cache object is created before the timing; ` +
      `wall = performance.now() around addToCache in the page; renderer +MiB = peak VmRSS of the page's renderer process (sampled every ${SAMPLE_MS} ms from /proc on a worker thread) ` +
      `minus its value just before the call, after a forced GC. "browser proc" is the browser process (where Blob bytes live), "Chromium total" the browser, GPU, ` +
      `utility and page renderer processes together (diagnostics, no target). Candidates alternate order every round (ABBA). Median and min–max over the timed rounds; ` +
      `ratios are median over median against tvmjs measured in the same run. "COS bytes read back" are bytes the page read from the COS backend during addToCache. ` +
      `CPU-s = CPU seconds (user + system) used during the call by the Chromium processes above (/proc/<pid>/stat) and by the bench's own Node process, which runs the hub and the COS backend; ` +
      `"cores busy" = their sum over the wall time of the same window (from just before the call until the memory sampler stopped) (this machine has ${os.availableParallelism?.() ?? os.cpus().length}): near the core count, the store is bound by CPU, not by waiting. ` +
      `Rows in italics are diagnostics, not contenders (no COS involved; sizes up to ${LARGE_MIB} MiB only): the page only downloading the body, and downloading it through our wasm SHA-256 — the floor under any store.`,
    "",
    ...(notes.length > 0 ? ["Rounds: " + notes.join(" "), ""] : []),
    ...results.flatMap((result) => [sizeMarkdown(result), ""]),
    `Noise: 1-minute load average ${fixed(loadBefore, 2)} → ${fixed(loadAfter, 2)} on ${machine.coresUsable} usable cores.`,
  ].join("\n");
  const json = {
    part: "store",
    date: date.toISOString(),
    machine,
    versions: v,
    method: {
      warmupRounds,
      rounds,
      largeRounds,
      largeThresholdMiB: LARGE_MIB,
      sampleIntervalMs: SAMPLE_MS,
      interleaved: "ABBA",
      freshState: "new COS backend state, new URL (new hub repo) and new page per run",
      wall: "performance.now() around cache.addToCache(url, 'arraybuffer') in the page",
      memory: "peak minus pre-call VmRSS of the page's renderer process",
    },
    loadAverage: { before: loadBefore, after: loadAfter },
    notes,
    sizes: results.map((result) => ({
      sizeBytes: result.size,
      label: result.label,
      rounds: result.rounds,
      warmupRounds: result.warmupRounds,
      wallRatioOursOverTvmjs: result.wallRatio,
      rendererMemoryRatioOursOverTvmjs: result.memoryRatio,
      candidates: Object.values(result.candidates),
    })),
    verdicts,
  };
  const files = await writeResults("store", { json, markdown, date });
  files.push(...(await writeCombined({ machine })));
  return { markdown, files };
}
