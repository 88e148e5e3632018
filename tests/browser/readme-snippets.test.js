// The README's Use snippets, run as written in real browsers: README.md is read, each ```js block of
// the Use section is served as a module (page blocks with an import map; a `// worker.js` block as
// the module worker its page block creates, with only its import specifiers mapped), preceded only
// by a one-line prelude giving the free variables this file lists per snippet. Routes send
// https://huggingface.co to the local hub, which serves small stand-ins under the README's repo
// names (readme-repos.js); the COS test polyfill is every page's Cross-Origin Storage (never a
// worker's: init scripts do not run in workers). Each snippet runs in a fresh world (hub origin,
// COS, profile), then again in a new page: the reload must make no hub request.
//
// Chromium and Firefox (BROWSERS): in Firefox (puppeteer-core over WebDriver BiDi) puppeteer's
// request interception answers https://huggingface.co GETs and HEADs from the hub (BiDi gives no
// request bodies); the worker snippets run in Chromium only (see there).
// The web-llm blocks run in web-llm.test.js (web-llm-readme*.js); the last test here checks those
// copies still carry the README's lines.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { BROWSERS, REPO_ROOT, launchBrowser, startSite } from "../support/browser.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { cosInitScript } from "../support/cos-page-polyfill.js";
import { tokenizerJson } from "../clients/fixtures/tiny-tokenizer.js";
import { blockRole, importSpecifiers, useSectionBlocks } from "./readme-blocks.js";
import { TINY_LLAMA } from "./readme-gguf.js";
import { BERT_ONNX, BERT_REPO, GGUF_REPO, MLC_REPO, bertFiles, ggufFiles, mlcFiles } from "./readme-repos.js";
import { FREE_VARIABLES_GLOBAL, MODULES, routeToLocal, writeSnippet } from "./readme-site.js";
import { cleanups } from "./helpers.js";

const TIMEOUT = 180_000;  // transformers.js (1.3 MB) and onnxruntime-web parsed on a loaded 2-core machine
const README = await readFile(path.join(REPO_ROOT, "README.md"), "utf8");
const SECTIONS = useSectionBlocks(README);

// What this file runs, heading by heading: a README edit that adds, drops or renames one fails the
// first test instead of going unrun.
const EXPECTED = [
  ["Use", ["page"]],
  ["With tvmjs (`artifactCache`)", ["page"]],
  ['With web-llm (`cacheBackend: "cross-origin"`)', ["page", "page", "worker"]],
  ["With transformers.js (`env.customCache`)", ["page"]],
  ["With wllama (`cacheManager`)", ["page"]],
  ["In a worker", ["page", "worker"]],
  ["transformers.js in a worker", ["worker"]],
  ["Who can read what is stored", []],
];

/** The `index`th block under `heading`, or a loud failure. */
function block(heading, index) {
  const text = SECTIONS.find((s) => s.heading === heading)?.blocks[index];
  if (text === undefined) throw new Error(`README.md: no js block #${index} under "${heading}"`);
  return text;
}

/** Hub route requests (everything but the static files of the test site). */
const hubRequests = (hub) => hub.counters.requests - hub.counters.static;
const routeCounts = (hub) => {
  const { resolve, raw, tree, pathsInfo, revision } = hub.counters;
  return `resolve ${resolve}, tree ${tree}, paths-info ${pathsInfo}, raw ${raw}, revision ${revision}`;
};
/** GET /resolve/ requests answered 200 for `filePath`. */
const downloadsOf = (hub, filePath) => hub.log.filter((e) => e.kind === "resolve" && e.method === "GET" && e.path === filePath && e.status === 200).length;
const hfUrl = (repo, file) => `https://huggingface.co/${repo}/resolve/main/${file}`;

/**
 * A fresh world for one snippet: a hub site with the README's repos (the snippet folders under
 * /readme/), a COS backend, Chromium with the COS polyfill in pages and the routes to the hub.
 */
async function startWorld(defer, browserName) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "coc-readme-"));
  defer(() => rm(dir, { recursive: true, force: true }));
  const hub = await startSite({ shards: 0, extraStatic: [{ prefix: "/readme", dir }] });
  defer(() => hub.close());
  const repos = {
    mlc: hub.addRepo({ id: MLC_REPO, files: mlcFiles() }),
    bert: hub.addRepo({ id: BERT_REPO, files: bertFiles() }),
    gguf: hub.addRepo({ id: GGUF_REPO, files: ggufFiles() }),
  };
  const cos = await startCosBackend();
  defer(() => cos.close());
  const browser = await launchBrowser({ browser: browserName, initScripts: [cosInitScript({ backend: cos.url })] });
  defer(() => browser.close());
  await routeToLocal(browser, hub);
  return { dir, hub, cos, browser, repos };
}

/** Records the values of every console message of `page`; `read()` gives them once settled. */
function consoleValues(page) {
  const seen = [];
  page.on("console", (message) => {
    seen.push(Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => undefined)))
      .then((values) => ({ type: message.type(), values })));
  });
  return { read: () => Promise.all(seen) };
}

/**
 * Opens the snippet's page, sets the prelude's free variables (`setup(arg)` in the page, after the
 * import map is in place, returns them), imports page.js and waits for its evaluation, top-level
 * awaits included. Returns the page, its console values and the import's error text (or null).
 */
async function runPage(browser, hub, folder, { setup, arg } = {}) {
  const page = await browser.open(`${hub.url}${folder}index.html`);
  const console = consoleValues(page);
  const error = await page.evaluate(async ({ name, setup, arg }) => {
    if (setup) globalThis[name] = await new Function(`return (${setup});`)()(arg);
    try {
      await import("./page.js");
      return null;
    } catch (e) {
      return `${e?.name}: ${e?.message}\n${e?.stack}`;  // Firefox's stack has no message
    }
  }, { name: FREE_VARIABLES_GLOBAL, setup: setup?.toString(), arg });
  return { page, console, error };
}

/**
 * The module worker the page block created: waits for its module's evaluation (importing the
 * worker's own URL again gives the same module record, settled with it) and runs `fn(arg)` there.
 */
async function inSnippetWorker(page, fn, arg) {
  const isSnippet = (w) => new URL(w.url()).pathname.endsWith("/worker.js");
  const created = typeof page.context === "function"
    ? () => page.waitForEvent("worker", isSnippet)  // Playwright
    : () => new Promise((resolve) => page.on("workercreated", (w) => isSnippet(w) && resolve(w)));  // puppeteer
  const worker = page.workers().find(isSnippet) ?? await created();
  return worker.evaluate(async ({ source, arg }) => {
    let error = null;
    try {
      await import(location.href);
    } catch (e) {
      error = `${e?.name}: ${e?.message}\n${e?.stack}`;
    }
    return { error, ...(await new Function(`return (${source});`)()(arg)) };
  }, { source: fn.toString(), arg });
}

test("the README's Use section has the headings and js blocks this file runs, each import mapped", () => {
  assert.deepEqual(SECTIONS.map((s) => [s.heading, s.blocks.map(blockRole)]), EXPECTED);
  for (const section of SECTIONS) {
    for (const text of section.blocks) {
      for (const specifier of importSpecifiers(text)) assert.ok(specifier in MODULES, `${section.heading}: "${specifier}" is mapped`);
    }
  }
});

for (const browserName of BROWSERS) describe(`${browserName}: the README's opening snippet (createCrossOriginCache, fetchWithCache json, stats)`, { timeout: TIMEOUT * 2 }, () => {
  const defer = cleanups(after);
  let world;
  let folder;
  before(async () => {
    world = await startWorld(defer, browserName);
    folder = await writeSnippet(world.dir, { slug: "use", page: block("Use", 0) });
  });

  test("the config is the hub's file, stored in COS; a reload makes no hub request", { timeout: TIMEOUT }, async (t) => {
    const { hub, cos, browser, repos } = world;
    const file = repos.mlc.files.find((f) => f.path === "mlc-chat-config.json");
    const url = hfUrl(MLC_REPO, file.path);
    const hubJson = JSON.parse(mlcFiles().find((f) => f.path === file.path).bytes);
    hub.resetCounters();
    const first = await runPage(browser, hub, folder);
    assert.equal(first.error, null);
    const logged = await first.console.read();
    t.diagnostic(`first run: hub ${routeCounts(hub)}; console ${JSON.stringify(logged)}`);
    assert.equal(downloadsOf(hub, file.path), 1, "the config downloaded once");
    assert.equal(hubRequests(hub), 2, `one listing and one download (${routeCounts(hub)})`);
    // What the snippet logs: cache.stats() after the load, and no onError warning.
    assert.deepEqual(logged.map((m) => m.type), ["log"]);
    const [stats] = logged[0].values;
    assert.equal(stats.storage, "cross-origin-storage");
    assert.equal(stats.downloads, 1);
    assert.equal(stats.bytesDownloaded, file.size);
    assert.equal(stats.stored, 1);
    assert.deepEqual(stats.resolutionRequests, { listing: 1, pathsInfo: 0, pointer: 0 });
    assert.deepEqual(cos.entries().map((e) => e.hash), [file.sha256], "COS holds the config's bytes");
    // The page's cache (a new object over the same stores) gives the hub's JSON, without the hub.
    hub.resetCounters();
    const held = await first.page.evaluate(async (url) => {
      const { createCrossOriginCache } = await import("cross-origin-cache");
      return (await createCrossOriginCache()).fetchWithCache(url, "json");
    }, url);
    assert.deepEqual(held, hubJson);
    assert.equal(hubRequests(hub), 0);
    first.page.errors.assertNone();
    await first.page.close();

    hub.resetCounters();
    const reload = await runPage(browser, hub, folder);
    assert.equal(reload.error, null);
    const again = await reload.console.read();
    t.diagnostic(`reload: hub ${routeCounts(hub)}; console ${JSON.stringify(again)}`);
    assert.equal(hubRequests(hub), 0, `no hub request (${routeCounts(hub)})`);
    assert.deepEqual(again.map((m) => m.type), ["log"]);
    assert.equal(again[0].values[0].downloads, 0);
    assert.equal(again[0].values[0].storageHits, 1);
    assert.equal(again[0].values[0].bytesFromStorage, file.size);
    reload.page.errors.assertNone();
    await reload.page.close();
  });
});

// tvmjs's Instance needs its TVM wasm runtime, which this machine cannot build: `tvm` is an object
// with Instance.prototype (tvmjs's own fetchTensorCache and webgpu() run), without a runtime. The
// hub's tensor-cache.json lists shards without tensor records, so fetchTensorCache's whole download,
// hasAllKeys and read loop runs and no tensor is ever created on the (absent) device.
for (const browserName of BROWSERS) describe(`${browserName}: the README's tvmjs snippet (hasTensorInCache, fetchTensorCache, deleteTensorCache)`, { timeout: TIMEOUT * 2 }, () => {
  const defer = cleanups(after);
  let world;
  let folder;
  const FREE = ["modelUrl", "tvm"];
  const setup = async ({ modelUrl }) => {
    const tvmjs = await import("@mlc-ai/web-runtime");
    const progress = [];
    const tvm = Object.create(tvmjs.Instance.prototype);
    Object.assign(tvm, { initProgressCallback: [(report) => progress.push(report.progress)], env: { logger() {} }, cacheMetadata: {} });
    return { modelUrl, tvm, progress };
  };
  const seen = (page) => page.evaluate(async (name) => {
    const { tvm, progress } = globalThis[name];
    const store = await caches.open("tvmjs-cos-hash-meta");
    return { metadata: tvm.cacheMetadata, progress, recorded: (await store.keys()).map((r) => r.url).sort() };
  }, FREE_VARIABLES_GLOBAL);

  before(async () => {
    world = await startWorld(defer, browserName);
    folder = await writeSnippet(world.dir, { slug: "tvmjs", page: block("With tvmjs (`artifactCache`)", 0), freeVariables: FREE });
  });

  test("the tensor cache loads through our cache into COS, deleteTensorCache forgets the shards; a reload downloads nothing", { timeout: TIMEOUT }, async (t) => {
    const { hub, cos, browser, repos } = world;
    const modelUrl = `https://huggingface.co/${MLC_REPO}/resolve/main/`;
    const tensorCache = JSON.parse(mlcFiles().find((f) => f.path === "tensor-cache.json").bytes);
    const shards = repos.mlc.files.filter((f) => f.path.startsWith("params_shard_"));
    hub.resetCounters();
    const first = await runPage(browser, hub, folder, { setup, arg: { modelUrl } });
    assert.equal(first.error, null);
    const result = await seen(first.page);
    t.diagnostic(`first run: hub ${routeCounts(hub)}; COS created ${cos.counts.created}; progress ${result.progress.join(", ")}`);
    assert.deepEqual(result.metadata, tensorCache.metadata, "tvmjs's fetchTensorCache read tensor-cache.json");
    assert.equal(result.progress.at(-1), 1, "and every shard");
    for (const shard of shards) assert.equal(downloadsOf(hub, shard.path), 1, `${shard.path} downloaded once`);
    assert.equal(downloadsOf(hub, "tensor-cache.json"), 1);
    assert.equal(hub.counters.raw + hub.counters.pathsInfo, 0);
    for (const shard of shards) assert.ok(cos.entry(shard.sha256), `${shard.path} is in COS`);
    // deleteTensorCache forgot the shards' URL→hash records (tvmjs's store, shared by scope "tvmjs"); tensor-cache.json's stays.
    assert.deepEqual(result.recorded, [`${modelUrl}tensor-cache.json`]);
    first.page.errors.assertNone();
    await first.page.close();

    hub.resetCounters();
    cos.resetCounters();
    const reload = await runPage(browser, hub, folder, { setup, arg: { modelUrl } });
    assert.equal(reload.error, null);
    const again = await seen(reload.page);
    t.diagnostic(`reload: hub ${routeCounts(hub)}; COS getFile ${cos.counts.getFile}, created ${cos.counts.created}`);
    assert.deepEqual(again.metadata, tensorCache.metadata);
    assert.equal(hub.counters.resolve, 0, "nothing downloaded: COS keeps the bytes a site cannot delete");
    // One listing finds the forgotten shards' hashes again: the core's desk holds every later
    // arrival of the revision while it is on its way.
    assert.equal(hub.counters.tree, 1, `one listing (${routeCounts(hub)})`);
    assert.equal(hubRequests(hub), hub.counters.tree, "listings only");
    assert.equal(cos.counts.created, 0);
    assert.ok(cos.counts.getFile >= shards.length, "the shards read from COS");
    reload.page.errors.assertNone();
    await reload.page.close();
  });
});

/** The test tokenizer's ids for `text` (lower-cased words of its WordLevel vocab), from the generated vocab. */
const vocabIds = (text) => text.toLowerCase().split(/\s+/).map((word) => tokenizerJson.model.vocab[word]);
const TOKENIZED = "Cross origin CACHE";

/** In a page or worker whose snippet set env.customCache: that cache's kind and stats. */
const customCacheState = async ({ transformers }) => {
  const { env } = await import(transformers);
  return { storageKind: env.customCache?.storageKind, stats: env.customCache?.stats(), useBrowserCache: env.useBrowserCache };
};

for (const browserName of BROWSERS) describe(`${browserName}: the README's transformers.js snippet (env.customCache, AutoTokenizer)`, { timeout: TIMEOUT * 2 }, () => {
  const defer = cleanups(after);
  let world;
  let folder;
  before(async () => {
    world = await startWorld(defer, browserName);
    folder = await writeSnippet(world.dir, { slug: "transformers", page: block("With transformers.js (`env.customCache`)", 0) });
  });

  test("the tokenizer's files go through our cache into COS; the stored tokenizer encodes as its vocab says; a reload makes no hub request", { timeout: TIMEOUT }, async (t) => {
    const { hub, cos, browser, repos } = world;
    const arg = { transformers: MODULES["@huggingface/transformers"] };
    hub.resetCounters();
    const first = await runPage(browser, hub, folder);
    assert.equal(first.error, null);
    const fetched = [...new Set(hub.log.filter((e) => e.kind === "resolve").map((e) => e.path))].sort();
    t.diagnostic(`first run: hub ${routeCounts(hub)} (${fetched.join(", ")}); COS created ${cos.counts.created}`);
    assert.ok(fetched.includes("tokenizer.json") && fetched.includes("tokenizer_config.json"), "the tokenizer's files came from the hub");
    for (const file of fetched) assert.equal(downloadsOf(hub, file), 1, `${file} downloaded once`);
    const state = await first.page.evaluate(customCacheState, arg);
    assert.equal(state.storageKind, "cross-origin-storage", "the snippet's env.customCache");
    assert.equal(state.useBrowserCache, false);
    assert.equal(state.stats.stored, fetched.length, "transformers.js put() every file it downloaded");
    const sha256 = (p) => repos.bert.files.find((f) => f.path === p).sha256;
    assert.deepEqual(cos.entries().map((e) => e.hash).sort(), fetched.map(sha256).sort());
    // The tokenizer again, through the snippet's cache: from storage, and it encodes as the vocab says.
    hub.resetCounters();
    const ids = await first.page.evaluate(async ({ transformers, repo, text }) => {
      const { AutoTokenizer } = await import(transformers);
      return (await AutoTokenizer.from_pretrained(repo)).encode(text);
    }, { ...arg, repo: BERT_REPO, text: TOKENIZED });
    assert.deepEqual(ids, vocabIds(TOKENIZED));
    assert.equal(hubRequests(hub), 0);
    first.page.errors.assertNone();
    await first.page.close();

    hub.resetCounters();
    const reload = await runPage(browser, hub, folder);
    assert.equal(reload.error, null);
    const again = await reload.page.evaluate(customCacheState, arg);
    t.diagnostic(`reload: hub ${routeCounts(hub)}; cache stats downloads ${again.stats.downloads}, storageHits ${again.stats.storageHits}`);
    assert.equal(hubRequests(hub), 0, `no hub request (${routeCounts(hub)})`);
    assert.ok(again.stats.storageHits >= fetched.length, "every file from storage");
    assert.equal(again.stats.stored, 0);
    reload.page.errors.assertNone();
    await reload.page.close();
  });
});

// wllama's own Wllama with our cacheManager: the split model (a tiny valid llama, readme-gguf.js) is
// downloaded through our cache and loaded by llama.cpp in wllama's wasm worker (no inference).
for (const browserName of BROWSERS) describe(`${browserName}: the README's wllama snippet (createWllamaCacheManager, Wllama.loadModelFromUrl)`, { timeout: TIMEOUT * 2 }, () => {
  const defer = cleanups(after);
  let world;
  let folder;
  const FREE = ["wasmPaths"];
  const setup = () => ({ wasmPaths: { default: `${location.origin}/node_modules/@wllama/wllama/esm/wasm/wllama.wasm` } });
  /** What wllama logs (its default logger is the console): llama.cpp's loader lines and the loaded context. */
  const loadLog = (logged) => ({
    loader: logged.flatMap((m) => m.values).filter((v) => typeof v === "string" && v.startsWith("llama_model_loader:")),
    context: logged.map((m) => m.values[0]?.loadedCtxInfo).find(Boolean),
  });
  const assertLoaded = ({ loader, context }, files) => {
    assert.ok(loader.includes(`llama_model_loader: additional ${files.length - 1} GGUFs metadata loaded.`), "llama.cpp read every split");
    assert.ok(loader.some((line) => line.includes(`from models/${files[0].path}`)), "from the first split");
    assert.equal(context?.success, true, "llama.cpp loaded the model");
    assert.equal(context?.n_vocab, TINY_LLAMA.tokens.length, "wllama's loaded context has the model's vocab");
    assert.equal(context?.n_layer, TINY_LLAMA.layers);
    assert.equal(context?.n_embd, TINY_LLAMA.embd);
  };
  /** A new ModelManager over a new cache of ours in the page: the models it lists. */
  const listed = (page) => page.evaluate(async (wllama) => {
    const { createCrossOriginCache, createWllamaCacheManager } = await import("cross-origin-cache");
    const { ModelManager } = await import(wllama);
    const manager = new ModelManager({ cacheManager: createWllamaCacheManager(await createCrossOriginCache()), logger: { debug() {}, log() {}, info() {}, warn() {}, error() {} } });
    return (await manager.getModels({ includeInvalid: true })).map((m) => ({ url: m.url, size: m.size, status: m.validate(), files: m.files.length }));
  }, "@wllama/wllama");

  before(async () => {
    world = await startWorld(defer, browserName);
    folder = await writeSnippet(world.dir, { slug: "wllama", page: block("With wllama (`cacheManager`)", 0), freeVariables: FREE });
  });

  test("the split model downloads once into COS and llama.cpp loads it; a reload makes no hub request", { timeout: TIMEOUT }, async (t) => {
    const { hub, cos, browser, repos } = world;
    const files = repos.gguf.files;
    const size = files.reduce((a, f) => a + f.size, 0);
    hub.resetCounters();
    const first = await runPage(browser, hub, folder, { setup });
    assert.equal(first.error, null);
    const log = loadLog(await first.console.read());
    t.diagnostic(`first run: hub ${routeCounts(hub)}; COS created ${cos.counts.created}; loaded context ${JSON.stringify(log.context)}`);
    assertLoaded(log, files);
    for (const file of files) assert.equal(downloadsOf(hub, file.path), 1, `${file.path} downloaded once`);
    assert.equal(hub.counters.tree, 1, "one listing gives the splits' SHA-256");
    assert.equal(hub.counters.raw + hub.counters.pathsInfo, 0);
    assert.deepEqual(cos.entries().map((e) => e.hash).sort(), files.map((f) => f.sha256).sort());
    assert.deepEqual(await listed(first.page), [{ url: hfUrl(GGUF_REPO, files[0].path), size, status: "valid", files: files.length }]);
    first.page.errors.assertNone();
    await first.page.close();

    hub.resetCounters();
    cos.resetCounters();
    const reload = await runPage(browser, hub, folder, { setup });
    assert.equal(reload.error, null);
    const again = loadLog(await reload.console.read());
    t.diagnostic(`reload: hub ${routeCounts(hub)}; COS getFile ${cos.counts.getFile}, bytes read ${cos.counts.bytesRead}`);
    assertLoaded(again, files);
    assert.equal(hubRequests(hub), 0, `no hub request (${routeCounts(hub)})`);
    assert.equal(cos.counts.created, 0);
    assert.equal(cos.counts.bytesRead, size, "llama.cpp's bytes read from COS");
    reload.page.errors.assertNone();
    await reload.page.close();
  });
});

// Chromium only: the checks inside the snippet's worker use Playwright's Worker.evaluate; puppeteer
// over WebDriver BiDi cannot evaluate in a Firefox worker ("no such frame Realm").
for (const browserName of BROWSERS.filter((name) => name === "chromium")) describe(`${browserName}: the README's worker snippets (exposeCrossOriginStorage in the page, the worker's cache)`, { timeout: TIMEOUT * 3 }, () => {
  const defer = cleanups(after);
  let world;
  let folders;
  before(async () => {
    world = await startWorld(defer, browserName);
    const page = block("In a worker", 0);
    folders = {
      plain: await writeSnippet(world.dir, { slug: "in-a-worker", page, worker: block("In a worker", 1) }),
      transformers: await writeSnippet(world.dir, { slug: "transformers-worker", page, worker: block("transformers.js in a worker", 0) }),
    };
  });

  test("In a worker: the worker has no COS of its own; after the snippet its COS is the page's", { timeout: TIMEOUT }, async (t) => {
    const { hub, cos, browser } = world;
    const { page, error } = await runPage(browser, hub, folders.plain);
    assert.equal(error, null);
    // The control: a worker of this page that nobody exposed COS to has none (init scripts reach pages only).
    const control = await page.evaluate(() => new Promise((resolve) => {
      const w = new Worker(URL.createObjectURL(new Blob(["postMessage(typeof navigator.crossOriginStorage)"], { type: "text/javascript" })));
      w.onmessage = ({ data }) => { w.terminate(); resolve(data); };
    }));
    assert.equal(control, "undefined");
    cos.resetCounters();
    const inWorker = await inSnippetWorker(page, async () => {
      const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
      const cosApi = ["getFileHandle", "requestFileHandle"].filter((name) => typeof navigator.crossOriginStorage?.[name] === "function");
      const { createCrossOriginCache } = await import("/js/index.js");
      const storageKind = (await createCrossOriginCache()).storageKind;
      // A write through the worker's navigator.crossOriginStorage lands in the page's COS.
      const bytes = new TextEncoder().encode("stored from the README's worker");
      const value = hex(await crypto.subtle.digest("SHA-256", bytes));
      const handle = await navigator.crossOriginStorage.getFileHandle({ algorithm: "SHA-256", value }, { create: true });
      const writable = await handle.createWritable();
      await writable.write(bytes);
      await writable.close();
      return { cosApi, storageKind, value };
    });
    t.diagnostic(`worker: ${JSON.stringify(inWorker)}; COS created ${cos.counts.created}`);
    assert.equal(inWorker.error, null, "the worker's module evaluated");
    assert.deepEqual(inWorker.cosApi, ["getFileHandle", "requestFileHandle"], "installCrossOriginStorage gave the worker COS");
    assert.equal(inWorker.storageKind, "cross-origin-storage");
    assert.deepEqual(cos.entries().map((e) => [e.hash, e.ownerOrigin]), [[inWorker.value, hub.url]], "written through the page's COS");
    page.errors.assertNone();
    await page.close();
  });

  test("transformers.js in a worker: tokenizer and model through the page's COS; a reload (new page, new worker) makes no hub request", { timeout: TIMEOUT }, async (t) => {
    const { hub, cos, browser, repos } = world;
    const arg = { transformers: MODULES["@huggingface/transformers"] };
    hub.resetCounters();
    cos.resetCounters();
    const first = await runPage(browser, hub, folders.transformers);
    assert.equal(first.error, null);
    const state = await inSnippetWorker(first.page, customCacheState, arg);
    const fetched = [...new Set(hub.log.filter((e) => e.kind === "resolve").map((e) => e.path))].sort();
    t.diagnostic(`first run: hub ${routeCounts(hub)} (${fetched.join(", ")}); COS created ${cos.counts.created}; stats stored ${state.stats?.stored}`);
    assert.equal(state.error, null, "the worker's module evaluated: AutoTokenizer and AutoModel loaded");
    assert.equal(state.storageKind, "cross-origin-storage", "the snippet's env.customCache, through the page");
    assert.ok(fetched.includes("tokenizer.json") && fetched.includes(BERT_ONNX) && fetched.includes("config.json"), "tokenizer, config and ONNX model came from the hub");
    for (const file of fetched) assert.equal(downloadsOf(hub, file), 1, `${file} downloaded once`);
    // transformers.js also put()s onnxruntime-web's .mjs and .wasm (from the CDN, routed to the package) in the cache.
    assert.ok(state.stats.stored >= fetched.length, "transformers.js put() every file it downloaded");
    const sha256 = (p) => repos.bert.files.find((f) => f.path === p).sha256;
    const held = new Set(cos.entries().map((e) => e.hash));
    for (const file of fetched) assert.ok(held.has(sha256(file)), `${file} is in COS`);
    first.page.errors.assertNone();
    await first.page.close();

    hub.resetCounters();
    cos.resetCounters();
    const reload = await runPage(browser, hub, folders.transformers);
    assert.equal(reload.error, null);
    const again = await inSnippetWorker(reload.page, customCacheState, arg);
    t.diagnostic(`reload: hub ${routeCounts(hub)}; stats downloads ${again.stats?.downloads}, storageHits ${again.stats?.storageHits}; COS getFile ${cos.counts.getFile}`);
    assert.equal(again.error, null);
    assert.equal(hubRequests(hub), 0, `no hub request (${routeCounts(hub)})`);
    assert.ok(again.stats.storageHits >= fetched.length);
    assert.equal(again.stats.stored, 0);
    assert.equal(cos.counts.created, 0);
    reload.page.errors.assertNone();
    await reload.page.close();
  });
});

// web-llm.test.js runs the web-llm blocks from hand copies (web-llm-readme.js, web-llm-readme-worker.js),
// which take appConfig and modelId as arguments and import the bundle under test. This keeps them
// the README's text: every other line of each block appears, in order, in its copy.
test("the web-llm blocks' hand copies in web-llm-readme*.js still carry every README line", async () => {
  const heading = 'With web-llm (`cacheBackend: "cross-origin"`)';
  const copies = {
    page: await readFile(path.join(REPO_ROOT, "tests/browser/web-llm-readme.js"), "utf8"),
    worker: await readFile(path.join(REPO_ROOT, "tests/browser/web-llm-readme-worker.js"), "utf8"),
  };
  // What a copy may differ in: imports, the two values it takes as arguments, the role comment, the worker's file name.
  const differs = (line) => /^(import |\/\/ (page|worker\.js)\b)/.test(line) || /^const (appConfig|modelId) = /.test(line);
  for (const index of [0, 1, 2]) {
    const text = block(heading, index);
    const copy = copies[blockRole(text)].split("\n").map((line) => line.trim());
    let at = 0;
    for (const line of text.split("\n").filter((l) => l.trim() && !differs(l))) {
      const want = line.trim().replace('"./worker.js"', '"./web-llm-readme-worker.js"');
      const found = copy.indexOf(want, at);
      assert.ok(found >= 0, `web-llm block #${index}: "${want}" is not in its copy (in order)`);
      at = found + 1;
    }
  }
});
