// prepareWebLLMModel in Node against the local hub, with in-memory COS and Cache API stand-ins:
// what it stores, what it records in tvmjs's store (tvmjs's own format), how many requests,
// progress, abort, and the cache it accepts. web-llm itself is exercised in tests/browser/web-llm.test.js.
import { test } from "node:test";
import assert from "node:assert/strict";

import { prepareWebLLMModel, createCrossOriginCache, webLLMModelUrl } from "../../js/index.js";
import { DEFAULT_REPO } from "../../local-hub/index.js";
import { hangResolutionRequests, hubFor, modelUrls, expectedHash, stores } from "../support/cache-setup.js";

const recordFor = (hub) => ({ model: `${hub.url}/${DEFAULT_REPO}`, model_id: "test-model", model_lib: hub.model.wasm.url });

test("webLLMModelUrl follows web-llm's cleanModelUrl", () => {
  assert.equal(webLLMModelUrl("https://huggingface.co/mlc-ai/M-MLC"), "https://huggingface.co/mlc-ai/M-MLC/resolve/main/");
  assert.equal(webLLMModelUrl("https://huggingface.co/mlc-ai/M-MLC/"), "https://huggingface.co/mlc-ai/M-MLC/resolve/main/");
  assert.equal(webLLMModelUrl("https://huggingface.co/mlc-ai/M-MLC/resolve/v1.0/"), "https://huggingface.co/mlc-ai/M-MLC/resolve/v1.0/");
  assert.equal(webLLMModelUrl("https://huggingface.co/mlc-ai/M-MLC/resolve/abc"), "https://huggingface.co/mlc-ai/M-MLC/resolve/abc/");
  // "/resolve/" with nothing after it is not a revision: web-llm appends resolve/main/.
  assert.equal(webLLMModelUrl("https://h.test/o/m/resolve/"), "https://h.test/o/m/resolve/resolve/main/");
});

test("a ModelRecord: every file stored once, verified, one listing, URL→hash in tvmjs's store and format", async (t) => {
  const hub = await hubFor(t);
  const { caches, cos } = stores();
  const progress = [];
  const result = await prepareWebLLMModel(recordFor(hub), { caches, storage: cos.store.manager(), onProgress: (e) => progress.push(e) });
  const urls = modelUrls(hub);
  assert.equal(result.modelUrl, `${hub.url}/${DEFAULT_REPO}/resolve/main/`);
  assert.deepEqual(result.files.map((f) => f.url).sort(), [...urls].sort());
  for (const file of result.files) assert.equal(file.sha256, expectedHash(hub, file.url), file.url);
  assert.equal(hub.counters.tree, 1, "one listing for the revision");
  assert.equal(hub.counters.raw + hub.counters.pathsInfo, 0);
  assert.equal(hub.counters.resolve + hub.counters.wasm, urls.length, "each file downloaded once");
  const store = await caches.open("tvmjs-cos-hash-meta");
  for (const url of urls) {
    const entry = await store.match(url);
    assert.ok(entry, `tvmjs-cos-hash-meta has ${url}`);
    // tvmjs reads {algorithm, value} and passes the object to getFileHandle; ours adds fields it ignores.
    const { algorithm, value } = JSON.parse(await entry.text());
    assert.deepEqual({ algorithm, value }, { algorithm: "SHA-256", value: expectedHash(hub, url) });
  }
  const last = progress.at(-1);
  assert.equal(last.filesDone, urls.length);
  assert.equal(last.filesTotal, urls.length);
  assert.equal(last.loaded, last.total);
  for (let i = 1; i < progress.length; i++) {
    if (progress[i].filesTotal === progress[i - 1].filesTotal) assert.ok(progress[i].loaded >= progress[i - 1].loaded, "bytes never go back");
    assert.ok(progress[i].loaded <= progress[i].total);
  }

  // Again (a reload): nothing downloaded or stored, no request while the records are fresh.
  hub.resetCounters();
  const again = await prepareWebLLMModel(recordFor(hub), { caches, storage: cos.store.manager() });
  assert.equal(hub.counters.requests, 0);
  assert.equal(again.stats.downloads, 0);
  assert.equal(again.stats.stored, 0);
});

test("a tvmjs model URL: the tensor cache and its shards only", async (t) => {
  const hub = await hubFor(t);
  const { caches, cos } = stores();
  const modelUrl = `${hub.url}/${DEFAULT_REPO}/resolve/main/`;
  const result = await prepareWebLLMModel(modelUrl, { caches, storage: cos.store.manager() });
  const expected = hub.model.files.filter((f) => f.path === "tensor-cache.json" || f.path.startsWith("params_shard_")).map((f) => f.url);
  assert.deepEqual(result.files.map((f) => f.url).sort(), expected.sort());
});

test("abort: an aborted signal rejects before any request; aborting mid-way rejects and stops", async (t) => {
  const hub = await hubFor(t);
  const { caches, cos } = stores();
  await assert.rejects(prepareWebLLMModel(recordFor(hub), { caches, storage: cos.store.manager(), signal: AbortSignal.abort() }), { name: "AbortError" });
  assert.equal(hub.counters.requests, 0);

  const controller = new AbortController();
  let stored = 0;
  await assert.rejects(prepareWebLLMModel(recordFor(hub), {
    caches, storage: cos.store.manager(), signal: controller.signal,
    onProgress: (e) => {
      stored = e.filesDone;
      if (e.filesDone >= 1) controller.abort();
    },
  }), { name: "AbortError" });
  assert.ok(stored < modelUrls(hub).length, "it stopped before the last file");
});

test("a given cache must have scope tvmjs (tvmjs reads only tvmjs-cos-hash-meta)", async (t) => {
  const hub = await hubFor(t);
  const { caches, cos } = stores();
  const cache = await createCrossOriginCache({ caches, storage: cos.store.manager() });
  await assert.rejects(prepareWebLLMModel(recordFor(hub), { cache }), TypeError);
  cache.dispose();
  const tvmjsCache = await createCrossOriginCache({ caches, storage: cos.store.manager(), scope: "tvmjs" });
  const result = await prepareWebLLMModel(recordFor(hub), { cache: tvmjsCache });
  assert.equal(result.files.length, modelUrls(hub).length);
  assert.equal(tvmjsCache.stats().stored, modelUrls(hub).length, "the given cache did the work and stays usable");
  tvmjsCache.dispose();
});

test("a storage that keeps nothing: the preparation rejects (web-llm would fetch again)", async (t) => {
  const hub = await hubFor(t);
  const { caches } = stores();
  const events = [];
  await assert.rejects(prepareWebLLMModel(recordFor(hub), { caches, storage: {}, onError: (e) => events.push(e.kind) }), /not every file/);
  assert.ok(events.includes("cos-failed"));
});

test("the record's integrity becomes hints: a wrong SRI for the config rejects and stores nothing under it", async (t) => {
  const hub = await hubFor(t);
  const { caches, cos } = stores();
  const config = hub.model.files.find((f) => f.path === "mlc-chat-config.json");
  const wrong = `sha256-${Buffer.alloc(32, 7).toString("base64")}`;
  const record = { ...recordFor(hub), integrity: { config: wrong } };
  await assert.rejects(prepareWebLLMModel(record, { caches, storage: cos.store.manager() }), /mlc-chat-config\.json/);
  assert.equal(cos.store.get(config.sha256), undefined, "the config's bytes were not stored");
  const right = `sha256-${Buffer.from(config.sha256, "hex").toString("base64")}`;
  hub.resetCounters();
  const result = await prepareWebLLMModel({ ...recordFor(hub), integrity: { config: right } }, { caches, storage: cos.store.manager() });
  assert.equal(result.files.find((f) => f.url === config.url).sha256, config.sha256);
});

test("the rejection names the model without the URL's password", async (t) => {
  const hub = await hubFor(t);
  const { caches } = stores();
  const secret = "pw-do-not-print-7c1f";
  const model = `${hub.url.replace("://", `://user:${secret}@`)}/${DEFAULT_REPO}`;
  const error = await prepareWebLLMModel({ ...recordFor(hub), model }, { caches, storage: {} }).then(() => null, (e) => e);
  assert.match(String(error?.message), /not every file/);
  assert.doesNotMatch(String(error.message), new RegExp(secret));
});

test("a chat config cannot send the preparation to another host: tokenizer files outside the model folder are skipped", async (t) => {
  const hub = await hubFor(t);
  const other = await hubFor(t, { shards: 0 });
  const config = await (await fetch(`${hub.url}/${DEFAULT_REPO}/resolve/main/mlc-chat-config.json`)).json();
  config.tokenizer_files = [...config.tokenizer_files, `${other.url}/elsewhere/tokenizer.json`, "../up.json"];
  hub.commit(DEFAULT_REPO, { "mlc-chat-config.json": JSON.stringify(config) });
  const { caches, cos } = stores();
  const result = await prepareWebLLMModel(recordFor(hub), { caches, storage: cos.store.manager() });
  assert.equal(other.counters.requests, 0, "nothing was asked of the other host");
  const urls = result.files.map((f) => f.url);
  for (const name of ["tokenizer.json", "tokenizer_config.json"]) assert.ok(urls.includes(`${webLLMModelUrl(recordFor(hub).model)}${name}`), name);
  assert.ok(!urls.some((url) => url.includes("up.json") || url.startsWith(other.url)), urls.join(", "));
});

test("credentials in the record's URLs: progress shows them redacted, still counts each file's bytes; the result keeps them", async (t) => {
  const hub = await hubFor(t);
  const { caches, cos } = stores();
  const password = "pw-progress-secret-5e2a";
  const token = "hf_progress_token_91b3";
  const record = {
    ...recordFor(hub),
    model: `${hub.url.replace("://", `://user:${password}@`)}/${DEFAULT_REPO}`,
    model_lib: `${hub.model.wasm.url}?token=${token}`,
  };
  const progress = [];
  const result = await prepareWebLLMModel(record, { caches, storage: cos.store.manager(), onProgress: (e) => progress.push(e) });
  const leaks = progress.filter((e) => JSON.stringify(e).includes(password) || JSON.stringify(e).includes(token));
  assert.deepEqual(leaks, [], "no event shows the password or the token");
  assert.ok(progress.some((e) => e.url.includes("://***@")), "userinfo shown as ***");
  assert.ok(progress.some((e) => e.url.endsWith("?token=***")), "the token shown as ***");
  assert.doesNotMatch(JSON.stringify(result.stats), new RegExp(`${password}|${token}`));
  // Byte progress is still matched to its file: besides the event when a file is done, each file
  // has one at least from its download (the cache's events come with the URL redacted).
  const events = new Map();
  for (const e of progress) events.set(e.url, (events.get(e.url) ?? 0) + 1);
  assert.equal(events.size, result.files.length);
  for (const [url, count] of events) assert.ok(count >= 2, `${url}: ${count} event(s), no byte progress`);
  const last = progress.at(-1);
  assert.equal(last.loaded, last.total);
  // The result goes back to the caller who gave the URLs: they are the keys web-llm asks for.
  assert.equal(result.modelUrl, webLLMModelUrl(record.model));
  assert.ok(result.files.some((f) => f.url === record.model_lib));
  assert.ok(result.files.some((f) => f.url === `${result.modelUrl}mlc-chat-config.json`));
});

test("an invalid URL rejects with a redacted copy of the platform's TypeError", async () => {
  const { caches, cos } = stores();
  const password = "pw-invalid-secret-0d4e";
  const token = "hf_invalid_token_6c7f";
  const cases = {
    "record, model with userinfo, bad host": { model: `https://user:${password}@[zz/org/model`, model_id: "m", model_lib: "https://h.example/lib.wasm" },
    "record, model_lib with a token, bad port": { model: "https://h.example/org/model", model_id: "m", model_lib: `https://h.example:99999/lib.wasm?token=${token}` },
    "tvmjs model URL with userinfo, bad host": `https://user:${password}@exa mple.com/model/`,
  };
  const offline = async () => { throw new TypeError("offline"); };
  for (const [name, model] of Object.entries(cases)) {
    const error = await prepareWebLLMModel(model, { caches, storage: cos.store.manager(), fetch: offline }).then(() => null, (e) => e);
    assert.ok(error instanceof TypeError, `${name}: ${error}`);
    const shown = `${JSON.stringify({ ...error })} ${error.message} ${error.stack} ${error.cause}`;
    assert.doesNotMatch(shown, new RegExp(`${password}|${token}`), name);
  }
});

test("a tvmjs model URL given as a URL object", async (t) => {
  const hub = await hubFor(t);
  const { caches, cos } = stores();
  const modelUrl = `${hub.url}/${DEFAULT_REPO}/resolve/main/`;
  const result = await prepareWebLLMModel(new URL(modelUrl), { caches, storage: cos.store.manager() });
  assert.equal(result.modelUrl, modelUrl);
  const expected = hub.model.files.filter((f) => f.path === "tensor-cache.json" || f.path.startsWith("params_shard_")).map((f) => f.url);
  assert.deepEqual(result.files.map((f) => f.url).sort(), expected.sort());
});

test("abort while the hashes are being resolved: rejects with an AbortError while the hub's listing still hangs", { timeout: 60000 }, async (t) => {
  const hub = await hubFor(t);
  const listing = hangResolutionRequests(hub);
  const { caches, cos } = stores();
  // A given cache: it outlives the call, so its hung listing is still open when the call settles.
  const cache = await createCrossOriginCache({ caches, storage: cos.store.manager(), scope: "tvmjs", resolutionTimeout: 3000 });
  t.after(() => cache.dispose());
  const controller = new AbortController();
  const prepared = prepareWebLLMModel(recordFor(hub), { cache, signal: controller.signal });
  await listing;
  controller.abort();
  // Before: the call waited out the listing's, then paths-info's and the pointers' timeouts.
  await assert.rejects(prepared, { name: "AbortError" });
  assert.equal(hub.inFlight.tree, 1, "the listing is still unanswered");
});

test("a given cache: once a file fails and the call rejects, the other loads are aborted and none starts", async (t) => {
  const hub = await hubFor(t);
  // The first shard is gone from the repo: its download fails (404) once three others are under way.
  hub.commit(DEFAULT_REPO, { "params_shard_0.bin": null });
  const shardOf = (url) => /params_shard_(\d+)\.bin$/.exec(url)?.[1];
  const calls = [];  // {url, live} of every request the cache made: live, its signal not aborted then
  const held = [];  // the other shards' downloads: answered only by their load's abort
  let threeHeld;
  const othersUnderWay = new Promise((resolve) => { threeHeld = resolve; });
  const fetchSpy = (url, init = {}) => {
    calls.push({ url: String(url), live: !init.signal?.aborted });
    const shard = shardOf(String(url));
    if (shard === undefined) return fetch(url, init);
    if (shard === "0") return othersUnderWay.then(() => fetch(url, init));
    held.push(init.signal);
    if (held.length === 3) threeHeld();
    return new Promise((resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal.reason), { once: true }));
  };
  const { caches, cos } = stores();
  const cache = await createCrossOriginCache({ caches, storage: cos.store.manager(), scope: "tvmjs", fetch: fetchSpy });
  t.after(() => cache.dispose());

  await assert.rejects(prepareWebLLMModel(recordFor(hub), { cache }), /params_shard_0\.bin.*404/);
  const atRejection = calls.length;
  // Before: the other workers' downloads went on (here: held open for good).
  assert.equal(held.length, 3);
  assert.ok(held.every((signal) => signal?.aborted), "every load in flight was aborted");
  // Their loads have failed by now; a worker that went on would start its next one.
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  const later = calls.slice(atRejection).filter((call) => call.live);
  assert.deepEqual(later.map((call) => call.url), [], "no load started after the call rejected");
});

test("files[].url are the URLs tvmjs asks for (the URL parser's form), for names it percent-encodes", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 1024 });
  const names = ["é.bin", 'q"x.bin', "a{b}.bin"];
  const records = names.map((dataPath) => ({ dataPath, format: "raw-shard", nbytes: 1, records: [] }));
  hub.commit(DEFAULT_REPO, Object.fromEntries([["tensor-cache.json", JSON.stringify({ metadata: {}, records })],
    ...names.map((name) => [name, { bytes: Buffer.alloc(3000, name.charCodeAt(0)), lfs: true }])]));
  const { caches, cos } = stores();
  const modelUrl = `${hub.url}/${DEFAULT_REPO}/resolve/main/`;
  const result = await prepareWebLLMModel(modelUrl, { caches, storage: cos.store.manager() });
  const asked = names.map((name) => new URL(name, `${modelUrl}tensor-cache.json`).href);
  const urls = result.files.map((f) => f.url);
  for (const url of asked) assert.ok(urls.includes(url), `${url} in ${urls.join(" ")}`);
});
