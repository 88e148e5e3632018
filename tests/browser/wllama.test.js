// @wllama/wllama 3.8.1's own ModelManager in real Chromium with createWllamaCacheManager(cache) as
// its cacheManager, a Cross-Origin Storage manager present (the test polyfill, one backend shared
// by two localhost origins), and a split GGUF model (three generated shards) on the local hub.
// wllama's ESM build is served from node_modules by the test site. No inference: ModelManager's
// download, list, validity and delete paths only (wllama checks a model's URL ends in .gguf,
// then names and sizes; it reads GGUF headers only when llama.cpp loads the model).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, evaluateModule } from "../support/browser.js";
import { seededBytes } from "../../local-hub/index.js";
import { cleanups, secondOrigin, startCosWorld, sum } from "./helpers.js";

const REPO = "test-org/split-gguf";
const WLLAMA = "/node_modules/@wllama/wllama/esm/index.js";
const SHARD_SIZES = [192 * 1024 + 7, 160 * 1024, 96 * 1024 + 3];

// A GGUF-looking shard: magic "GGUF", version 3, tensor and key-value counts, then seeded bytes.
function shardBytes(index, size) {
  const bytes = Buffer.from(seededBytes(7, `shard-${index}`)(0, size));
  bytes.write("GGUF", 0, "latin1");
  bytes.writeUInt32LE(3, 4);
  bytes.writeBigUInt64LE(0n, 8);
  bytes.writeBigUInt64LE(3n, 16);
  return bytes;
}

// In the page: our cache, our wllama cacheManager over it, and wllama's own ModelManager; then
// `steps` (the source of an async function (ctx) → result) runs with them. Bytes handed back are
// hashed with WebCrypto, not our wasm.
function inPage(page, urls, steps) {
  return evaluateModule(page, "/js/index.js", async (m, { urls, wllama, steps }) => {
    const wl = await import(wllama);
    const events = [];
    const cache = await m.createCrossOriginCache({ onError: (e) => events.push({ kind: e.kind, message: e.message }) });
    const cacheManager = m.createWllamaCacheManager(cache);
    const quiet = { debug() {}, log() {}, info() {}, warn: (...a) => events.push({ kind: "wllama-warn", message: a.join(" ") }), error: (...a) => events.push({ kind: "wllama-error", message: a.join(" ") }) };
    const manager = new wl.ModelManager({ cacheManager, logger: quiet });
    const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
    const digest = async (blob) => hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
    const sha1Name = async (url) => `${hex(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(url)))}_${url.split("/").pop()}`;
    const describeModel = async (model) => {
      const blobs = await model.open();
      return {
        url: model.url,
        size: model.size,
        status: model.validate(),
        files: await Promise.all(model.files.map(async (file, i) => ({
          name: file.name,
          size: file.size,
          metadata: file.metadata,
          blobSize: blobs[i].size,
          sha256: await digest(blobs[i]),
        }))),
      };
    };
    const run = new Function(`return (${steps});`)();
    const result = await run({ wl, m, cache, cacheManager, manager, urls, describeModel, digest, sha1Name });
    const out = { ...result, storageKind: cache.storageKind, stats: cache.stats(), events };
    cache.dispose();
    return out;
  }, { urls, wllama: WLLAMA, steps: steps.toString() });
}

for (const browserName of BROWSERS) describe(`${browserName}: wllama 3.8.1 ModelManager with createWllamaCacheManager (COS polyfill shared by two origins)`, () => {
  let hub;
  let cos;
  let browser;
  let repo;
  let urls;
  const defer = cleanups(after);

  before(async () => {
    ({ hub, cos, browser } = await startCosWorld(defer, { shards: 0 }, browserName));
    const files = SHARD_SIZES.map((size, i) => ({
      path: `model-0000${i + 1}-of-00003.gguf`,
      bytes: shardBytes(i, size),
      lfs: true,
    }));
    repo = hub.addRepo({ id: REPO, files: [{ path: "README.md", bytes: "# split gguf\n" }, ...files] });
    repo.files = repo.files.filter((f) => f.path.endsWith(".gguf"));
    urls = repo.files.map((f) => f.url);
  });

  const truthOf = (url) => repo.files.find((f) => f.url === url);
  const gets = (kind) => hub.log.filter((e) => e.kind === kind && e.method === "GET");
  const heads = () => hub.log.filter((e) => e.method === "HEAD");
  const assertModel = (model) => {
    assert.equal(model.url, urls[0]);
    assert.equal(model.status, "valid");
    assert.equal(model.size, sum(SHARD_SIZES));
    assert.deepEqual(model.files.map((f) => f.metadata.originalURL), urls, "shards in order");
    for (const file of model.files) {
      const truth = truthOf(file.metadata.originalURL);
      assert.equal(file.sha256, truth.sha256, `bytes of ${truth.path} (WebCrypto)`);
      assert.equal(file.blobSize, truth.size);
      assert.equal(file.size, truth.size);
      assert.equal(file.metadata.originalSize, truth.size);
      assert.equal(file.metadata.sha256, truth.sha256);
    }
  };

  test("cold: downloadModel makes one listing and one download per shard, stored in COS", async (t) => {
    const page = await browser.open(hub.url + BLANK_PAGE);
    hub.resetCounters();
    cos.resetCounters();
    const result = await inPage(page, urls, async ({ manager, cacheManager, urls, describeModel, sha1Name }) => {
      const before = await manager.getModels({ includeInvalid: true });
      const model = await manager.downloadModel(urls[0]);
      const names = await Promise.all(urls.map((url) => cacheManager.getNameFromURL(url)));
      return {
        before: before.length,
        model: await describeModel(model),
        names,
        expectedNames: await Promise.all(urls.map(sha1Name)),
        listed: await cacheManager.list(),
      };
    });

    assert.equal(result.storageKind, "cross-origin-storage");
    assert.equal(result.before, 0);
    assertModel(result.model);
    assert.deepEqual(result.names, result.expectedNames, "wllama's own name format");
    assert.deepEqual(result.model.files.map((f) => f.name), result.names);
    assert.equal(result.listed.length, 3);
    assert.equal(hub.counters.tree, 1, "one listing of the repo revision");
    assert.equal(hub.counters.pathsInfo + hub.counters.raw, 0, "no paths-info, no pointer");
    for (const file of repo.files) {
      assert.equal(gets("resolve").filter((e) => e.path === file.path).length, 1, `${file.path} downloaded once`);
    }
    assert.equal(hub.counters.bytes.resolve, sum(SHARD_SIZES));
    assert.ok(heads().every((e) => e.kind === "resolve"), "HEADs are wllama's size probes of the shards");
    assert.deepEqual(result.stats.resolutionRequests, { listing: 1, pathsInfo: 0, pointer: 0 });
    assert.equal(result.stats.downloads, 3);
    assert.equal(result.stats.stored, 3);
    assert.equal(cos.counts.created, 3);
    assert.deepEqual(cos.entries().map((e) => e.hash).sort(), repo.files.map((f) => f.sha256).sort());
    assert.deepEqual(result.events, []);
    page.errors.assertNone();
    t.diagnostic(`hub: ${hub.counters.tree} listing, ${gets("resolve").length} GET downloads, ${heads().length} HEAD (wllama's getTotalDownloadSize); ` +
      `COS: ${cos.counts.created} created`);
    await page.close();
  });

  test("reload (new page, same profile): getModels and getModelOrDownload make no hub request", async (t) => {
    hub.resetCounters();
    cos.resetCounters();
    const page = await browser.open(hub.url + BLANK_PAGE);
    const result = await inPage(page, urls, async ({ manager, urls, describeModel }) => {
      const models = await manager.getModels();
      const model = await manager.getModelOrDownload({ url: urls[0] });
      return { count: models.length, listedUrl: models[0]?.url, model: await describeModel(model) };
    });

    assert.equal(result.count, 1);
    assert.equal(result.listedUrl, urls[0]);
    assertModel(result.model);
    assert.equal(hub.counters.requests, hub.counters.static, "only the page, the package and wllama's ESM were fetched");
    assert.equal(result.stats.downloads, 0);
    assert.deepEqual(result.stats.resolutionRequests, { listing: 0, pathsInfo: 0, pointer: 0 });
    assert.equal(cos.counts.createWritable, 0);
    // list() sizes come from the records and a handle lookup; only open() reads the files.
    assert.equal(cos.counts.getFile, 3, "each shard's File fetched once, by Model.open()");
    assert.equal(cos.counts.bytesRead, sum(SHARD_SIZES));
    assert.deepEqual(result.events, []);
    page.errors.assertNone();
    t.diagnostic(`reload: ${hub.counters.requests} hub requests, all static; COS: ${cos.counts.getFile} getFile calls, ${cos.counts.bytesRead} bytes read by the page`);
    await page.close();
  });

  test("second origin: nothing listed there yet; downloadModel downloads nothing (bytes from COS)", async (t) => {
    const other = await secondOrigin({ hub, cos }, defer);
    const page = await browser.open(other.url + BLANK_PAGE);
    const result = await inPage(page, urls, async ({ manager, urls, describeModel }) => {
      const before = await manager.getModels({ includeInvalid: true });
      const model = await manager.downloadModel(urls[0]);
      const after = await manager.getModels();
      return { before: before.length, after: after.length, model: await describeModel(model) };
    });

    assert.equal(result.before, 0, "the other origin's wllama index is its own");
    assert.equal(result.after, 1);
    assertModel(result.model);
    assert.equal(gets("resolve").length, 0, "no shard downloaded");
    assert.equal(hub.counters.bytes.resolve, 0);
    assert.equal(hub.counters.tree, 1, "its persisted store is empty: one listing");
    assert.equal(result.stats.downloads, 0);
    assert.equal(result.stats.storageHits >= 3, true);
    assert.equal(cos.counts.created, 0, "nothing new in COS");
    const reads = cos.calls.filter((c) => c.step === "getFile");
    assert.ok(reads.length >= 3 && reads.every((c) => c.origin === other.url && !c.error), "read by the second origin");
    assert.deepEqual(result.events, []);
    page.errors.assertNone();
    t.diagnostic(`second origin: ${hub.counters.tree} listing, ${gets("resolve").length} downloads, ${heads().length} HEAD (wllama's), ` +
      `COS: ${cos.counts.getFile} getFile calls, ${cos.counts.bytesRead} bytes read by the page`);
    await page.close();
  });

  test("list, getSize, getMetadata, open, validity, delete, Model.remove and clear as wllama expects", async (t) => {
    hub.resetCounters();
    const page = await browser.open(hub.url + BLANK_PAGE);
    const result = await inPage(page, urls, async ({ manager, cacheManager: cm, urls, digest }) => {
      const out = {};
      const listed = await cm.list();
      const byUrl = new Map(listed.map((e) => [e.metadata.originalURL, e]));
      out.listed = urls.map((url) => ({ name: byUrl.get(url)?.name, size: byUrl.get(url)?.size, metadata: byUrl.get(url)?.metadata }));
      const name1 = await cm.getNameFromURL(urls[1]);
      out.getSize = await cm.getSize(name1);
      out.getSizeByUrl = await cm.getSize(urls[1]);
      out.getMetadata = await cm.getMetadata(name1);
      const byName = await cm.open(name1);
      const byURL = await cm.open(urls[1]);
      out.openByName = { size: byName?.size, sha256: byName && await digest(byName) };
      out.openByURL = { size: byURL?.size, sha256: byURL && await digest(byURL) };
      out.missing = { size: await cm.getSize("nope_x.gguf"), metadata: await cm.getMetadata("nope_x.gguf"), open: await cm.open("nope_x.gguf") };

      // Validity: a size that does not match the metadata makes the model invalid; refresh repairs it.
      await cm.writeMetadata(name1, { ...out.getMetadata, originalSize: out.getMetadata.originalSize + 1 });
      out.validAfterBadSize = (await manager.getModels()).length;
      const [invalid] = await manager.getModels({ includeInvalid: true });
      out.invalidStatus = invalid?.validate();
      await invalid.refresh();
      out.statusAfterRefresh = invalid.validate();
      out.validAfterRefresh = (await manager.getModels()).length;

      // delete(url) of the first shard: the model is missing.
      await cm.delete(urls[0]);
      out.afterDelete = { models: (await manager.getModels({ includeInvalid: true })).length, files: (await cm.list()).length, size: await cm.getSize(urls[0]) };
      const again = await manager.downloadModel(urls[0]);
      out.afterRedownload = { status: again.validate(), models: (await manager.getModels()).length };

      // Model.remove(): wllama's list + deleteMany.
      await again.remove();
      out.afterRemove = { models: (await manager.getModels({ includeInvalid: true })).length, files: (await cm.list()).length, size: again.size };

      // clear(): nothing left.
      await manager.downloadModel(urls[0]);
      out.beforeClear = (await cm.list()).length;
      await manager.clear();
      out.afterClear = { models: (await manager.getModels({ includeInvalid: true })).length, files: (await cm.list()).length, metadata: await cm.getMetadata(name1) };
      return out;
    });

    for (const [i, url] of urls.entries()) {
      const truth = truthOf(url);
      assert.equal(result.listed[i].size, truth.size);
      assert.equal(result.listed[i].metadata.originalSize, truth.size);
      assert.equal(result.listed[i].metadata.sha256, truth.sha256);
      assert.equal(result.listed[i].metadata.etag, truth.sha256);
    }
    assert.equal(result.getSize, SHARD_SIZES[1]);
    assert.equal(result.getSizeByUrl, SHARD_SIZES[1]);
    assert.equal(result.getMetadata.originalURL, urls[1]);
    assert.deepEqual(result.openByName, { size: SHARD_SIZES[1], sha256: truthOf(urls[1]).sha256 });
    assert.deepEqual(result.openByURL, result.openByName);
    assert.deepEqual(result.missing, { size: -1, metadata: null, open: null });
    assert.equal(result.validAfterBadSize, 0, "size ≠ originalSize: not a valid model");
    assert.equal(result.invalidStatus, "invalid");
    assert.equal(result.statusAfterRefresh, "valid");
    assert.equal(result.validAfterRefresh, 1);
    assert.deepEqual(result.afterDelete, { models: 0, files: 2, size: -1 }, "first shard deleted: the model is missing");
    assert.deepEqual(result.afterRedownload, { status: "valid", models: 1 });
    assert.deepEqual(result.afterRemove, { models: 0, files: 0, size: -1 });
    assert.equal(result.beforeClear, 3);
    assert.deepEqual(result.afterClear, { models: 0, files: 0, metadata: null });
    assert.equal(gets("resolve").length, 0, "COS keeps the bytes (sites cannot delete there): nothing downloaded again");
    assert.deepEqual(result.events, []);
    page.errors.assertNone();
    t.diagnostic(`hub during list/delete/redownload: ${hub.counters.tree} listings, ${gets("resolve").length} downloads, ${heads().length} HEAD`);
    await page.close();
  });
});
