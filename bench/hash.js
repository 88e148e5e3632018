// Bench part "hash": SHA-256 throughput of ours (the wasm core behind createSha256) against
// hash-wasm, node:crypto and WebCrypto, in Node and in headless Chromium.
//
// Data: 16 distinct 1 MiB chunks of random bytes, generated once and cycled 256 times, i.e.
// 256 MiB hashed per candidate per round without allocating 256 MiB per streaming candidate; the
// one-shot crypto.subtle.digest candidate gets one 256 MiB buffer holding that same stream, built
// once outside the timing. Every candidate must produce the same digest in every round (the one
// node:crypto gives for the stream before timing starts), in Node and Chromium alike.
import { createHash, randomBytes, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSHA256 } from "hash-wasm";
import { createSha256, loadCore } from "../js/index.js";
import { describeCandidates, hashCandidates, runRound } from "./lib/hash-candidates.js";
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
  const expected = candidates.map((candidate) => candidate.id).join(",");
  const got = results.map((result) => result.id).join(",");
  if (got !== expected) throw new Error(`${environment} ${roundLabel}: ran candidates ${got}, expected ${expected}`);
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

/** Warm-up round(s), then `rounds` timed rounds of runOnce(); digests checked in every round. */
async function measure({ environment, candidates, runOnce, reference, rounds, warmupRounds, log }) {
  const milliseconds = Object.fromEntries(candidates.map((candidate) => [candidate.id, []]));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    const warmup = round < warmupRounds;
    const roundLabel = warmup ? `warm-up ${round + 1}` : `round ${round - warmupRounds + 1}/${rounds}`;
    const results = await runOnce();
    checkRound(environment, roundLabel, results, candidates, reference);
    if (!warmup) for (const result of results) milliseconds[result.id].push(result.ms);
    const speeds = results.map((result) => `${result.id} ${fixed(megabytesPerSecond(TOTAL_BYTES, result.ms), 0)}`).join(", ");
    log(`${environment} ${roundLabel} (MB/s): ${speeds}`);
  }
  const summaries = candidates.map((candidate) => ({
    ...candidate,
    milliseconds: milliseconds[candidate.id],
    mbps: summarize(milliseconds[candidate.id].map((ms) => megabytesPerSecond(TOTAL_BYTES, ms))),
  }));
  const median = (id) => summaries.find((summary) => summary.id === id)?.mbps.median;
  for (const summary of summaries) summary.vsHashWasm = summary.mbps.median / median("hash-wasm");
  const ratio = median("ours") / median("hash-wasm");
  const copyShare = median("copy-only") ? median("ours") / median("copy-only") : null;
  return {
    environment,
    candidates: summaries,
    ratio,
    target: TARGET_RATIO,
    met: ratio >= TARGET_RATIO,
    wrapper: {
      oursOverCoreDirect: median("ours") / median("core-direct"),
      copyShareOfOursTime: copyShare,
    },
  };
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
    runOnce: () => runRound(candidates, () => performance.now()),
    reference: data.reference,
    rounds,
    warmupRounds,
    log,
  });
  return { ...result, title: `Node ${process.version}` };
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
    log(`chromium page: ${info.candidates.length} candidates, ${warmupRounds} warm-up + ${rounds} rounds`);
    const result = await measure({
      environment: "Chromium",
      candidates: info.candidates,
      runOnce: () => page.evaluate(() => window.hashBench.round()),
      reference: data.reference,
      rounds,
      warmupRounds,
      log,
    });
    return { ...result, title: `Chromium ${web.version} (headless)`, userAgent: info.userAgent };
  } finally {
    await page.close().catch(() => {});
  }
}

function environmentMarkdown(env) {
  const rows = env.candidates.map((candidate) => [
    candidate.kind === "diagnostic" ? `*${candidate.label}*` : candidate.label,
    fixed(candidate.mbps.median),
    `${fixed(candidate.mbps.min)}–${fixed(candidate.mbps.max)}`,
    candidate.hashes === false ? "—" : times(candidate.vsHashWasm),
  ]);
  const columns = [
    { title: "Candidate" },
    { title: "MB/s median", align: "right" },
    { title: "MB/s min–max", align: "right" },
    { title: "× hash-wasm", align: "right" },
  ];
  const verdict = env.met ? "MET" : `MISSED (ours is ${fixed((1 - env.ratio) * 100)}% slower than hash-wasm)`;
  const { oursOverCoreDirect, copyShareOfOursTime } = env.wrapper;
  return [
    `### ${env.title}`,
    "",
    table(columns, rows),
    "",
    `ours / hash-wasm = **${times(env.ratio, 3)}** (median MB/s over median MB/s) — target ≥ ${fixed(env.target, 1)}× hash-wasm: **${verdict}**`,
    "",
    `JS wrapper check: createSha256 runs at ${times(oursOverCoreDirect, 3)} the speed of calling the core directly; ` +
      `the copies into the core's scratch buffer alone take ${fixed(copyShareOfOursTime * 100)}% of ours' time (medians).`,
  ].join("\n");
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
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
      `MB/s = 10^6 bytes/s; median and min–max over the timed rounds. ours = cross-origin-cache ${versions.ours} (dist/core.wasm), hash-wasm ${versions.hashWasm}. ` +
      `Rows in italics are diagnostics, not contenders.`,
    "",
    ...environments.flatMap((env) => [environmentMarkdown(env), ""]),
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
    method: { warmupRounds, rounds, interleaved: true, unit: "MB/s = 1e6 bytes per second", ratio: "median(ours MB/s) / median(hash-wasm MB/s)" },
    environments: environments.map((env) => ({
      environment: env.environment,
      title: env.title,
      ...(env.userAgent ? { userAgent: env.userAgent } : {}),
      ratioOursOverHashWasm: env.ratio,
      target: env.target,
      met: env.met,
      wrapper: env.wrapper,
      candidates: env.candidates.map(({ id, label, kind, hashes, milliseconds, mbps, vsHashWasm }) => ({
        id,
        label,
        kind,
        hashes,
        mbps,
        vsHashWasm: hashes ? vsHashWasm : null,
        milliseconds,
      })),
    })),
  };
  const files = await writeResults("hash", { json, markdown, date });
  return { markdown, files };
}
