// Benchmark dispatcher: node bench/run.js [part...]   (no part: every part, in name order)
//
// A part is a file bench/<part>.js exporting `async function run(context)` that resolves to
// {markdown, files}: the Markdown report (printed to stdout) and the result files it wrote.
// Shared helpers live in bench/lib/. The context a part gets:
//   root          the repository root
//   rounds        timed rounds (env BENCH_ROUNDS, default 5), after warmupRounds warm-up round(s)
//   log(message)  progress on stderr (stdout carries only the Markdown reports)
//   browser()     the shared headless Chromium + static server on the repository, started on
//                 first use and closed by this dispatcher at the end, also on error or signal
//   machine()     the machine description (CPU, cores, Node, Chromium version)
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CHROMIUM_PATH, openBrowser } from "./lib/browser.js";
import { chromiumVersionOf, describeMachine } from "./lib/machine.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, "..");
const DEFAULT_ROUNDS = 5;

async function availableParts() {
  const entries = await readdir(BENCH_DIR, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /^[a-z][a-z0-9-]*\.js$/.test(entry.name) && entry.name !== "run.js")
    .map((entry) => entry.name.slice(0, -".js".length))
    .sort();
}

function roundsFromEnvironment() {
  const raw = process.env.BENCH_ROUNDS;
  if (raw === undefined || raw === "") return DEFAULT_ROUNDS;
  const rounds = Number(raw);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_ROUNDS must be a positive integer, got ${JSON.stringify(raw)}`);
  return rounds;
}

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(args) {
  const available = await availableParts();
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`usage: node bench/run.js [part...]\nparts: ${available.join(", ") || "(none)"}\nenv: BENCH_ROUNDS (default ${DEFAULT_ROUNDS})\n`);
    return;
  }
  const parts = args.length > 0 ? [...new Set(args)] : available;
  const unknown = parts.filter((part) => !available.includes(part));
  if (unknown.length > 0) throw new Error(`unknown bench part(s): ${unknown.join(", ")} (available: ${available.join(", ") || "none"})`);
  if (parts.length === 0) throw new Error("no bench parts found in bench/");

  const rounds = roundsFromEnvironment();
  if (rounds < DEFAULT_ROUNDS) log(`note: BENCH_ROUNDS=${rounds} is below the usual ${DEFAULT_ROUNDS} rounds`);

  let browser; // a promise, once a part asked for it
  const cleanup = async () => {
    if (!browser) return;
    const opened = await browser.catch(() => null);
    await opened?.close();
  };
  const onSignal = (signal, code) => {
    log(`${signal}: closing the browser and server`);
    cleanup().finally(() => process.exit(code));
  };
  process.once("SIGINT", () => onSignal("SIGINT", 130));
  process.once("SIGTERM", () => onSignal("SIGTERM", 143));

  const context = {
    root: ROOT,
    rounds,
    warmupRounds: 1,
    log,
    browser() {
      browser ??= openBrowser({ root: ROOT, log });
      return browser;
    },
    async machine() {
      const opened = browser ? await browser.catch(() => null) : null;
      return describeMachine({ chromium: opened?.version ?? (await chromiumVersionOf(CHROMIUM_PATH)) });
    },
  };

  const started = performance.now();
  try {
    for (const part of parts) {
      const module = await import(pathToFileURL(path.join(BENCH_DIR, `${part}.js`)).href);
      if (typeof module.run !== "function") throw new Error(`bench/${part}.js does not export an async function run(context)`);
      log(`part ${part}${module.description ? `: ${module.description}` : ""}`);
      const result = await module.run({ ...context, part });
      if (result?.markdown) process.stdout.write(`${result.markdown.trimEnd()}\n\n`);
      for (const file of result?.files ?? []) log(`wrote ${path.relative(ROOT, file)}`);
    }
  } finally {
    await cleanup();
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`bench: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
