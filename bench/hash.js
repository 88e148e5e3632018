// Bench part "hash": SHA-256 throughput of ours (the wasm core behind createSha256) against
// hash-wasm, node:crypto and WebCrypto, in Node and in headless Chromium.
//
// Data: 16 distinct 1 MiB chunks of random bytes, generated once and cycled 256 times, i.e.
// 256 MiB hashed per candidate per round without allocating 256 MiB per streaming candidate; the
// one-shot crypto.subtle.digest candidate gets one 256 MiB buffer holding that same stream, built
// once outside the timing. Every candidate must produce the same digest in every round (the one
// node:crypto gives for the stream before timing starts), in Node and Chromium alike.
//
// Each candidate is timed by wall clock (the verdict against hash-wasm) and by CPU time (Node:
// process.cpuUsage(); Chromium: the renderer's ProcessTime from DevTools), which shows whether a
// difference comes from the code or from other processes competing for a busy machine.
import { createHash, randomBytes, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { createSHA256 } from "hash-wasm";
import { createSha256, loadCore } from "../js/index.js";
import { describeCandidates, hashCandidates, timeCandidate } from "./lib/hash-candidates.js";
import { machineLine } from "./lib/machine.js";
import { fixed, table, times } from "./lib/markdown.js";
import { writeResults } from "./lib/results.js";
import { megabytesPerSecond, summarize } from "./lib/stats.js";

export const description = "SHA-256 throughput: ours vs hash-wasm, node:crypto and crypto.subtle, in Node and Chromium";

const MiB = 1 << 20;
const CHUNK_BYTES = 1 * MiB;
const DISTINCT_CHUNKS = 16;
const CHUNK_COUNT = 256;
const TOTAL_BYTES = CHUNK_BYTES * CHUNK_COUNT;
const TARGET_RATIO = 1.0;
const DATA_ROUTE = "/__bench/hash-chunks.bin";
const PAGE_PATH = "/bench/page/hash.html";

function packageVersion(specifier) {
  const file = new URL(specifier, import.meta.url);
  return JSON.parse(readFileSync(file, "utf8")).version;
}

function makeData() {
  const bytes = randomBytes(CHUNK_BYTES * DISTINCT_CHUNKS);
  const chunks = [];
  for (let i = 0; i < DISTINCT_CHUNKS; i++) chunks.push(new Uint8Array(bytes.buffer, bytes.byteOffset + i * CHUNK_BYTES, CHUNK_BYTES));
  const hasher = createHash("sha256");
  for (let i = 0; i < CHUNK_COUNT; i++) hasher.update(chunks[i % DISTINCT_CHUNKS]);
  return { bytes, chunks, reference: hasher.digest("hex") };
}

function checkRound(environment, roundLabel, results, candidates, reference) {
  const hashes = new Map(candidates.map((candidate) => [candidate.id, candidate.hashes !== false]));
  const checked = results.filter((result) => hashes.get(result.id));
  const wrong = checked.filter((result) => result.digest !== reference);
  const unexpected = results.filter((result) => !hashes.get(result.id) && result.digest !== null);
  if (unexpected.length > 0) throw new Error(`${environment} ${roundLabel}: ${unexpected[0].id} returned a digest but is not a hashing candidate`);
  if (wrong.length > 0) {
    const lines = checked.map((result) => `  ${result.id}: ${result.digest}`).join("\n");
    throw new Error(`${environment} ${roundLabel}: digests differ (expected ${reference} for all):\n${lines}`);
  }
  for (const result of results) {
    if (!(result.ms > 0)) throw new Error(`${environment} ${roundLabel}: ${result.id} took ${result.ms} ms`);
  }
}

/**
 * Warm-up round(s), then `rounds` timed rounds; in each round every candidate runs once, in order,
 * through runCandidate(id) → {id, ms, cpuMs, digest} (wall-clock and CPU milliseconds). Digests are
 * checked after every round.
 */
async function measure({ environment, candidates, runCandidate, reference, rounds, warmupRounds, log }) {
  const samples = Object.fromEntries(candidates.map((candidate) => [candidate.id, { ms: [], cpuMs: [] }]));
  const loadBefore = os.loadavg()[0];
  for (let round = 0; round < warmupRounds + rounds; round++) {
    const warmup = round < warmupRounds;
    const roundLabel = warmup ? `warm-up ${round + 1}` : `round ${round - warmupRounds + 1}/${rounds}`;
    const results = [];
    for (const candidate of candidates) results.push(await runCandidate(candidate.id));
    checkRound(environment, roundLabel, results, candidates, reference);
    if (!warmup) {
      for (const result of results) {
        samples[result.id].ms.push(result.ms);
        samples[result.id].cpuMs.push(result.cpuMs);
      }
    }
    const speeds = results.map((result) => `${result.id} ${fixed(megabytesPerSecond(TOTAL_BYTES, result.ms), 0)}`).join(", ");
    log(`${environment} ${roundLabel} (MB/s): ${speeds}`);
  }
  const loadAfter = os.loadavg()[0];

  const summaries = candidates.map((candidate) => {
    const { ms, cpuMs } = samples[candidate.id];
    // CPU time is only meaningful for the hashing candidates (the copy-only diagnostic lasts a
    // few ms, below the renderer's CPU clock tick).
    const cpuUsable = candidate.hashes !== false && cpuMs.every((value) => value > 0);
    return {
      ...candidate,
      milliseconds: ms,
      cpuMilliseconds: cpuMs,
      mbps: summarize(ms.map((value) => megabytesPerSecond(TOTAL_BYTES, value))),
      cpuMbps: cpuUsable ? summarize(cpuMs.map((value) => megabytesPerSecond(TOTAL_BYTES, value))) : null,
    };
  });
  const find = (id) => summaries.find((summary) => summary.id === id);
  const ours = find("ours");
  const hashWasm = find("hash-wasm");
  for (const summary of summaries) {
    summary.vsHashWasm = summary.hashes === false ? null : summary.mbps.median / hashWasm.mbps.median;
    summary.cpuVsHashWasm = summary.cpuMbps && hashWasm.cpuMbps ? summary.cpuMbps.median / hashWasm.cpuMbps.median : null;
  }
  const ratio = ours.mbps.median / hashWasm.mbps.median;
  return {
    environment,
    candidates: summaries,
    ratio,
    cpuRatio: ours.cpuVsHashWasm,
    target: TARGET_RATIO,
    met: ratio >= TARGET_RATIO,
    // Whether ours' and hash-wasm's wall-clock min–max ranges overlap (then the verdict is noise-level).
    rangesOverlap: !(ours.mbps.min > hashWasm.mbps.max || ours.mbps.max < hashWasm.mbps.min),
    loadAverage: { before: loadBefore, after: loadAfter },
    wrapper: {
      oursOverCoreDirect: ours.mbps.median / find("core-direct").mbps.median,
      copyShareOfOursTime: ours.mbps.median / find("copy-only").mbps.median,
    },
  };
}

function nodeCpuMilliseconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function benchNode({ data, rounds, warmupRounds, log }) {
  // The one-shot buffer: the same 256 MiB stream, built once, untimed.
  const oneShot = new Uint8Array(TOTAL_BYTES);
  for (let i = 0; i < CHUNK_COUNT; i++) oneShot.set(data.chunks[i % DISTINCT_CHUNKS], i * CHUNK_BYTES);
  const [core, hashWasm] = await Promise.all([loadCore(), createSHA256()]);
  const candidates = hashCandidates({
    chunks: data.chunks,
    chunkCount: CHUNK_COUNT,
    oneShot,
    createSha256,
    core,
    hashWasm,
    subtle: webcrypto.subtle,
    createHash,
  });
  log(`node ${process.version}: ${candidates.length} candidates, ${warmupRounds} warm-up + ${rounds} rounds`);
  const result = await measure({
    environment: "Node",
    candidates: describeCandidates(candidates),
    async runCandidate(id) {
      const cpuStart = nodeCpuMilliseconds();
      const timed = await timeCandidate(candidates.find((candidate) => candidate.id === id), () => performance.now());
      return { ...timed, cpuMs: nodeCpuMilliseconds() - cpuStart };
    },
    reference: data.reference,
    rounds,
    warmupRounds,
    log,
  });
  return { ...result, title: `Node ${process.version}`, cpuClock: "process.cpuUsage(), user + system of all threads" };
}

async function benchChromium({ data, web, rounds, warmupRounds, log }) {
  web.server.route(DATA_ROUTE, data.bytes, "application/octet-stream");
  const page = await web.newPage();
  try {
    const response = await page.goto(web.server.url(PAGE_PATH));
    if (!response?.ok()) throw new Error(`chromium: ${PAGE_PATH} answered ${response?.status()}`);
    try {
      await page.waitForFunction(() => window.hashBench !== undefined, null, { timeout: 30_000 });
    } catch (error) {
      throw new Error(`chromium: ${PAGE_PATH} did not set window.hashBench (a module failed to load?): ${error.message}`);
    }
    const info = await page.evaluate(
      (options) => window.hashBench.setup(options),
      { dataUrl: DATA_ROUTE, chunkBytes: CHUNK_BYTES, chunkCount: CHUNK_COUNT },
    );
    if (!info.secureContext) throw new Error("chromium: the bench page is not a secure context (crypto.subtle needs one)");
    // The renderer's CPU time, read around each candidate: DevTools' Performance.getMetrics ProcessTime.
    const devtools = await page.context().newCDPSession(page);
    await devtools.send("Performance.enable");
    const rendererCpuMilliseconds = async () => {
      const { metrics } = await devtools.send("Performance.getMetrics");
      const processTime = metrics.find((metric) => metric.name === "ProcessTime");
      return processTime ? processTime.value * 1000 : Number.NaN;
    };
    log(`chromium page: ${info.candidates.length} candidates, ${warmupRounds} warm-up + ${rounds} rounds`);
    const result = await measure({
      environment: "Chromium",
      candidates: info.candidates,
      async runCandidate(id) {
        const cpuStart = await rendererCpuMilliseconds();
        const timed = await page.evaluate((candidate) => window.hashBench.run(candidate), id);
        return { ...timed, cpuMs: (await rendererCpuMilliseconds()) - cpuStart };
      },
      reference: data.reference,
      rounds,
      warmupRounds,
      log,
    });
    await devtools.detach().catch(() => {});
    return {
      ...result,
      title: `Chromium ${web.version} (headless)`,
      userAgent: info.userAgent,
      cpuClock: "the renderer process' CPU time from DevTools Performance.getMetrics ProcessTime, 10 ms ticks",
    };
  } finally {
    await page.close().catch(() => {});
  }
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function environmentMarkdown(env, machine) {
  const rows = env.candidates.map((candidate) => [
    candidate.kind === "diagnostic" ? `*${candidate.label}*` : candidate.label,
    fixed(candidate.mbps.median),
    `${fixed(candidate.mbps.min)}–${fixed(candidate.mbps.max)}`,
    candidate.vsHashWasm === null ? "—" : times(candidate.vsHashWasm),
    candidate.cpuMbps ? fixed(candidate.cpuMbps.median) : "—",
    candidate.cpuVsHashWasm === null ? "—" : times(candidate.cpuVsHashWasm),
  ]);
  const columns = [
    { title: "Candidate" },
    { title: "MB/s median", align: "right" },
    { title: "MB/s min–max", align: "right" },
    { title: "× hash-wasm", align: "right" },
    { title: "MB per CPU-s", align: "right" },
    { title: "× hash-wasm (CPU)", align: "right" },
  ];
  const verdict = env.met ? "MET" : `MISSED (ours is ${fixed((1 - env.ratio) * 100)}% below hash-wasm)`;
  const { oursOverCoreDirect, copyShareOfOursTime } = env.wrapper;
  const { before, after } = env.loadAverage;
  const busy = Math.max(before, after) > machine.coresUsable * 0.75;
  const noise = [
    `Noise: 1-minute load average ${fixed(before, 2)} → ${fixed(after, 2)} on ${plural(machine.coresUsable, "usable core")}` +
      (busy ? " (other processes competed for the CPU, so wall-clock numbers are noisy)" : "") +
      "; ours' and hash-wasm's min–max ranges " +
      (env.rangesOverlap ? "overlap, so this verdict is within this run's noise." : "do not overlap."),
  ];
  return [
    `### ${env.title}`,
    "",
    table(columns, rows),
    "",
    `ours / hash-wasm = **${times(env.ratio, 3)}** (wall clock, median MB/s over median MB/s) — target ≥ ${fixed(env.target, 1)}× hash-wasm: **${verdict}**`,
    "",
    `On CPU time (clock: ${env.cpuClock}), which other processes disturb less than wall clock (though they still share caches and cores): ` +
      `ours / hash-wasm = ${env.cpuRatio === null ? "n/a" : times(env.cpuRatio, 3)} (median over median).`,
    "",
    ...noise,
    "",
    `JS wrapper check: createSha256 runs at ${times(oursOverCoreDirect, 3)} the speed of calling the core directly; ` +
      `the copies into the core's scratch buffer alone take ${fixed(copyShareOfOursTime * 100)}% of ours' time (wall-clock medians).`,
  ].join("\n");
}

function reportMarkdown({ date, machine, rounds, warmupRounds, reference, environments, versions }) {
  return [
    `## SHA-256 throughput — \`node bench/run.js hash\` (${date.toISOString()})`,
    "",
    machineLine(machine),
    "",
    `Data: ${TOTAL_BYTES / MiB} MiB per candidate per round, fed as ${CHUNK_COUNT} × ${CHUNK_BYTES / MiB} MiB chunks that cycle through ` +
      `${DISTINCT_CHUNKS} distinct 1 MiB chunks of random bytes generated once (${(DISTINCT_CHUNKS * CHUNK_BYTES) / MiB} MiB, no 256 MiB allocation ` +
      `per streaming candidate); crypto.subtle.digest hashes the same stream one-shot from a ${TOTAL_BYTES / MiB} MiB buffer built once, outside the timing. ` +
      `Chromium gets the same bytes over HTTP, so every candidate in both environments must give SHA-256 ${reference} (checked every round).`,
    "",
    `Method: ${plural(warmupRounds, "warm-up round")}, then ${plural(rounds, "timed round")} (BENCH_ROUNDS); within a round the candidates run one after another in table order. ` +
      `MB/s = 10^6 bytes per wall-clock second, MB per CPU-s = 10^6 bytes per CPU second; median and min–max over the timed rounds. ` +
      `ours = cross-origin-cache ${versions.ours} (dist/core.wasm), hash-wasm ${versions.hashWasm}. Rows in italics are diagnostics, not contenders.`,
    "",
    ...environments.flatMap((env) => [environmentMarkdown(env, machine), ""]),
  ].join("\n");
}

export async function run(context) {
  const { rounds, warmupRounds, log } = context;
  const date = new Date();
  const data = makeData();
  log(`hash: ${DISTINCT_CHUNKS} × 1 MiB random chunks, stream of ${TOTAL_BYTES / MiB} MiB, SHA-256 ${data.reference}`);

  const node = await benchNode({ data, rounds, warmupRounds, log });
  const web = await context.browser();
  const chromium = await benchChromium({ data, web, rounds, warmupRounds, log });

  const machine = await context.machine();
  const versions = { ours: packageVersion("../package.json"), hashWasm: packageVersion("../node_modules/hash-wasm/package.json") };
  const environments = [node, chromium];
  const markdown = reportMarkdown({ date, machine, rounds, warmupRounds, reference: data.reference, environments, versions });
  const json = {
    part: "hash",
    date: date.toISOString(),
    machine,
    versions,
    data: {
      totalBytes: TOTAL_BYTES,
      chunkBytes: CHUNK_BYTES,
      chunkCount: CHUNK_COUNT,
      distinctChunks: DISTINCT_CHUNKS,
      note: `${DISTINCT_CHUNKS} distinct 1 MiB random chunks generated once, cycled ${CHUNK_COUNT} times; one-shot candidates hash the same stream from one ${TOTAL_BYTES / MiB} MiB buffer built once`,
      sha256: data.reference,
    },
    method: {
      warmupRounds,
      rounds,
      interleaved: true,
      unit: "MB/s = 1e6 bytes per wall-clock second; cpuMbps = 1e6 bytes per CPU second",
      ratio: "median(ours MB/s) / median(hash-wasm MB/s)",
    },
    environments: environments.map((env) => ({
      environment: env.environment,
      title: env.title,
      ...(env.userAgent ? { userAgent: env.userAgent } : {}),
      ratioOursOverHashWasm: env.ratio,
      cpuRatioOursOverHashWasm: env.cpuRatio,
      target: env.target,
      met: env.met,
      rangesOverlap: env.rangesOverlap,
      loadAverage: env.loadAverage,
      cpuClock: env.cpuClock,
      wrapper: env.wrapper,
      candidates: env.candidates.map((candidate) => ({
        id: candidate.id,
        label: candidate.label,
        kind: candidate.kind,
        hashes: candidate.hashes,
        mbps: candidate.mbps,
        vsHashWasm: candidate.vsHashWasm,
        cpuMbps: candidate.cpuMbps,
        cpuVsHashWasm: candidate.cpuVsHashWasm,
        milliseconds: candidate.milliseconds,
        cpuMilliseconds: candidate.cpuMilliseconds,
      })),
    })),
  };
  const files = await writeResults("hash", { json, markdown, date });
  return { markdown, files };
}
