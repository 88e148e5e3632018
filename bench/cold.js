// Bench part "cold": a cold start of a whole model repo — 100 Git LFS shards and 5 non-LFS JSON
// files — loaded in Chromium with a COS manager present and nothing stored anywhere (empty COS
// backend, Cache API cleared, a URL never seen before), the way web-llm loads a model through
// tvmjs: fetchWithCache(json, "json") of each config file, then tvmjs's own
// Instance.prototype.fetchTensorCache (tensor-cache.json, hasAllKeys over the shards, addToCache of
// every shard 4 at a time, fetchWithCache of every shard). The artifact cache is ours
// (createCrossOriginCache()) or tvmjs's ArtifactCrossOriginStorageCache. A diagnostic row loads the
// same files with ours asking for all of them at once (Promise.all of fetchWithCache).
//
// Counted from the hub (counters and its request log): resolution requests (tree listings +
// paths-info requests + /raw/ pointer requests), bytes by kind, and how often each non-LFS file's body was downloaded
// whole (from /resolve/ or, for tvmjs's pointer probe, from /raw/, which serves a non-LFS file's
// content).
import { createHash } from "node:crypto";
import { seededBytes } from "../local-hub/index.js";
import { MiB, loadAverage, medianCell, plural, rangeCell, roundOrder, summary, oursText, versions } from "./lib/cos-bench.js";
import { closePages, openCosWorld } from "./lib/cos-world.js";
import { writeCombined } from "./lib/combined.js";
import { machineLine } from "./lib/machine.js";
import { fixed, table, times } from "./lib/markdown.js";
import { writeResults } from "./lib/results.js";
import { verdict, verdictLine } from "./lib/verdicts.js";

export const description = "cold start of a 100-shard + 5-JSON repo: resolution requests and bytes by kind, ours vs tvmjs";

const SHARDS = 100;
const SHARD_BYTES = 128 * 1024;
const TARGET_RESOLUTION_REQUESTS = 1;
const TARGET_NON_LFS_DOWNLOADS = 1;

const CANDIDATES = [
  { id: "ours", candidate: "ours", mode: "web-llm", label: "ours as tvmjs's artifactCache (web-llm order)" },
  { id: "tvmjs", candidate: "tvmjs", mode: "web-llm", label: "tvmjs: ArtifactCrossOriginStorageCache (web-llm order)" },
];
const DIAGNOSTICS = [{ id: "ours-all-at-once", candidate: "ours", mode: "all-at-once", label: "diag: ours, fetchWithCache of all 105 URLs at once", diagnostic: true }];

/** The repo's files: 100 generated LFS shards (hash given) and 5 JSON files (non-LFS). */
function repoFiles(shardHashes, shardGenerators) {
  const files = [];
  const records = [];
  for (let i = 0; i < SHARDS; i++) {
    const name = `params_shard_${i}.bin`;
    files.push({ path: name, size: SHARD_BYTES, generate: shardGenerators[i], sha256: shardHashes[i], lfs: true });
    records.push({ dataPath: name, format: "raw-shard", nbytes: SHARD_BYTES, records: [] });
  }
  const tensorCache = { metadata: { ParamSize: SHARDS, ParamBytes: SHARDS * SHARD_BYTES, BitsPerParam: 4 }, records };
  const chatConfig = {
    model_type: "llama",
    quantization: "q4f16_1",
    context_window_size: 4096,
    vocab_size: 32000,
    conv_template: { name: "bench", system_message: "You are a benchmark.", roles: { user: "user", assistant: "assistant" } },
    tokenizer_files: ["tokenizer.json", "tokenizer_config.json"],
  };
  const random = seededBytes("bench-cold", "vocab");
  const vocab = {};
  for (let i = 0; Object.keys(vocab).length < 4000; i++) {
    const bytes = random(i * 8, 8);
    let token = "";
    for (let j = 0; j < 2 + (bytes[0] % 6); j++) token += String.fromCharCode(97 + (bytes[j + 1] % 26));
    vocab[token] ??= Object.keys(vocab).length;
  }
  const tokenizer = { version: "1.0", model: { type: "BPE", vocab, merges: [] }, added_tokens: [] };
  files.push(
    { path: "tensor-cache.json", bytes: JSON.stringify(tensorCache) },
    { path: "mlc-chat-config.json", bytes: JSON.stringify(chatConfig, null, 2) },
    { path: "tokenizer.json", bytes: JSON.stringify(tokenizer) },
    { path: "tokenizer_config.json", bytes: JSON.stringify({ tokenizer_class: "LlamaTokenizer", model_max_length: 4096 }, null, 2) },
    { path: "config.json", bytes: JSON.stringify({ architectures: ["LlamaForCausalLM"], hidden_size: 2048, num_hidden_layers: 16 }, null, 2) },
  );
  return files;
}

const JSON_FILES = ["mlc-chat-config.json", "tokenizer.json", "tokenizer_config.json", "config.json", "tensor-cache.json"];

function analyseLog(log, describe) {
  const sizes = new Map(describe.files.map((file) => [file.path, file]));
  const perFile = new Map();
  for (const entry of log) {
    if ((entry.kind !== "resolve" && entry.kind !== "raw") || !entry.path || !sizes.has(entry.path)) continue;
    const file = sizes.get(entry.path);
    const stat = perFile.get(entry.path) ?? { resolve: 0, raw: 0, bodyDownloads: 0, bytes: 0 };
    stat[entry.kind]++;
    stat.bytes += entry.bytes;
    // A whole body: /resolve/ always serves the content; /raw/ serves it for a non-LFS file.
    if (entry.bytes === file.size && (entry.kind === "resolve" || !file.lfs)) stat.bodyDownloads++;
    perFile.set(entry.path, stat);
  }
  const nonLfs = describe.files.filter((file) => !file.lfs);
  const lfs = describe.files.filter((file) => file.lfs);
  const downloadsOf = (file) => perFile.get(file.path)?.bodyDownloads ?? 0;
  return {
    nonLfs: Object.fromEntries(nonLfs.map((file) => [file.path, { size: file.size, ...(perFile.get(file.path) ?? {}) }])),
    maxNonLfsDownloads: Math.max(...nonLfs.map(downloadsOf)),
    nonLfsDownloadedTwice: nonLfs.filter((file) => downloadsOf(file) > 1).map((file) => file.path),
    nonLfsBodyBytes: nonLfs.reduce((sum, file) => sum + (perFile.get(file.path)?.bytes ?? 0), 0),
    nonLfsBytesOnce: nonLfs.reduce((sum, file) => sum + file.size, 0),
    maxLfsDownloads: Math.max(...lfs.map(downloadsOf)),
    lfsMissing: lfs.filter((file) => downloadsOf(file) === 0).length,
  };
}

async function loadOnce(world, { entry, tag, shardHashes, shardGenerators }) {
  await closePages(world.context);
  await world.resetCos();
  const repo = world.hub.addRepo({ id: `bench-cold/${tag}`, files: repoFiles(shardHashes, shardGenerators) });
  const base = repo.files[0].url.slice(0, repo.files[0].url.lastIndexOf("/") + 1);
  const shardUrls = repo.files.filter((file) => file.lfs).map((file) => file.url);
  const { page, errors } = await world.openPage();
  try {
    await page.evaluate(() => window.cosBench.clearCaches());
    world.hub.resetCounters();
    const result = await page.evaluate(
      ([candidate, options]) => window.cosBench.coldLoad(candidate, options),
      [entry.candidate, { base, jsonFiles: JSON_FILES, shardUrls, mode: entry.mode }],
    );
    if (errors.length > 0) throw new Error(`cold ${entry.id}: page errors: ${errors.join("; ")}`);
    const counters = world.hub.counters;
    const cosCounts = await world.cos.counts();
    const analysis = analyseLog(world.hub.log, repo);
    if (analysis.lfsMissing > 0) throw new Error(`cold ${entry.id}: ${analysis.lfsMissing} shards were never downloaded`);
    return {
      id: entry.id,
      ms: result.ms,
      resolutionRequests: counters.tree + counters.pathsInfo + counters.raw,
      tree: counters.tree,
      pathsInfo: counters.pathsInfo,
      raw: counters.raw,
      resolve: counters.resolve,
      bytes: { ...counters.bytes },
      downloadedBytes: counters.bytes.resolve + counters.bytes.raw + counters.bytes.pathsInfo + counters.bytes.tree,
      cosCreated: cosCounts.created,
      cosBytesRead: cosCounts.bytesRead,
      ...analysis,
      stats: result.stats,
    };
  } finally {
    await page.close().catch(() => {});
  }
}

function summarizeEntry(entry, runs) {
  const mine = runs.filter((run) => run.id === entry.id);
  const s = (pick) => summary(mine.map(pick));
  return {
    id: entry.id,
    label: entry.label,
    diagnostic: Boolean(entry.diagnostic),
    ms: s((run) => run.ms),
    resolutionRequests: s((run) => run.resolutionRequests),
    maxResolutionRequests: Math.max(...mine.map((run) => run.resolutionRequests)),
    tree: s((run) => run.tree),
    pathsInfo: s((run) => run.pathsInfo),
    raw: s((run) => run.raw),
    resolve: s((run) => run.resolve),
    bytesResolveMiB: s((run) => run.bytes.resolve / MiB),
    bytesRaw: s((run) => run.bytes.raw),
    bytesPathsInfo: s((run) => run.bytes.pathsInfo),
    bytesTree: s((run) => run.bytes.tree),
    downloadedMiB: s((run) => run.downloadedBytes / MiB),
    nonLfsBodyBytes: s((run) => run.nonLfsBodyBytes),
    nonLfsBytesOnce: mine[0]?.nonLfsBytesOnce ?? null,
    maxNonLfsDownloads: Math.max(...mine.map((run) => run.maxNonLfsDownloads)),
    nonLfsDownloadedTwice: [...new Set(mine.flatMap((run) => run.nonLfsDownloadedTwice))],
    maxLfsDownloads: Math.max(...mine.map((run) => run.maxLfsDownloads)),
    cosCreated: s((run) => run.cosCreated),
    cosMiBRead: s((run) => run.cosBytesRead / MiB),
    runs: mine,
  };
}

export async function run(context) {
  const { root, rounds, warmupRounds, log } = context;
  const date = new Date();
  const diagnostics = process.env.BENCH_COLD_DIAGNOSTICS !== "0";
  const entries = [...CANDIDATES, ...(diagnostics ? DIAGNOSTICS : [])];
  const shardGenerators = [];
  const shardHashes = [];
  for (let i = 0; i < SHARDS; i++) {
    const generate = seededBytes("bench-cold", `shard-${i}`);
    shardGenerators.push(generate);
    shardHashes.push(createHash("sha256").update(generate(0, SHARD_BYTES)).digest("hex"));
  }
  const loadBefore = loadAverage();
  const world = await openCosWorld({ root, log });
  const runs = [];
  try {
    for (let round = 0; round < warmupRounds + rounds; round++) {
      const warmup = round < warmupRounds;
      const line = [];
      // The diagnostic's counts are deterministic: it runs once, in the last round.
      const last = round === warmupRounds + rounds - 1;
      const order = [...roundOrder(CANDIDATES, round), ...(diagnostics && last ? DIAGNOSTICS : [])];
      for (const entry of order) {
        const measured = await loadOnce(world, { entry, tag: `r${round}-${entry.id}`, shardHashes, shardGenerators });
        if (!warmup) runs.push(measured);
        line.push(`${entry.id} ${fixed(measured.ms, 0)} ms ${measured.resolutionRequests} res.req ${fixed(measured.downloadedBytes / MiB, 1)} MiB`);
      }
      log(`cold ${warmup ? `warm-up ${round + 1}` : `round ${round - warmupRounds + 1}/${rounds}`}: ${line.join(", ")}`);
    }
  } finally {
    await world.close();
  }
  const loadAfter = loadAverage();
  const machine = await context.machine();
  const results = entries.map((entry) => summarizeEntry(entry, runs));
  const ours = results.find((r) => r.id === "ours");
  const tvmjs = results.find((r) => r.id === "tvmjs");
  const verdicts = [
    verdict({
      part: "cold",
      id: "cold-resolution-requests",
      label: "resolution requests per repo revision, ours (max over rounds)",
      value: ours.maxResolutionRequests,
      target: TARGET_RESOLUTION_REQUESTS,
      unit: "requests",
      note: `tvmjs: ${tvmjs.maxResolutionRequests}`,
    }),
    verdict({
      part: "cold",
      id: "cold-non-lfs-twice",
      label: "downloads of a non-LFS body, ours (most for any file, any round)",
      value: ours.maxNonLfsDownloads,
      target: TARGET_NON_LFS_DOWNLOADS,
      unit: "downloads",
      note: `tvmjs: ${tvmjs.maxNonLfsDownloads}`,
    }),
  ];
  const v = versions();
  const rows = results.map((r) => [
    r.diagnostic ? `*${r.label}*` : r.label,
    medianCell(r.ms, 0),
    rangeCell(r.ms, 0),
    times(r.ms.median / tvmjs.ms.median),
    `${fixed(r.resolutionRequests.median, 0)} (max ${r.maxResolutionRequests})`,
    fixed(r.tree.median, 0),
    fixed(r.pathsInfo.median, 0),
    fixed(r.raw.median, 0),
    fixed(r.resolve.median, 0),
    fixed(r.bytesResolveMiB.median, 2),
    fixed(r.bytesRaw.median, 0),
    fixed(r.bytesTree.median, 0),
    fixed(r.bytesPathsInfo.median, 0),
    `${fixed(r.nonLfsBodyBytes.median, 0)} / ${r.nonLfsBytesOnce}`,
    `${r.maxNonLfsDownloads}${r.nonLfsDownloadedTwice.length ? ` (${r.nonLfsDownloadedTwice.join(", ")})` : ""}`,
    fixed(r.cosCreated.median, 0),
  ]);
  const markdown = [
    `## Cold start of a ${SHARDS + JSON_FILES.length}-file repo — \`node bench/run.js cold\` (${date.toISOString()})`,
    "",
    machineLine(machine),
    "",
    `What: one repo revision on the local hub with ${SHARDS} Git LFS shards of ${SHARD_BYTES / 1024} KiB and ${JSON_FILES.length} non-LFS JSON files ` +
      `(${JSON_FILES.join(", ")}), loaded in Chromium with the COS polyfill present and nothing stored (empty COS backend, Cache API cleared, URLs never seen). ` +
      `Loading = web-llm's order: fetchWithCache(json, "json") of the 4 config files, then tvmjs's own Instance.prototype.fetchTensorCache (tensor-cache.json, ` +
      `hasAllKeys over the shards, addToCache of every shard 4 at a time, fetchWithCache of every shard) on a stand-in instance (no GPU/TVM runtime; the shards' ` +
      `records are empty, so no tensor is created), with the candidate as the artifact cache. ours = ${oursText(v)}; tvmjs = @mlc-ai/web-runtime ${v.tvmjs}.`,
    "",
    `Method: ${plural(warmupRounds, "warm-up round")}, then ${plural(rounds, "timed round")}, a new repo, an empty COS backend and a new page per run; ` +
      `candidates alternate order every round (the diagnostic runs once, after the candidates in the last round). Resolution requests = tree listings + paths-info + /raw/ requests; "resolve" = /resolve/ (body) requests; ` +
      `bytes are what the hub wrote per kind; "non-LFS bytes" = bytes of the 5 JSON files served from /resolve/ or /raw/ (vs one copy of each); ` +
      `"most downloads of a non-LFS body" counts whole-body transfers of the same file (tvmjs's pointer probe at /raw/ gets a non-LFS file's whole content). ` +
      `Times are medians over the timed rounds (performance.now in the page; no target, shown for context).`,
    "",
    table(
      [
        { title: "Loader" },
        { title: "ms median", align: "right" },
        { title: "ms min–max", align: "right" },
        { title: "× tvmjs", align: "right" },
        { title: "resolution requests", align: "right" },
        { title: "listing", align: "right" },
        { title: "paths-info", align: "right" },
        { title: "raw", align: "right" },
        { title: "resolve", align: "right" },
        { title: "MiB via /resolve/", align: "right" },
        { title: "bytes via /raw/", align: "right" },
        { title: "bytes via listing", align: "right" },
        { title: "bytes via paths-info", align: "right" },
        { title: "non-LFS bytes / one copy", align: "right" },
        { title: "most downloads of a non-LFS body", align: "right" },
        { title: "COS entries created", align: "right" },
      ],
      rows,
    ),
    "",
    ...verdicts.map((x) => `- ${verdictLine(x)}`),
    "",
    `Noise: 1-minute load average ${fixed(loadBefore, 2)} → ${fixed(loadAfter, 2)} on ${machine.coresUsable} usable cores.`,
  ].join("\n");
  const json = {
    part: "cold",
    date: date.toISOString(),
    machine,
    versions: v,
    repo: { shards: SHARDS, shardBytes: SHARD_BYTES, jsonFiles: JSON_FILES },
    method: { warmupRounds, rounds, interleaved: "ABBA; the diagnostic once, in the last round", freshState: "new repo, empty COS backend, Cache API cleared, new page per run" },
    loadAverage: { before: loadBefore, after: loadAfter },
    loaders: results,
    verdicts,
  };
  const files = await writeResults("cold", { json, markdown, date });
  files.push(...(await writeCombined({ machine })));
  return { markdown, files };
}
