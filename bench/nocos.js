// Bench part "nocos": storing one large file where no Cross-Origin Storage exists, as almost every
// visitor has today, in Chromium: ours (createCrossOriginCache().addToCache(url), which falls back
// to its same-origin store: the Cache API by hash, the body hashed as it streams in, then sealed)
// against what apps use today: a plain cache.put(url, await fetch(url)), and tvmjs's ArtifactCache
// (cache.add(url)). Every run starts with no Cache API caches, a URL never seen before and a new page.
// Measured: wall time in the page, and the renderer's peak RSS increase (as bench/store.js).
import { seededBytes } from "../local-hub/index.js";
import { MiB, generatedSha256, integerListFromEnv, loadAverage, medianCell, oursText, plural, positiveIntegerFromEnv, rangeCell, roundOrder, summary, versions } from "./lib/cos-bench.js";
import { closePages, openCosWorld } from "./lib/cos-world.js";
import { machineLine } from "./lib/machine.js";
import { fixed, table, times } from "./lib/markdown.js";
import { writeResults } from "./lib/results.js";
import { startRssSampler } from "./lib/rss-sampler.js";
import { verdict, verdictLine } from "./lib/verdicts.js";

export const description = "store a large file without COS: ours (fallback store) vs a plain Cache API put and tvmjs's ArtifactCache";

const PAGE = "/bench/page/nocos.html";
const CANDIDATES = [
  { id: "ours", label: "ours: createCrossOriginCache().addToCache(url), no COS" },
  { id: "put", label: "plain: cache.put(url, await fetch(url))" },
  { id: "tvmjs", label: "tvmjs: new ArtifactCache().addToCache(url)" },
];
const TARGET_WALL = 1.3;  // issue: storing ≤ 1.3× a plain Cache API put of the same response
const TARGET_MEMORY_MIB = 64;  // "renderer memory flat": the increase stays far below the file
const SAMPLE_MS = 20;
const VERIFY_UP_TO = 256 * MiB;  // what the Cache API holds is re-hashed with WebCrypto up to this size

// Where each candidate's bytes end up, to check them after the run.
const storedAt = {
  ours: (url, sha256) => ["cross-origin-cache-cos-fallback", `https://cross-origin-cache.invalid/sha256/${sha256}`],
  put: (url) => ["bench-plain-put", url],
  tvmjs: (url) => ["tvmjs", url],
};

async function storeOnce(world, { candidate, size, generate, sha256, tag }) {
  await closePages(world.context);
  const repo = world.hub.addRepo({ id: `bench-nocos/${tag}`, files: [{ path: "model.bin", size, generate, sha256, lfs: true }] });
  const url = repo.files[0].url;
  const { page, rendererPid, collectGarbage, errors } = await world.openPage(PAGE, { ready: "window.nocosBench !== undefined" });
  try {
    await page.evaluate(() => window.nocosBench.clearCaches());
    await page.evaluate((id) => window.nocosBench.prepare(id), candidate);
    await collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 100));
    world.hub.resetCounters();
    const sampler = await startRssSampler({ pids: { renderer: rendererPid }, intervalMs: SAMPLE_MS });
    let result;
    let memory;
    try {
      result = await page.evaluate(([id, target]) => window.nocosBench.store(id, target), [candidate, url]);
    } finally {
      memory = await sampler.stop();
    }
    const requests = { ...world.hub.counters };
    if (errors.length > 0) throw new Error(`${candidate} ${tag}: page errors: ${errors.join("; ")}`);
    if (size <= VERIFY_UP_TO) {
      const digest = await page.evaluate(([name, key]) => window.nocosBench.storedDigest(name, key), storedAt[candidate](url, sha256));
      if (digest !== sha256) throw new Error(`${candidate} ${tag}: the Cache API holds ${digest ?? "nothing"}, expected ${sha256}`);
    }
    return {
      candidate,
      ms: result.ms,
      rendererPeakIncrease: memory.renderer.peak - memory.renderer.baseline,
      hubRequests: requests.resolve + requests.raw + requests.pathsInfo + requests.tree,
      stats: result.stats,
    };
  } finally {
    await page.close().catch(() => {});
  }
}

function summarizeSize(size, runs, profile) {
  const byCandidate = Object.fromEntries(CANDIDATES.map(({ id, label }) => {
    const mine = runs.filter((run) => run.candidate === id);
    return [id, {
      id,
      label,
      ms: summary(mine.map((run) => run.ms)),
      mbps: summary(mine.map((run) => size / 1e6 / (run.ms / 1e3))),
      rendererMiB: summary(mine.map((run) => run.rendererPeakIncrease / MiB)),
      hubRequests: summary(mine.map((run) => run.hubRequests)),
      runs: mine,
    }];
  }));
  const label = `${size >= 1024 * MiB ? `${size / (1024 * MiB)} GiB` : `${size / MiB} MiB`}, ${profile}`;
  const ours = byCandidate.ours;
  const verdicts = [
    verdict({ part: "nocos", id: `nocos-${profile}-${size / MiB}-wall`, label: `${label} without COS: wall time, ours / plain put`, value: ours.ms.median / byCandidate.put.ms.median, target: TARGET_WALL }),
    verdict({ part: "nocos", id: `nocos-${profile}-${size / MiB}-memory`, label: `${label} without COS: renderer peak RSS increase, ours`, value: ours.rendererMiB.median, target: TARGET_MEMORY_MIB, unit: " MiB" }),
  ];
  return { size, profile, label, candidates: byCandidate, verdicts };
}

function sizeMarkdown(result) {
  const { candidates } = result;
  const base = candidates.put;
  const rows = Object.values(candidates).map((c) => [
    c.label,
    medianCell(c.ms),
    rangeCell(c.ms),
    fixed(c.mbps.median, 1),
    times(c.ms.median / base.ms.median),
    medianCell(c.rendererMiB, 1),
    rangeCell(c.rendererMiB, 1),
    fixed(c.hubRequests.median, 0),
  ]);
  return [
    `### ${result.label} (${plural(candidates.ours.ms.n, "timed round")} per candidate)`,
    "",
    table([
      { title: "Candidate" },
      { title: "wall ms median", align: "right" },
      { title: "wall ms min–max", align: "right" },
      { title: "MB/s", align: "right" },
      { title: "× plain put", align: "right" },
      { title: "renderer +MiB median", align: "right" },
      { title: "renderer +MiB min–max", align: "right" },
      { title: "hub requests", align: "right" },
    ], rows),
    "",
    ...result.verdicts.map((v) => `- ${verdictLine(v)}`),
  ].join("\n");
}

export async function run(context) {
  const { root, rounds, warmupRounds, log } = context;
  const date = new Date();
  const sizesMiB = integerListFromEnv("BENCH_NOCOS_SIZES", [64, 1024]);
  const largeRounds = positiveIntegerFromEnv("BENCH_NOCOS_LARGE_ROUNDS", Math.min(3, rounds));
  const profiles = (process.env.BENCH_NOCOS_PROFILES ?? "loopback,broadband").split(",").map((name) => name.trim()).filter(Boolean);
  const loadBefore = loadAverage();
  const results = [];
  for (const profile of profiles) {
    // The hub shapes its replies (local-hub/network.js): loopback measures the CPU each store
    // costs; broadband is where users are, a link slower than hashing.
    const world = await openCosWorld({ root, log, cos: false, hubOptions: { network: profile } });
    try {
      // A shaped link moves 1 GiB in about 90 s per run: its default sizes stop at 256 MiB.
      const profileSizes = process.env.BENCH_NOCOS_SIZES || profile === "loopback" ? sizesMiB : sizesMiB.filter((sizeMiB) => sizeMiB <= 256).concat(sizesMiB.some((sizeMiB) => sizeMiB > 256) ? [256] : []);
      for (const sizeMiB of profileSizes) {
        const size = sizeMiB * MiB;
        const timedRounds = sizeMiB > 256 ? largeRounds : rounds;
        const warmups = sizeMiB > 256 ? 0 : warmupRounds;
        const generate = seededBytes("bench-nocos", `size-${sizeMiB}`);
        const sha256 = generatedSha256(generate, size);
        const runs = [];
        for (let round = 0; round < warmups + timedRounds; round++) {
          const line = [];
          for (const { id } of roundOrder(CANDIDATES, round)) {
            const measured = await storeOnce(world, { candidate: id, size, generate, sha256, tag: `${profile}-s${sizeMiB}-r${round}-${id}` });
            if (round >= warmups) runs.push(measured);
            line.push(`${id} ${fixed(measured.ms, 0)} ms +${fixed(measured.rendererPeakIncrease / MiB, 1)} MiB`);
          }
          log(`nocos ${profile} ${sizeMiB} MiB ${round < warmups ? `warm-up ${round + 1}` : `round ${round - warmups + 1}/${timedRounds}`}: ${line.join(", ")}`);
        }
        results.push({ ...summarizeSize(size, runs, profile), rounds: timedRounds, warmupRounds: warmups });
      }
    } finally {
      await world.close();
    }
  }
  const loadAfter = loadAverage();
  const machine = await context.machine();
  const v = versions();
  const markdown = [
    `## Store a large file without Cross-Origin Storage — \`node bench/run.js nocos\` (${date.toISOString()})`,
    "",
    machineLine(machine),
    "",
    `What: one file of each size from the local hub (a lazily generated Git LFS file), stored from a Chromium page that has no COS. ` +
      `ours = ${oursText(v)} (addToCache: one listing for the hash, then the body hashed as it streams into the Cache API under its hash, sealed once verified); ` +
      `plain = cache.put(url, await fetch(url)); tvmjs = @mlc-ai/web-runtime ${v.tvmjs} ArtifactCache (cache.add(url)).`,
    "",
    `Network: the hub's profiles (local-hub/network.js) ${profiles.join(", ")}; loopback measures the CPU a store costs on this machine (the hub shares its 2 cores with Chromium), broadband (30 ms, 12.5 MB/s per connection) is a real link, slower than hashing.`,
    "",
    `Method: every run starts with no Cache API caches, a new URL and a new page; the cache object is created before the timing; wall = performance.now() around the store in the page; ` +
      `renderer +MiB = peak VmRSS of the page's renderer (every ${SAMPLE_MS} ms) minus its value before the call, after a forced GC. Candidates alternate order every round (ABBA); ` +
      `ratios are median over median against the plain put of the same run. Stored bytes are checked with WebCrypto for sizes up to ${VERIFY_UP_TO / MiB} MiB.`,
    "",
    ...results.flatMap((result) => [sizeMarkdown(result), ""]),
    `Noise: 1-minute load average ${fixed(loadBefore, 2)} → ${fixed(loadAfter, 2)} on ${machine.coresUsable} usable cores.`,
  ].join("\n");
  const json = {
    part: "nocos",
    date: date.toISOString(),
    machine,
    versions: v,
    loadAverage: { before: loadBefore, after: loadAfter },
    sizes: results.map((result) => ({ profile: result.profile, sizeBytes: result.size, label: result.label, rounds: result.rounds, warmupRounds: result.warmupRounds, candidates: Object.values(result.candidates) })),
    verdicts: results.flatMap((result) => result.verdicts),
  };
  const files = await writeResults("nocos", { json, markdown, date });
  return { markdown, files };
}
