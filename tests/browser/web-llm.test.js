// @mlc-ai/web-llm 0.2.86 in real Chromium with cacheBackend "cross-origin" and the COS test polyfill
// (one backend shared by two localhost origins), after prepareWebLLMModel(record): hasModelInCache is
// true and web-llm's own loading path (see web-llm-app.js for how far it runs without a GPU) makes
// no hub request; every byte it reads is the hub's (WebCrypto) and comes from COS. The polyfill
// offers getFileHandle alone (the draft) or requestFileHandle alone (the COS extension 0.1.22, which
// web-llm ignores without our alias); a page and a dedicated worker (the page's COS through
// exposeCrossOriginStorage); without the preparation, the same checks fail.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { BLANK_PAGE, BROWSERS, REPO_ROOT, launchBrowser, startSite } from "../support/browser.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { cosInitScript } from "../support/cos-page-polyfill.js";
import { seededBytes } from "../../local-hub/index.js";
import { SAMPLE_IDS, SAMPLE_TEXT, modelConfig, tokenizerConfig, tokenizerJson } from "../clients/fixtures/tiny-tokenizer.js";
import { cleanups } from "./helpers.js";

const TIMEOUT = 240_000;  // a 6.8 MB module parsed in each page and worker on a loaded 2-core machine
const APP = "/tests/browser/web-llm-app.js";
const WORKER = "/tests/browser/web-llm-worker.js";
const WEBLLM_PREFIX = "/web-llm-under-test/";
const MODEL_ID = "test-model-q4f16_1-MLC";
const REPO = "test-org/test-model-q4f16_1-MLC";
const SHARDS = 3;

// An MLC model repo: chat config, a tokenizer web-llm's tokenizers wasm parses, tensor-cache.json
// and its shards (Git LFS; their records list no tensors, so tvmjs's loader puts nothing on a device).
function mlcModelFiles() {
  const shards = Array.from({ length: SHARDS }, (_, i) => ({
    path: `params_shard_${i}.bin`, bytes: seededBytes(11, `shard-${i}`)(0, 96 * 1024 + i), lfs: true,
  }));
  const tensorCache = {
    metadata: { ParamSize: SHARDS, ParamBytes: shards.reduce((a, s) => a + s.bytes.length, 0), BitsPerParam: 4 },
    records: shards.map((s) => ({ dataPath: s.path, format: "raw-shard", nbytes: s.bytes.length, records: [] })),
  };
  const chatConfig = {
    model_type: "llama", context_window_size: 2048, vocab_size: 16,
    conv_template: { name: "test", system_message: "", roles: { user: "user", assistant: "assistant" } },
    tokenizer_files: ["tokenizer.json", "tokenizer_config.json"],
  };
  return [
    ...shards,
    { path: "tensor-cache.json", bytes: JSON.stringify(tensorCache) },
    { path: "mlc-chat-config.json", bytes: JSON.stringify(chatConfig, null, 2) },
    { path: "tokenizer.json", bytes: JSON.stringify(tokenizerJson), lfs: true },
    { path: "tokenizer_config.json", bytes: JSON.stringify(tokenizerConfig) },
    { path: "README.md", bytes: "# an MLC test model\n" },
  ];
}

/** A site serving the web-llm bundle under test (and, with `repo`, the MLC model repo). */
async function startWebLLMSite(dir, defer, { repo = false } = {}) {
  const site = await startSite({ shards: 0, extraStatic: [{ prefix: WEBLLM_PREFIX, dir }] });
  defer(() => site.close());
  if (!repo) return { site };
  const model = site.addRepo({ id: REPO, files: mlcModelFiles() });
  // web-llm fetches a model library whose URL contains "localhost" without any cache; the same
  // hub under 127.0.0.1 is another origin (the hub answers CORS) and is cached like a CDN's.
  const libUrl = site.model.wasm.url.replace("//localhost:", "//127.0.0.1:");
  const record = { model: `${site.url}/${REPO}`, model_id: MODEL_ID, model_lib: libUrl };
  const truth = new Map(model.files.filter((f) => f.path !== "README.md").map((f) => [f.url, { sha256: f.sha256, size: f.size, lfs: f.lfs, path: f.path }]));
  truth.set(libUrl, { sha256: site.model.wasm.sha256, size: site.model.wasm.size, lfs: false, path: null });
  return { site, record, truth };
}

// web-llm's bundle with one appended line exporting internals the loading path uses (its tokenizer
// loader, its bundled tvmjs, its cache options); nothing of the bundle itself is changed.
const INTERNALS = "\nexport const internals = { tvmjs: libExports$2, asyncLoadTokenizer, getTensorCacheAccessOptions, cleanModelUrl };\n";

async function webllmUnderTest(defer) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "coc-web-llm-"));
  defer(() => rm(dir, { recursive: true, force: true }));
  const bundle = await readFile(path.join(REPO_ROOT, "node_modules/@mlc-ai/web-llm/lib/index.js"), "utf8");
  await writeFile(path.join(dir, "index.js"), bundle + INTERNALS);
  return dir;
}

/** Hub route requests (everything but the static files of the test site). */
const hubRequests = (hub) => hub.counters.requests - hub.counters.static;
const routeCounts = (hub) => {
  const { resolve, raw, tree, pathsInfo, wasm } = hub.counters;
  return `resolve ${resolve}, wasm ${wasm}, tree ${tree}, paths-info ${pathsInfo}, raw ${raw}`;
};

function run(page, where, arg) {
  if (where === "page") {
    return page.evaluate(async ({ app, arg }) => (await import(app)).runWebLLM(arg), { app: APP, arg });
  }
  return page.evaluate(async ({ worker, arg }) => {
    const { exposeCrossOriginStorage } = await import("/js/index.js");
    const w = new Worker(worker, { type: "module" });
    const exposure = exposeCrossOriginStorage(w);
    try {
      const reply = await new Promise((resolve, reject) => {
        w.addEventListener("error", (event) => reject(new Error(`worker error: ${event.message ?? "failed to start"}`)));
        w.addEventListener("message", ({ data }) => {
          if (data?.id === 1) resolve(data);
        });
        w.postMessage({ id: 1, command: "web-llm", arg });
      });
      if (reply.error) throw new Error(`worker failed: ${reply.error}`);
      return reply.value;
    } finally {
      exposure.close();
      w.terminate();
    }
  }, { worker: WORKER, arg });
}

const variants = [
  { name: "page, COS with getFileHandle only (the draft)", where: "page", api: ["getFileHandle"] },
  { name: "page, COS with requestFileHandle only (the extension 0.1.22)", where: "page", api: ["requestFileHandle"] },
  { name: "dedicated worker, the page's COS (requestFileHandle only) through the bridge", where: "worker", api: ["requestFileHandle"] },
];

for (const browserName of BROWSERS) for (const variant of variants) {
  describe(`${browserName}: web-llm 0.2.86 after prepareWebLLMModel: ${variant.name}`, { timeout: TIMEOUT * 5 }, () => {
    let hub;
    let cos;
    let browser;
    let record;
    let truth;  // url → {sha256, size, lfs, path}
    let dir;
    const defer = cleanups(after);
    const arg = (prepare) => ({ webllm: `${WEBLLM_PREFIX}index.js`, record, prepare, sampleText: SAMPLE_TEXT });

    before(async () => {
      dir = await webllmUnderTest(defer);
      ({ site: hub, record, truth } = await startWebLLMSite(dir, defer, { repo: true }));
      cos = await startCosBackend();
      defer(() => cos.close());
      browser = await launchBrowser({ browser: browserName, initScripts: [cosInitScript({ backend: cos.url, api: variant.api })] });
      defer(() => browser.close());
    });

    /** What web-llm read (WebCrypto in the browser) is the hub's, file for file. */
    const assertBytes = (result) => {
      assert.deepEqual(Object.keys(result.bytes).sort(), [...truth.keys()].sort(), "web-llm read every file of the model");
      for (const [url, sha256] of Object.entries(result.bytes)) assert.equal(sha256, truth.get(url).sha256, `bytes of ${url}`);
      assert.deepEqual(result.libraryHandedToWasm, [truth.get(record.model_lib).sha256], "reload handed the model library to WebAssembly");
      assert.match(result.reload, /WebAssembly|CompileError|LinkError/, "reload went as far as instantiating the library");
      assert.equal(result.chatConfigLoaded, true, "reload parsed the chat config");
      assert.deepEqual(result.tokenizer, { vocabSize: modelConfig.vocab_size, ids: SAMPLE_IDS },
        `web-llm's tokenizer loader built the tokenizer from tokenizer.json (${result.errors.join("; ")})`);
      const shards = [...truth.values()].filter((f) => f.path?.startsWith("params_shard_")).length;
      assert.equal(result.tensorCacheMetadata?.ParamSize, shards, "fetchTensorCache read tensor-cache.json's metadata");
      assert.deepEqual(result.errors, []);
    };

    test("prepare, then (new page) web-llm's loading path makes no hub request and reads every byte from COS", { timeout: TIMEOUT }, async (t) => {
      let page = await browser.open(hub.url + BLANK_PAGE);
      hub.resetCounters();
      cos.resetCounters();
      const first = await run(page, variant.where, { ...arg(true), record });
      const prepared = first.prepared;
      t.diagnostic(`prepare: hub ${routeCounts(hub)}; COS created ${cos.counts.created}; stats downloads ${prepared.stats.downloads}`);
      if (variant.where === "worker") assert.equal(first.ownCos, "undefined", "the worker has no COS of its own");
      assert.deepEqual(prepared.files.map((f) => f.url).sort(), [...truth.keys()].sort(), "every file of the model prepared");
      for (const file of prepared.files) assert.equal(file.sha256, truth.get(file.url).sha256, file.url);
      assert.equal(hub.counters.tree, 1, "one listing of the repo revision resolves every hub file");
      assert.equal(hub.counters.raw + hub.counters.pathsInfo, 0, "no pointer or paths-info request");
      assert.equal(hub.counters.resolve, truth.size - 1, "each hub file downloaded once");
      assert.equal(hub.counters.wasm, 1, "the model library downloaded once");
      assert.equal(cos.counts.created, truth.size, "each file stored in COS once");
      assert.equal(prepared.lastProgress.filesDone, truth.size);
      assert.equal(prepared.lastProgress.filesTotal, truth.size);
      assert.equal(first.hasGetFileHandle, true, "web-llm sees getFileHandle");
      assert.equal(first.hasModelInCache, true);
      assertBytes(first);

      // A reload of the app: a new page (and worker), no preparation, web-llm alone.
      await page.close();
      page = await browser.open(hub.url + BLANK_PAGE);
      hub.resetCounters();
      cos.resetCounters();
      const again = await run(page, variant.where, { ...arg(false), alias: true });
      t.diagnostic(`reload: hub ${routeCounts(hub)}; COS getFile ${cos.counts.getFile}, bytes read ${cos.counts.bytesRead}`);
      await page.close();
      // The page's own COS (a worker's is the bridge's, with every name) before the app's alias.
      const extension = variant.where === "page" && !variant.api.includes("getFileHandle");
      assert.equal(again.getFileHandleBeforeAlias, extension ? "undefined" : "function");
      assert.equal(again.hasGetFileHandle, true);
      assert.equal(again.hasModelInCache, true);
      assert.equal(hubRequests(hub), 0, `no hub request (${routeCounts(hub)})`);
      assert.ok(cos.counts.getFile >= truth.size, "every file read from COS");
      assert.equal(cos.counts.created, 0, "nothing stored again");
      assertBytes(again);
    });

    test("a second origin prepares with no LFS body download, and web-llm there makes no hub request", { timeout: TIMEOUT }, async (t) => {
      const { site: other } = await startWebLLMSite(dir, defer);
      hub.resetCounters();
      cos.resetCounters();
      const page = await browser.open(other.url + BLANK_PAGE);
      const result = await run(page, variant.where, arg(true));
      await page.close();
      const lfsPaths = new Set([...truth.values()].filter((f) => f.lfs).map((f) => f.path));
      const lfsGets = hub.log.filter((e) => e.kind === "resolve" && e.method === "GET" && lfsPaths.has(e.path));
      t.diagnostic(`second origin: hub ${routeCounts(hub)}; LFS body downloads ${lfsGets.length}; COS created ${cos.counts.created}`);
      assert.equal(lfsGets.length, 0, "no LFS body downloaded");
      // Its tvmjs-cos-hash-meta is its own: the non-LFS files (git blob ids, no SHA-256 in the
      // listing) are downloaded once and hashed, and found in COS by that hash.
      const small = [...truth.values()].filter((f) => !f.lfs).length;
      assert.equal(result.prepared.stats.downloads, small, "only the non-LFS files were downloaded");
      assert.equal(cos.counts.created, 0, "nothing stored twice");
      // The hub saw the preparation's requests only: web-llm there asked for nothing.
      assert.equal(hub.counters.resolve + hub.counters.wasm, small);
      assert.equal(hub.counters.tree, 1);
      assert.equal(hub.counters.raw + hub.counters.pathsInfo, 0);
      assert.equal(result.hasModelInCache, true);
      assertBytes(result);
    });
  });
}

describe("web-llm 0.2.86 without prepareWebLLMModel (the control: the checks above can fail)", { timeout: TIMEOUT * 2 }, () => {
  test("hasModelInCache is false and web-llm's loading path goes to the hub", { timeout: TIMEOUT }, async (t) => {
    const defer = cleanups(after);
    const dir = await webllmUnderTest(defer);
    const { site: hub, record } = await startWebLLMSite(dir, defer, { repo: true });
    const cos = await startCosBackend();
    defer(() => cos.close());
    const browser = await launchBrowser({ initScripts: [cosInitScript({ backend: cos.url, api: ["getFileHandle"] })] });
    defer(() => browser.close());
    const page = await browser.open(hub.url + BLANK_PAGE);
    hub.resetCounters();
    const result = await run(page, "page", { webllm: `${WEBLLM_PREFIX}index.js`, record, prepare: false });
    t.diagnostic(`unprepared: hub ${routeCounts(hub)}`);
    assert.equal(result.hasModelInCache, false);
    assert.ok(hubRequests(hub) > 0, "web-llm went to the hub");
  });
});

// Each snippet on a fresh site, COS and browser: web-llm's own first run would store the model too.
for (const browserName of BROWSERS) for (const name of ["mainThread", "inWorker"]) describe(`${browserName}: the README's web-llm snippet ${name}, COS with requestFileHandle only`, { timeout: TIMEOUT * 2 }, () => {
  const defer = cleanups(after);
  let hub;
  let cos;
  let browser;
  let record;
  let truth;
  const snippet = (page, name) => page.evaluate(async ({ name, record }) => {
    const appConfig = { model_list: [record], cacheBackend: "cross-origin" };
    try {
      await (await import("/tests/browser/web-llm-readme.js"))[name](appConfig, record.model_id);
      return "loaded";
    } catch (error) {
      // web-llm's worker client rejects with the worker's error as a string.
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }, { name, record });

  before(async () => {
    const dir = await webllmUnderTest(defer);
    ({ site: hub, record, truth } = await startWebLLMSite(dir, defer, { repo: true }));
    cos = await startCosBackend();
    defer(() => cos.close());
    browser = await launchBrowser({ browser: browserName, initScripts: [cosInitScript({ backend: cos.url, api: ["requestFileHandle"] })] });
    defer(() => browser.close());
  });

  // Without a GPU and a real model library, CreateMLCEngine ends where tvmjs compiles the library
  // web-llm read (from COS): everything before it, config and library, was web-llm's own loading.
  const NOT_A_TVM_MODULE = /CompileError|WebAssembly/;

  {
    test(`${name}: the first run stores the model, a reload makes no hub request`, { timeout: TIMEOUT }, async (t) => {
      const first = await browser.open(hub.url + BLANK_PAGE);
      hub.resetCounters();
      cos.resetCounters();
      const outcome = await snippet(first, name);
      t.diagnostic(`${name} first run: hub ${routeCounts(hub)}; COS created ${cos.counts.created}, getFile ${cos.counts.getFile}; ${outcome}`);
      await first.close();
      assert.match(outcome, NOT_A_TVM_MODULE);
      // The preparation's requests only: web-llm resolving by itself would ask for LFS pointers.
      assert.equal(hub.counters.tree, 1);
      assert.equal(hub.counters.raw + hub.counters.pathsInfo, 0);
      assert.equal(hub.counters.resolve + hub.counters.wasm, truth.size, "each file downloaded once");
      assert.equal(cos.counts.created, truth.size);
      const reload = await browser.open(hub.url + BLANK_PAGE);
      hub.resetCounters();
      cos.resetCounters();
      const again = await snippet(reload, name);
      t.diagnostic(`${name} reload: hub ${routeCounts(hub)}; COS created ${cos.counts.created}, getFile ${cos.counts.getFile}, bytes read ${cos.counts.bytesRead}; ${again}`);
      await reload.close();
      assert.match(again, NOT_A_TVM_MODULE);
      assert.equal(hubRequests(hub), 0, `no hub request (${routeCounts(hub)})`);
      assert.equal(cos.counts.created, 0);
      const library = truth.get(record.model_lib);
      assert.ok(cos.counts.bytesRead >= library.size, "web-llm read the model library from COS");
    });
  }
});
