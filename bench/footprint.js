// Bench part "footprint": what the package costs to ship and to start — the wasm core's size (raw,
// gzip, brotli), the JS glue's size (dist/core.js + js/*.js), and the time of the first
// `await loadCore()` (fetch/read + compile + instantiate of dist/core.wasm) in a fresh Node process
// per round and on a fresh Chromium page per round.
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { loadAverage, medianCell, plural, rangeCell, summary, oursText, versions } from "./lib/cos-bench.js";
import { writeCombined } from "./lib/combined.js";
import { machineLine } from "./lib/machine.js";
import { fixed, table } from "./lib/markdown.js";
import { writeResults } from "./lib/results.js";
import { verdict, verdictLine } from "./lib/verdicts.js";

export const description = "footprint: wasm and JS glue sizes (raw, gzip), loadCore() time in fresh Node processes and Chromium pages";

const TARGET_GZIP_KB = 60; // KB = 1000 bytes
const TARGET_INSTANTIATE_MS = 20;
const PAGE_PATH = "/bench/page/footprint.html";

const gzipBytes = (bytes, level) => gzipSync(bytes, { level }).byteLength;
const brotliBytes = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength;

function sizes(bytes) {
  return { raw: bytes.byteLength, gzip6: gzipBytes(bytes, 6), gzip9: gzipBytes(bytes, 9), brotli11: brotliBytes(bytes) };
}

async function measureSizes(root) {
  const wasm = await readFile(path.join(root, "dist/core.wasm"));
  const glueFiles = ["dist/core.js", ...(await readdir(path.join(root, "js"))).filter((name) => name.endsWith(".js")).sort().map((name) => `js/${name}`)];
  const perFile = [];
  for (const file of glueFiles) perFile.push({ file, ...sizes(await readFile(path.join(root, file))) });
  const concatenated = Buffer.concat(await Promise.all(glueFiles.map((file) => readFile(path.join(root, file)))));
  const sum = (key) => perFile.reduce((total, entry) => total + entry[key], 0);
  return {
    wasm: sizes(wasm),
    glue: {
      files: perFile,
      sumOfFiles: { raw: sum("raw"), gzip6: sum("gzip6"), gzip9: sum("gzip9"), brotli11: sum("brotli11") },
      concatenated: sizes(concatenated),
    },
  };
}

// A fresh Node process: import the package, then time the first loadCore().
const NODE_PROGRAM = [
  "const started = performance.now();",
  "const m = await import(process.argv[1]);",
  "const imported = performance.now();",
  "const core = await m.loadCore();",
  "const ms = performance.now() - imported;",
  "if (typeof core.Resolver !== 'function') throw new Error('loadCore() gave no core');",
  "process.stdout.write(JSON.stringify({ ms, importMs: imported - started }));",
].join("\n");

function nodeOnce(root) {
  const entry = pathToFileURL(path.join(root, "js/index.js")).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", NODE_PROGRAM, entry], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`footprint: node exited with ${code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`footprint: node printed ${JSON.stringify(out)}`));
      }
    });
  });
}

async function chromiumOnce(web, call = "instantiate") {
  const page = await web.newPage();
  try {
    const response = await page.goto(web.server.url(PAGE_PATH));
    if (!response?.ok()) throw new Error(`footprint: ${PAGE_PATH} answered ${response?.status()}`);
    await page.waitForFunction(() => window.footprintBench !== undefined, null, { timeout: 30_000 });
    return await page.evaluate((name) => window.footprintBench[name](), call);
  } finally {
    await page.close().catch(() => {});
  }
}

const kb = (bytes) => fixed(bytes / 1000, 1);
const kib = (bytes) => fixed(bytes / 1024, 1);

export async function run(context) {
  const { root, rounds, warmupRounds, log } = context;
  const date = new Date();
  const loadBefore = loadAverage();
  const measuredSizes = await measureSizes(root);
  log(`footprint: core.wasm ${measuredSizes.wasm.raw} B raw, ${measuredSizes.wasm.gzip9} B gzip -9`);
  const web = await context.browser();
  const samples = { node: [], chromium: [], nodeImport: [], chromiumWasmTransfer: [], chromiumFromBytes: [] };
  for (let round = 0; round < warmupRounds + rounds; round++) {
    const warmup = round < warmupRounds;
    // Interleaved: one fresh Node process, then one fresh Chromium page, every round.
    const node = await nodeOnce(root);
    const chromium = await chromiumOnce(web);
    const fromBytes = await chromiumOnce(web, "instantiateFromBytes");
    if (!warmup) {
      samples.chromiumFromBytes.push(fromBytes.ms);
      samples.node.push(node.ms);
      samples.nodeImport.push(node.importMs);
      samples.chromium.push(chromium.ms);
      if (chromium.wasmTransferMs !== null) samples.chromiumWasmTransfer.push(chromium.wasmTransferMs);
    }
    log(`footprint ${warmup ? `warm-up ${round + 1}` : `round ${round - warmupRounds + 1}/${rounds}`}: node loadCore ${fixed(node.ms, 1)} ms, chromium loadCore ${fixed(chromium.ms, 1)} ms (from bytes ${fixed(fromBytes.ms, 1)} ms)`);
  }
  const loadAfter = loadAverage();
  const machine = await context.machine();
  const instantiate = {
    node: summary(samples.node),
    nodeImport: summary(samples.nodeImport),
    chromium: summary(samples.chromium),
    chromiumWasmTransfer: summary(samples.chromiumWasmTransfer),
    chromiumFromBytes: summary(samples.chromiumFromBytes),
  };
  const verdicts = [
    verdict({ part: "footprint", id: "footprint-wasm-gzip", label: "core.wasm gzipped (gzip -9)", value: measuredSizes.wasm.gzip9 / 1000, target: TARGET_GZIP_KB, unit: "KB" }),
    verdict({ part: "footprint", id: "footprint-instantiate-node", label: "loadCore() in a fresh Node process (median)", value: instantiate.node.median, target: TARGET_INSTANTIATE_MS, unit: "ms" }),
    verdict({ part: "footprint", id: "footprint-instantiate-chromium", label: "loadCore() on a fresh Chromium page (median)", value: instantiate.chromium.median, target: TARGET_INSTANTIATE_MS, unit: "ms" }),
  ];
  const sizeRow = (name, s) => [name, s.raw, kb(s.raw), kb(s.gzip6), kb(s.gzip9), kb(s.brotli11), kib(s.gzip9)];
  const v = versions();
  const markdown = [
    `## Footprint — \`node bench/run.js footprint\` (${date.toISOString()})`,
    "",
    machineLine(machine),
    "",
    `Sizes of ${oursText(v)} (KB = 1000 bytes; gzip via node:zlib at levels 6 — the usual server default — and 9; brotli at quality 11). ` +
      `The JS glue is dist/core.js (Emscripten's loader) plus every js/*.js file (what the package ships besides the wasm and README).`,
    "",
    table(
      [
        { title: "What" },
        { title: "bytes", align: "right" },
        { title: "KB raw", align: "right" },
        { title: "KB gzip -6", align: "right" },
        { title: "KB gzip -9", align: "right" },
        { title: "KB brotli", align: "right" },
        { title: "KiB gzip -9", align: "right" },
      ],
      [
        sizeRow("dist/core.wasm", measuredSizes.wasm),
        sizeRow("JS glue, sum of the files gzipped one by one", measuredSizes.glue.sumOfFiles),
        sizeRow("JS glue, concatenated then gzipped", measuredSizes.glue.concatenated),
        ...measuredSizes.glue.files.map((file) => sizeRow(`*${file.file}*`, file)),
      ],
    ),
    "",
    `Instantiation: ${plural(warmupRounds, "warm-up round")}, then ${plural(rounds, "timed round")}, interleaving Node and Chromium. Node: a fresh \`node\` process ` +
      `per round imports js/index.js, then performance.now() around the first \`await loadCore()\` (reads dist/core.wasm from disk, compiles, instantiates). ` +
      `Chromium: a fresh page per round (served by the bench's static server, Cache-Control: no-store, so no cached compiled code) imports /js/index.js, then ` +
      `performance.now() around the first \`await loadCore()\` (fetches dist/core.wasm, compiles, instantiates). Rows in italics are diagnostics, not targets.`,
    "",
    table(
      [{ title: "Where" }, { title: "ms median", align: "right" }, { title: "ms min–max", align: "right" }],
      [
        ["Node: first loadCore() in a fresh process", medianCell(instantiate.node, 1), rangeCell(instantiate.node, 1)],
        ["*Node: import of js/index.js before it (not part of the target)*", medianCell(instantiate.nodeImport, 1), rangeCell(instantiate.nodeImport, 1)],
        ["Chromium: first loadCore() on a fresh page", medianCell(instantiate.chromium, 1), rangeCell(instantiate.chromium, 1)],
        ["*Chromium: of which the core.wasm fetch (Resource Timing)*", medianCell(instantiate.chromiumWasmTransfer, 1), rangeCell(instantiate.chromiumWasmTransfer, 1)],
        ["*Chromium: loadCore({wasmBinary}) with the bytes fetched beforehand (compile + instantiate only; another fresh page)*", medianCell(instantiate.chromiumFromBytes, 1), rangeCell(instantiate.chromiumFromBytes, 1)],
      ],
    ),
    "",
    ...verdicts.map((x) => `- ${verdictLine(x)}`),
    "",
    `Noise: 1-minute load average ${fixed(loadBefore, 2)} → ${fixed(loadAfter, 2)} on ${machine.coresUsable} usable cores.`,
  ].join("\n");
  const json = {
    part: "footprint",
    date: date.toISOString(),
    machine,
    versions: v,
    units: { sizes: "bytes", KB: 1000 },
    sizes: measuredSizes,
    method: { warmupRounds, rounds, interleaved: "node, chromium per round", node: "fresh process per round", chromium: "fresh page per round" },
    instantiate,
    samples,
    loadAverage: { before: loadBefore, after: loadAfter },
    verdicts,
  };
  const files = await writeResults("footprint", { json, markdown, date });
  files.push(...(await writeCombined({ machine })));
  return { markdown, files };
}
