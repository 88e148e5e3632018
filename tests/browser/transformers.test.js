// transformers.js (@huggingface/transformers 4.3.1, its browser build served as an ES module) in a
// real Chromium page and in a real dedicated module worker, with our cache as env.customCache and the
// local hub as env.remoteHost: AutoTokenizer, AutoConfig and AutoModel load a tiny model repo's
// tokenizer, config and ONNX model (Git LFS, into an onnxruntime-web session on the wasm backend,
// served by the test site; never run); a reload (new page, new worker) makes no hub request; a second origin downloads no LFS
// body. In the worker, the page lends its COS (the test polyfill) with exposeCrossOriginStorage.
// Bytes are checked with WebCrypto in the browser against the hub's own SHA-256s.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, launchBrowser, startSite } from "../support/browser.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { cosInitScript } from "../support/cos-page-polyfill.js";
import { SAMPLE_IDS, SAMPLE_TEXT, modelConfig, tokenizerFiles } from "../clients/fixtures/tiny-tokenizer.js";
import { cleanups } from "./helpers.js";
import { loadInPage, loadInWorker } from "./transformers-page.js";
import { tinyEmbeddingModel } from "./tiny-onnx.js";

const TIMEOUT = 180_000;  // a loaded 2-core machine: parsing a 1.3 MB module in a page and a worker

/** Hub route requests (everything but the static files of the test site). */
const hubRequests = (hub) => hub.counters.requests - hub.counters.static;
/** Per-file /resolve/ requests with their status, sorted: "tokenizer.json:200". */
const resolved = (hub) => hub.log.filter((e) => e.kind === "resolve").map((e) => `${e.path}:${e.status}`).sort();
const routeCounts = (hub) => {
  const { resolve, raw, tree, pathsInfo, revision } = hub.counters;
  return `resolve ${resolve}, tree ${tree}, paths-info ${pathsInfo}, raw ${raw}, revision ${revision}`;
};

for (const browserName of BROWSERS) for (const where of ["page", "worker"]) {
  describe(`${browserName}: transformers.js in a ${where}, env.customCache = our cache`, { timeout: TIMEOUT * 4 }, () => {
    const REPO = `test-org/tiny-bert-${where}`;
    let hub;
    let cos;
    let browser;
    let repo;
    let truth;  // url → {path, sha256, size, lfs}
    const defer = cleanups(after);
    const load = (page) => (where === "page" ? loadInPage : loadInWorker)(page, {
      hubUrl: hub.url, repo: REPO, text: SAMPLE_TEXT, check: [...truth.keys()], model: true,
    });
    const lfsPaths = () => repo.files.filter((f) => f.lfs).map((f) => f.path);
    const urls = () => [...truth.keys()].sort();
    const totalBytes = () => [...truth.values()].reduce((a, f) => a + f.size, 0);
    const hitCalls = (result) => result.calls.filter((c) => c.outcome === "hit");
    const putBefore = (result, call) => result.calls.slice(0, result.calls.indexOf(call)).some((c) => c.method === "put" && c.key === call.key);
    const puts = (result) => result.calls.filter((c) => c.method === "put").map((c) => c.key).sort();

    /** What every load must give: the right tokens and config, and every byte our cache holds right. */
    const assertLoaded = (result) => {
      assert.deepEqual(result.ids, SAMPLE_IDS);
      assert.equal(result.modelType, modelConfig.model_type);
      assert.equal(result.vocabSize, modelConfig.vocab_size);
      assert.deepEqual(result.session, { className: "BertModel", inputNames: ["input_ids"], outputNames: ["last_hidden_state"] },
        "AutoModel built an onnxruntime-web session from the ONNX bytes our cache gave");
      assert.equal(result.storageKind, "cross-origin-storage");
      for (const file of result.files) {
        const want = truth.get(file.url);
        assert.equal(file.held, true, `our cache holds ${want.path}`);
        assert.equal(file.sha256, want.sha256, `WebCrypto SHA-256 of ${want.path} as our cache holds it`);
        assert.equal(file.size, want.size, `size of ${want.path}`);
      }
      assert.deepEqual(result.errors, []);
      for (const call of result.calls) {
        if (!call.key.startsWith("http")) assert.notEqual(call.outcome, "hit", "a local-path key is never a hit");
      }
    };

    before(async () => {
      hub = await startSite({ shards: 0 });
      defer(() => hub.close());
      const onnx = tinyEmbeddingModel({ vocabSize: modelConfig.vocab_size, hidden: 256 });
      repo = hub.addRepo({ id: REPO, files: [...tokenizerFiles(), { path: "onnx/model.onnx", bytes: onnx, lfs: true }] });
      truth = new Map(repo.files.map((f) => [f.url, { path: f.path, sha256: f.sha256, size: f.size, lfs: f.lfs }]));
      cos = await startCosBackend();
      defer(() => cos.close());
      browser = await launchBrowser({ browser: browserName, initScripts: [cosInitScript({ backend: cos.url })] });
      defer(() => browser.close());
    });

    test("cold: tokenizer, config and ONNX model load through our cache into COS, each body downloaded once", { timeout: TIMEOUT }, async (t) => {
      const page = await browser.open(hub.url + BLANK_PAGE);
      hub.resetCounters();
      cos.resetCounters();
      const result = await load(page);

      assertLoaded(result);
      if (where === "worker") assert.equal(result.ownCos, "undefined", "the worker has no COS of its own");
      // Each file's body came from the hub once (transformers.js may probe a file with a 1-byte range first).
      for (const { path } of truth.values()) {
        assert.equal(hub.log.filter((e) => e.kind === "resolve" && e.path === path && e.status === 200).length, 1, `${path} downloaded once`);
      }
      assert.equal(hub.counters.tree, 1, "one listing of the repo revision resolves the LFS file's hash");
      assert.equal(hub.counters.raw + hub.counters.pathsInfo, 0);
      // transformers.js downloaded each file itself and handed it to put(): our cache fetched no body
      // and stored every byte it was given. Its only storage reads are of files put earlier in this
      // load (AutoModel reads config.json again after AutoConfig).
      assert.equal(result.stats.downloads, 0);
      const hits = hitCalls(result);
      for (const hit of hits) assert.ok(putBefore(result, hit), `${hit.key} was a hit only after its put()`);
      assert.equal(result.stats.storageHits, hits.length);
      assert.equal(result.stats.stored, truth.size);
      assert.equal(result.stats.bytesStored, totalBytes());
      assert.deepEqual(puts(result), urls());
      // COS holds exactly the hub's files, written by this page's origin.
      assert.deepEqual(cos.entries().map((e) => e.hash).sort(), [...truth.values()].map((f) => f.sha256).sort());
      for (const entry of cos.entries()) assert.equal(entry.ownerOrigin, hub.url);
      page.errors.assertNone();
      t.diagnostic(`${where} cold: hub ${routeCounts(hub)} (${resolved(hub).join(", ")}); stats downloads ${result.stats.downloads}, ` +
        `storageHits ${result.stats.storageHits}, stored ${result.stats.stored}; match/put ${result.calls.filter((c) => c.method === "match").length}/` +
        `${result.calls.filter((c) => c.method === "put").length}`);
      await page.close();
    });

    test(`reload (new page${where === "worker" ? ", new worker" : ""}): no hub request, every byte from COS`, { timeout: TIMEOUT }, async (t) => {
      const page = await browser.open(hub.url + BLANK_PAGE);
      hub.resetCounters();
      cos.resetCounters();
      const result = await load(page);

      assertLoaded(result);
      assert.equal(hubRequests(hub), 0, `no hub request (saw: ${routeCounts(hub)})`);
      // Every file was a hit of our match() (transformers.js asks for some twice),
      // every hit read from COS, and nothing was downloaded or stored.
      const hits = result.calls.filter((c) => c.outcome === "hit");
      assert.deepEqual([...new Set(hits.map((c) => c.key))].sort(), urls());
      assert.equal(result.stats.storageHits, hits.length);
      assert.equal(result.stats.bytesFromStorage, hits.reduce((a, c) => a + truth.get(c.key).size, 0));
      assert.equal(result.stats.storageMisses, 0);
      assert.equal(result.stats.hits.persisted, truth.size, "hashes from the persisted URL→hash store");
      assert.equal(result.stats.downloads + result.stats.stored, 0);
      assert.deepEqual(puts(result), []);
      assert.equal(cos.counts.created, 0);
      page.errors.assertNone();
      t.diagnostic(`${where} reload: hub ${routeCounts(hub)}, ${hub.counters.static} static; stats downloads ${result.stats.downloads}, ` +
        `storageHits ${result.stats.storageHits}, persisted hits ${result.stats.hits.persisted}; COS reads ${cos.counts.getFile}`);
      await page.close();
    });

    test("second origin: no LFS body downloaded (tokenizer.json, onnx/model.onnx), the LFS files come from COS", { timeout: TIMEOUT }, async (t) => {
      const other = await startSite({ shards: 0 });
      defer(() => other.close());
      assert.notEqual(new URL(other.url).origin, new URL(hub.url).origin);
      const page = await browser.open(other.url + BLANK_PAGE);
      hub.resetCounters();
      cos.resetCounters();
      const result = await load(page);

      assertLoaded(result);
      for (const path of lfsPaths()) assert.equal(hub.countFor(path).resolve, 0, `${path} (LFS) not requested`);
      assert.equal(hub.counters.tree, 1, "one listing: the other origin has no persisted hashes");
      // The LFS files were hits of our match(), read from COS, never put; only the ordinary files
      // (whose SHA-256 no listing gives) were downloaded by transformers.js and put() (and config.json
      // then read again by AutoModel).
      const lfsUrls = urls().filter((u) => truth.get(u).lfs);
      const hits = hitCalls(result);
      for (const url of lfsUrls) assert.ok(hits.some((c) => c.key === url), `${url} a hit`);
      for (const hit of hits) assert.ok(truth.get(hit.key).lfs || putBefore(result, hit), `${hit.key}: LFS, or a hit after its put()`);
      assert.equal(result.stats.storageHits, hits.length);
      assert.deepEqual(puts(result), urls().filter((u) => !truth.get(u).lfs));
      assert.equal(result.stats.downloads, 0);
      const reads = cos.calls.filter((c) => c.step === "getFile");
      assert.ok(reads.length >= lfsPaths().length && reads.every((c) => c.origin === other.url), "read by the second origin");
      assert.equal(cos.counts.created, 0, "nothing new stored: the same bytes are already there");
      page.errors.assertNone();
      t.diagnostic(`${where} second origin: hub ${routeCounts(hub)} (${resolved(hub).join(", ")}); stats storageHits ${result.stats.storageHits}, ` +
        `stored ${result.stats.stored} (COS entries created ${cos.counts.created})`);
      await page.close();
    });
  });
}
