// Bundled apps: tests/clients/bundler-app (a copy in a temp folder, with the packed tarball of this
// repo installed as its dependency) is built with Vite and with esbuild, each build is served on
// localhost beside the hub, and Chromium runs it: the app hashes a known string with `sha256` and
// loads one model file through `createCrossOriginCache`.
//
// Vite copies dist/core.wasm by itself. esbuild does not: without help the app fails; the test checks
// the two recipes that work (pass `wasmUrl` to a copied core.wasm, or `--loader:.wasm=file`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { launchBrowser, startSite } from "../support/browser.js";
import { REPO_ROOT, binPath, describeRun, runNode } from "../support/client-run.js";
import { installTarball, packRepo } from "../support/client-pack.js";
import { sha256Hex } from "../support/test-data.js";

const FIXTURE = path.join(REPO_ROOT, "tests/clients/bundler-app");
const SAMPLE = "cross-origin-cache in a bundled app";
const SAMPLE_HASH = sha256Hex(SAMPLE);
const VITE = binPath("vite", "bin/vite.js");
const ESBUILD = binPath("esbuild", "bin/esbuild");

let work;
let app;
let site;
let browser;
const outDirs = {};

function out(name) {
  outDirs[name] = path.join(work, "out", name);
  mkdirSync(outDirs[name], { recursive: true });
  return outDirs[name];
}

async function esbuild(name, entry, extraArgs = []) {
  const dir = out(name);
  const result = await runNode([ESBUILD, entry, "--bundle", "--format=esm", "--platform=browser", `--outfile=${path.join(dir, "entry.js")}`, "--log-level=warning", ...extraArgs], { cwd: app });
  assert.equal(result.code, 0, describeRun(result));
  copyFileSync(path.join(app, "esbuild.html"), path.join(dir, "index.html"));
  return dir;
}

const wasmFiles = (dir) => readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".wasm")).map(String);

before(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "coc-bundlers-"));
  const { tarball } = await packRepo(work);
  app = path.join(work, "app");
  cpSync(FIXTURE, app, { recursive: true });
  await installTarball(app, tarball);
});

after(async () => {
  await browser?.close();
  await site?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Opens the built app at /<name>/ and returns window.__result plus the core.wasm requests it made. */
async function runBuilt(name, t, { ignore = [] } = {}) {
  assert.ok(outDirs[name], `${name} was not built (the build test failed or did not run)`);
  if (!site) {
    site = await startSite({
      shards: 2,
      shardSize: 200 * 1024,
      root: work,  // nothing of the repo is served: only the builds below
      extraStatic: Object.entries(outDirs).map(([prefix, dir]) => ({ prefix: `/${prefix}`, dir })),
    });
    browser = await launchBrowser();
  }
  const file = site.model.files.find((f) => f.path === "params_shard_1.bin");
  const before = site.countFor("params_shard_1.bin").resolve;
  const logStart = site.log.length;
  const page = await browser.open(`${site.url}/${name}/index.html?scope=${name}&file=${encodeURIComponent(file.url)}`,
    { ignore });
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
  const result = await page.evaluate(() => window.__result);
  const wasmRequests = site.log.slice(logStart).filter((e) => e.kind === "static" && e.path?.endsWith(".wasm")).map((e) => `${e.path}:${e.status}`);
  const downloads = site.countFor("params_shard_1.bin").resolve - before;
  t.diagnostic(`${name}: ${JSON.stringify({ ...result, wasmRequests, hubDownloads: downloads })}`);
  await page.close();
  return { result, file, wasmRequests, downloads, errors: page.errors };
}

function assertWorks({ result, file, downloads, errors }) {
  assert.equal(result.error, undefined, result.error);
  assert.equal(result.hex, SAMPLE_HASH);
  assert.equal(result.fileHash, file.sha256);
  assert.equal(result.resolved, file.sha256);
  assert.equal(result.size, file.size);
  assert.equal(result.storage, "fallback", "no COS in the page: the Cache API fallback store");
  assert.equal(result.downloads, 1);
  assert.equal(downloads, 1, "the file was downloaded from the hub once");
  errors.assertNone();
}

test("builds: Vite copies the wasm; esbuild only with a recipe", async () => {
  const vite = await runNode([VITE, "build", app, "--outDir", out("vite"), "--base", "./", "--emptyOutDir", "--logLevel", "warn"], { cwd: app });
  assert.equal(vite.code, 0, describeRun(vite));
  assert.equal(wasmFiles(outDirs.vite).length, 1, "Vite emitted core.wasm as an asset");

  assert.deepEqual(wasmFiles(await esbuild("esbuild-plain", "entry-default.js")), [], "plain esbuild copies no wasm");

  // Recipe 1: copy the wasm next to the bundle, pass its URL.
  const copied = await esbuild("esbuild-wasm-url", "entry-wasm-url.js");
  copyFileSync(path.join(app, "node_modules/cross-origin-cache/dist/core.wasm"), path.join(copied, "core.wasm"));

  // Recipe 2: esbuild's file loader copies it (content-hashed name) and the import gives its path.
  assert.equal(wasmFiles(await esbuild("esbuild-file-loader", "entry-file-loader.js", ["--loader:.wasm=file"])).length, 1);

  // Recipe 2 through the package's "./core.wasm" export: `import wasmPath from "cross-origin-cache/core.wasm"`.
  const pkg = JSON.parse(readFileSync(path.join(app, "node_modules/cross-origin-cache/package.json"), "utf8"));
  assert.equal(pkg.exports["./core.wasm"], "./dist/core.wasm", "the installed package exports its wasm");
  assert.equal(wasmFiles(await esbuild("esbuild-exported", "entry-exported-wasm.js", ["--loader:.wasm=file"])).length, 1);
});

test("Vite build runs in Chromium: hash and load", async (t) => {
  const run = await runBuilt("vite", t);
  assertWorks(run);
  assert.equal(run.wasmRequests.length, 1, "the default core is loaded once and shared");
});

test("esbuild without a recipe: the app cannot find core.wasm", async (t) => {
  // The browser logs the 404s and Emscripten prints its abort: expected here, and only here.
  const { result, wasmRequests } = await runBuilt("esbuild-plain", t, { ignore: [/Failed to load resource/, /wasm/i, /Aborted/] });
  assert.ok(result.error, "the app reports an error");
  assert.ok(wasmRequests.every((r) => r.endsWith(":404")), `wasm requests: ${wasmRequests}`);
  assert.ok(wasmRequests.some((r) => r.startsWith("dist/core.wasm")), "it looked for ../dist/core.wasm relative to the bundle");
});

test("esbuild recipe 1: wasmUrl pointing at a copied core.wasm", async (t) => {
  const run = await runBuilt("esbuild-wasm-url", t);
  assertWorks(run);
  assert.ok(run.wasmRequests.length >= 1 && run.wasmRequests.every((r) => r === "core.wasm:200"));
});

test("esbuild recipe 2: --loader:.wasm=file with the wasm imported by path", async (t) => {
  const run = await runBuilt("esbuild-file-loader", t);
  assertWorks(run);
  assert.ok(run.wasmRequests.length >= 1 && run.wasmRequests.every((r) => /^core-[A-Z0-9]+\.wasm:200$/.test(r)));
});

test("esbuild recipe 2 with the package's \"./core.wasm\" export", async (t) => {
  assertWorks(await runBuilt("esbuild-exported", t));
});
