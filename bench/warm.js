// Bench part "warm": a warm start. 1000 URLs (a hub repo of 1000 small Git LFS files) whose hashes
// were persisted on an earlier visit are resolved again after a reload (a new page on the same
// profile): ours (createCrossOriginCache() then resolveHashes(urls)) against tvmjs's
// ArtifactCrossOriginStorageCache, whose hash lookup path is its internal
// CrossOriginStorage.resolveHashDescriptor(url) (in-memory map → its persisted Cache API store
// "tvmjs-cos-hash-meta" → the LFS pointer at /raw/), which its match(), addToCache() and
// hasAllKeys() all call first; it is reached as `cache.storage.resolveHashDescriptor`, once per
// URL, all at once as its hasAllKeys() does. A second comparison runs the public hasAllKeys(urls)
// of both (both resolve every URL and then look for its bytes in COS).
//
// Setup (untimed, once): the 1000 files' bytes go into COS (the backend's own add(), readable by
// every origin); our cache resolves all 1000 (one listing of the repo revision; the records are
// persisted into its store, one entry per URL plus the one-entry snapshot of all of them, which a
// reload reads instead), then tvmjs's resolver resolves all 1000 (one /raw/ pointer request each), which
// fills its store.
// Counted per run: hub requests (hub counters, reset after the page loaded) and time in the page.
import { MiB, loadAverage, positiveIntegerFromEnv, medianCell, plural, rangeCell, roundOrder, summary, oursText, versions } from "./lib/cos-bench.js";
import { closePages, openCosWorld } from "./lib/cos-world.js";
import { writeCombined } from "./lib/combined.js";
import { machineLine } from "./lib/machine.js";
import { fixed, table, times } from "./lib/markdown.js";
import { writeResults } from "./lib/results.js";
import { verdict, verdictLine } from "./lib/verdicts.js";
import { seededBytes } from "../local-hub/index.js";

export const description = "warm start: resolve 1000 persisted URL hashes after a reload, ours vs tvmjs (requests, time)";

const FILE_COUNT = 1000;
const FILE_BYTES = 1024;
const REPO = "bench-warm/thousand";
const TARGET_REQUESTS = 0;
const TARGET_TIME = 0.2;

const OPERATIONS = [
  {
    id: "resolve",
    title: "Resolve 1000 hashes",
    call: "warmResolve",
    labels: {
      ours: "ours: resolveHashes(urls)",
      tvmjs: "tvmjs: cache.storage.resolveHashDescriptor(url) for every URL, all at once",
    },
  },
  {
    id: "hasAllKeys",
    title: "hasAllKeys over the 1000 URLs (public API of both)",
    call: "warmHasAllKeys",
    labels: { ours: "ours: hasAllKeys(urls)", tvmjs: "tvmjs: hasAllKeys(urls)" },
  },
];
const CANDIDATES = ["ours", "tvmjs"];

const modelRequests = (counters) => counters.resolve + counters.raw + counters.pathsInfo + counters.tree + counters.revision;

async function runOnce(world, { operation, candidate, urls, expected }) {
  await closePages(world.context);
  const { page, errors } = await world.openPage();
  try {
    world.hub.resetCounters();
    await world.cos.resetCounters();
    const result = await page.evaluate(([call, id, list]) => window.cosBench[call](id, list), [operation.call, candidate, urls]);
    const counters = world.hub.counters;
    if (operation.id === "resolve") {
      const wrong = result.hashes.findIndex((hash, index) => hash !== expected[index]);
      if (wrong >= 0) throw new Error(`warm ${candidate}: ${urls[wrong]} resolved to ${result.hashes[wrong]}, expected ${expected[wrong]}`);
    } else if (result.result !== true) {
      throw new Error(`warm ${candidate}: hasAllKeys answered ${result.result}`);
    }
    if (errors.length > 0) throw new Error(`warm ${candidate}: page errors: ${errors.join("; ")}`);
    const cosCounts = await world.cos.counts();
    return {
      operation: operation.id,
      candidate,
      ms: result.ms,
      createMs: result.createMs,
      modelRequests: modelRequests(counters),
      hub: { resolve: counters.resolve, raw: counters.raw, pathsInfo: counters.pathsInfo, tree: counters.tree, revision: counters.revision, static: counters.static },
      cosRequests: cosCounts.request,
      cosBytesRead: cosCounts.bytesRead,
      hits: result.stats?.hits ?? null,
    };
  } finally {
    await page.close().catch(() => {});
  }
}

function operationSummary(operation, runs) {
  const out = {};
  for (const candidate of CANDIDATES) {
    const mine = runs.filter((run) => run.operation === operation.id && run.candidate === candidate);
    out[candidate] = {
      id: candidate,
      label: operation.labels[candidate],
      ms: summary(mine.map((run) => run.ms)),
      createMs: summary(mine.map((run) => run.createMs)),
      totalMs: summary(mine.map((run) => run.ms + run.createMs)),
      modelRequests: summary(mine.map((run) => run.modelRequests)),
      maxModelRequests: Math.max(...mine.map((run) => run.modelRequests)),
      staticRequests: summary(mine.map((run) => run.hub.static)),
      cosRequests: summary(mine.map((run) => run.cosRequests)),
      cosMiBRead: summary(mine.map((run) => run.cosBytesRead / MiB)),
      runs: mine,
    };
  }
  return out;
}

function operationMarkdown(operation, result, verdicts) {
  const { ours, tvmjs } = result;
  const rows = [ours, tvmjs].map((c) => [
    c.label,
    medianCell(c.ms, 1),
    rangeCell(c.ms, 1),
    times(c.ms.median / tvmjs.ms.median, 3),
    medianCell(c.createMs, 1),
    medianCell(c.totalMs, 1),
    times(c.totalMs.median / tvmjs.totalMs.median, 3),
    `${fixed(c.modelRequests.median, 0)} (max ${c.maxModelRequests})`,
    fixed(c.staticRequests.median, 0),
    fixed(c.cosRequests.median, 0),
    fixed(c.cosMiBRead.median, 2),
  ]);
  return [
    `### ${operation.title} (${plural(ours.ms.n, "timed round")} per candidate)`,
    "",
    table(
      [
        { title: "Candidate" },
        { title: "ms median", align: "right" },
        { title: "ms min–max", align: "right" },
        { title: "× tvmjs", align: "right" },
        { title: "create ms", align: "right" },
        { title: "create + op ms", align: "right" },
        { title: "× tvmjs (create + op)", align: "right" },
        { title: "hub model requests", align: "right" },
        { title: "static requests", align: "right" },
        { title: "COS requests", align: "right" },
        { title: "COS MiB read", align: "right" },
      ],
      rows,
    ),
    "",
    ...verdicts.map((v) => `- ${verdictLine(v)}`),
  ].join("\n");
}

export async function run(context) {
  const { root, rounds, warmupRounds, log } = context;
  const date = new Date();
  const loadBefore = loadAverage();
  const world = await openCosWorld({ root, log });
  const runs = [];
  const hasAllKeysRounds = Math.min(rounds, positiveIntegerFromEnv("BENCH_WARM_HASALLKEYS_ROUNDS", 3));
  let fill;
  let urls;
  let expected;
  try {
    const files = [];
    for (let i = 0; i < FILE_COUNT; i++) {
      files.push({ path: `shards/file-${String(i).padStart(4, "0")}.bin`, size: FILE_BYTES, generate: seededBytes("bench-warm", `file-${i}`), lfs: true });
    }
    const repo = world.hub.addRepo({ id: REPO, files });
    urls = repo.files.map((file) => file.url);
    expected = [];
    for (const [i, file] of repo.files.entries()) {
      expected.push((await world.hub.fileInfo(REPO, file.path)).sha256);
      // The bytes go into COS directly (readable by every origin), as a store by either cache would leave them.
      const stored = await world.cos.add(files[i].generate(0, FILE_BYTES), { origin: world.hub.url, origins: "*" });
      if (stored.value !== expected[i]) throw new Error(`warm setup: COS stored ${file.path} as ${stored.value}, expected ${expected[i]}`);
    }

    // ---- the earlier visit: fill both persisted stores (and COS)
    await closePages(world.context);
    const setup = await world.openPage();
    const started = performance.now();
    world.hub.resetCounters();
    fill = await setup.page.evaluate((list) => window.cosBench.warmFill(list), urls);
    fill.ms = performance.now() - started;
    fill.hub = { resolve: world.hub.counters.resolve, raw: world.hub.counters.raw, pathsInfo: world.hub.counters.pathsInfo, tree: world.hub.counters.tree };
    await setup.page.close();
    for (const [name, count] of Object.entries(fill.persisted)) {
      if (count < FILE_COUNT) throw new Error(`warm setup: ${name} holds ${count} entries, expected ${FILE_COUNT}`);
    }
    for (const candidate of CANDIDATES) {
      const wrong = fill[candidate].findIndex((hash, index) => hash !== expected[index]);
      if (wrong >= 0) throw new Error(`warm setup: ${candidate} resolved ${urls[wrong]} to ${fill[candidate][wrong]}, expected ${expected[wrong]}`);
    }
    delete fill.ours;
    delete fill.tvmjs;
    log(`warm setup: both persisted stores filled in ${fixed(fill.ms / 1000, 1)} s (hub ${JSON.stringify(fill.hub)})`);

    for (let round = 0; round < warmupRounds + rounds; round++) {
      const warmup = round < warmupRounds;
      const line = [];
      // hasAllKeys (the secondary comparison, ~20 s a round here) runs in the last hasAllKeysRounds
      // timed rounds only, without a warm-up of its own.
      const timedIndex = round - warmupRounds;
      const withHasAll = timedIndex >= rounds - hasAllKeysRounds;
      for (const operation of OPERATIONS.filter((o) => o.id === "resolve" || withHasAll)) {
        for (const candidate of roundOrder(CANDIDATES, round)) {
          const measured = await runOnce(world, { operation, candidate, urls, expected });
          if (!warmup) runs.push(measured);
          line.push(`${operation.id}/${candidate} ${fixed(measured.ms, 0)} ms ${measured.modelRequests} req`);
        }
      }
      log(`warm ${warmup ? `warm-up ${round + 1}` : `round ${round - warmupRounds + 1}/${rounds}`}: ${line.join(", ")}`);
    }
  } finally {
    await world.close();
  }
  const loadAfter = loadAverage();
  const machine = await context.machine();
  const results = Object.fromEntries(OPERATIONS.map((operation) => [operation.id, operationSummary(operation, runs)]));
  const resolve = results.resolve;
  const hasAll = results.hasAllKeys;
  const verdictsByOperation = {
    resolve: [
      verdict({ part: "warm", id: "warm-requests", label: "resolve 1000 after reload: ours' hub requests (max over rounds)", value: resolve.ours.maxModelRequests, target: TARGET_REQUESTS, unit: "requests" }),
      verdict({ part: "warm", id: "warm-time", label: "resolve 1000 after reload: time, ours / tvmjs", value: resolve.ours.ms.median / resolve.tvmjs.ms.median, target: TARGET_TIME }),
    ],
    hasAllKeys: [
      verdict({ part: "warm", id: "warm-hasallkeys-requests", label: "hasAllKeys 1000 after reload: ours' hub requests (max)", value: hasAll.ours.maxModelRequests, target: TARGET_REQUESTS, unit: "requests" }),
      verdict({ part: "warm", id: "warm-hasallkeys-time", label: "hasAllKeys 1000 after reload: time, ours / tvmjs", value: hasAll.ours.ms.median / hasAll.tvmjs.ms.median, target: TARGET_TIME }),
    ],
  };
  const verdicts = [...verdictsByOperation.resolve, ...verdictsByOperation.hasAllKeys];
  const v = versions();
  const markdown = [
    `## Warm start: 1000 persisted hashes after a reload — \`node bench/run.js warm\` (${date.toISOString()})`,
    "",
    machineLine(machine),
    "",
    `What: a hub repo of ${FILE_COUNT} Git LFS files of ${FILE_BYTES} bytes. The bytes of every file are in COS, and on an earlier visit (untimed) our cache resolved every URL ` +
      `(${fill.hub.tree} listing and ${fill.hub.pathsInfo} paths-info request${fill.hub.pathsInfo === 1 ? "" : "s"}; the records persisted into \`cross-origin-cache-cos-hash-meta\`, one entry per URL plus one snapshot entry holding them all, which is what a reload reads) and tvmjs's resolver resolved every URL ` +
      `(one /raw/ pointer request each: ${fill.hub.raw}), filling \`tvmjs-cos-hash-meta\`. ` +
      `Then, in every run, a new page on the same profile (a reload) resolves all ${FILE_COUNT} URLs again. ours = ${oursText(v)}; ` +
      `tvmjs = @mlc-ai/web-runtime ${v.tvmjs} ArtifactCrossOriginStorageCache. tvmjs has no public "resolve" method: its lookup path is its internal ` +
      `\`CrossOriginStorage.resolveHashDescriptor(url)\` (in-memory map, then its persisted store, then the pointer), which \`match\`, \`addToCache\` and ` +
      `\`hasAllKeys\` call first; the first table calls it directly (\`cache.storage.resolveHashDescriptor\`) for every URL at once, as its hasAllKeys does. ` +
      `The second table compares the public \`hasAllKeys(urls)\` of both, which also looks for every file's bytes in COS.`,
    "",
    `Method: ${plural(warmupRounds, "warm-up round")}, then ${plural(rounds, "timed round")} of the resolve comparison; the hasAllKeys comparison runs in the last ` +
      `${plural(hasAllKeysRounds, "timed round")} only, without a warm-up of its own (BENCH_WARM_HASALLKEYS_ROUNDS, default 3, to bound the run time: it reads every file from COS). ` +
      `Candidates alternate order every round. ms = performance.now() around ` +
      `the operation in the page, after the cache object was created ("create ms": createCrossOriginCache() loads our wasm core, /dist/core.wasm, one static request; ` +
      `tvmjs's constructor is synchronous). Hub model requests = resolve + raw + tree listing + paths-info + revision requests the hub counted during the run (the page's own ` +
      `static files, fetched before the counters were reset, are not counted; "static requests" shows what was fetched from the page's origin during the run). ` +
      `COS requests = handle requests the COS backend saw.`,
    "",
    operationMarkdown(OPERATIONS[0], resolve, verdictsByOperation.resolve),
    "",
    operationMarkdown(OPERATIONS[1], hasAll, verdictsByOperation.hasAllKeys),
    "",
    `Noise: 1-minute load average ${fixed(loadBefore, 2)} → ${fixed(loadAfter, 2)} on ${machine.coresUsable} usable cores.`,
  ].join("\n");
  const json = {
    part: "warm",
    date: date.toISOString(),
    machine,
    versions: v,
    setup: { files: FILE_COUNT, fileBytes: FILE_BYTES, fill },
    method: {
      warmupRounds,
      rounds,
      interleaved: "ABBA",
      hasAllKeysRounds,
      reload: "a new page on the same persistent profile for every run",
      tvmjsLookup: "ArtifactCrossOriginStorageCache#storage.resolveHashDescriptor(url) (internal), Promise.all over the URLs",
    },
    loadAverage: { before: loadBefore, after: loadAfter },
    operations: Object.fromEntries(Object.entries(results).map(([id, result]) => [id, Object.values(result)])),
    verdicts,
  };
  const written = await writeResults("warm", { json, markdown, date });
  written.push(...(await writeCombined({ machine })));
  return { markdown, files: written };
}
