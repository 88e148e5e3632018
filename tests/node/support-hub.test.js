// Self-tests for local-hub/, over real HTTP with the global fetch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { startHub, seededBytes, lfsPointer, DEFAULT_REPO, NETWORK_PROFILES } from "../../local-hub/index.js";
import { sha256Hex as sha256 } from "../support/test-data.js";

const HUB_SCRIPT = fileURLToPath(new URL("../../local-hub/cli.js", import.meta.url));
const MiB = 1024 * 1024;
const gitBlob = (data) => {
  const buf = Buffer.from(data);
  return createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");
};
const bytesOf = async (response) => Buffer.from(await response.arrayBuffer());

/** Starts a hub that is closed when the test ends. */
async function hubFor(t, options = {}) {
  const hub = await startHub(options);
  t.after(() => hub.close());
  return hub;
}

/** Reads a body chunk by chunk until it ends or errors; returns what arrived. */
async function readUntilError(response) {
  const reader = response.body.getReader();
  let received = 0;
  const chunks = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { received, error: null, bytes: Buffer.concat(chunks) };
      received += value.length;
      chunks.push(value);
    }
  } catch (error) {
    return { received, error, bytes: Buffer.concat(chunks) };
  }
}

const pathsInfo = (hub, body, { type = "models", repo = DEFAULT_REPO, rev = "main", headers } = {}) =>
  fetch(`${hub.url}/api/${type}/${repo}/paths-info/${rev}`, {
    method: "POST",
    headers: headers ?? { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

test("default model: layout, URLs and deterministic content", async (t) => {
  const hub = await hubFor(t, { shards: 3, shardSize: 1000, seed: 7 });
  assert.match(hub.url, /^http:\/\/localhost:\d+$/);
  const model = hub.model;
  assert.equal(model.repo, "test-org/test-model");
  assert.equal(model.branch, "main");
  assert.match(model.commit, /^[0-9a-f]{40}$/);
  assert.deepEqual(
    model.files.map((f) => f.path),
    ["params_shard_0.bin", "params_shard_1.bin", "params_shard_2.bin", "tensor-cache.json", "mlc-chat-config.json", "tokenizer.json", "tokenizer_config.json"],
  );
  const shard = model.files[1];
  assert.equal(shard.size, 1000);
  assert.equal(shard.lfs, true);
  assert.equal(shard.url, `${hub.url}/test-org/test-model/resolve/main/params_shard_1.bin`);
  assert.equal(shard.commitUrl, `${hub.url}/test-org/test-model/resolve/${model.commit}/params_shard_1.bin`);
  assert.equal(shard.sha256, sha256(seededBytes(7, "params_shard_1.bin")(0, 1000)));
  assert.ok(model.files.filter((f) => f.path.endsWith(".json")).every((f) => !f.lfs));

  const cache = await (await fetch(model.files.find((f) => f.path === "tensor-cache.json").url)).json();
  assert.deepEqual(cache.records, [0, 1, 2].map((i) => ({ dataPath: `params_shard_${i}.bin`, format: "raw-shard", nbytes: 1000, records: [] })));
  assert.equal(typeof cache.metadata, "object");

  const tokenizerText = await (await fetch(model.files.find((f) => f.path === "tokenizer.json").url)).text();
  assert.ok(tokenizerText.length >= 64 * 1024 && tokenizerText.length < 80 * 1024, `tokenizer.json is ${tokenizerText.length} bytes`);
  assert.equal(JSON.parse(tokenizerText).model.type, "BPE");
  const chat = await (await fetch(model.files.find((f) => f.path === "mlc-chat-config.json").url)).json();
  assert.deepEqual(chat.tokenizer_files, ["tokenizer.json", "tokenizer_config.json"]);
  JSON.parse(await (await fetch(model.files.find((f) => f.path === "tokenizer_config.json").url)).text());

  // Same seed, same bytes; another seed, other bytes.
  const same = await hubFor(t, { shards: 3, shardSize: 1000, seed: 7 });
  const other = await hubFor(t, { shards: 3, shardSize: 1000, seed: 8 });
  assert.deepEqual(same.model.files.map((f) => f.sha256), model.files.map((f) => f.sha256));
  assert.equal(same.model.commit, model.commit);
  assert.notEqual(other.model.files[0].sha256, model.files[0].sha256);
  assert.notEqual(other.model.files.find((f) => f.path === "tokenizer.json").sha256, model.files.find((f) => f.path === "tokenizer.json").sha256);
});

test("resolve: bytes and headers for LFS and non-LFS files", async (t) => {
  const hub = await hubFor(t);
  const { commit, files } = hub.model;
  assert.equal(files.filter((f) => f.path.startsWith("params_shard_")).length, 8);
  const shard = files[0];
  assert.equal(shard.size, 256 * 1024);

  const res = await fetch(`${shard.url}?download=true`);
  assert.equal(res.status, 200);
  const body = await bytesOf(res);
  assert.equal(body.length, shard.size);
  assert.equal(sha256(body), shard.sha256);
  assert.equal(res.headers.get("content-length"), String(shard.size));
  assert.equal(res.headers.get("content-type"), "application/octet-stream");
  assert.equal(res.headers.get("x-repo-commit"), commit);
  assert.equal(res.headers.get("etag"), `"${shard.sha256}"`);
  assert.equal(res.headers.get("x-linked-etag"), `"${shard.sha256}"`);
  assert.equal(res.headers.get("x-linked-size"), String(shard.size));

  const config = files.find((f) => f.path === "mlc-chat-config.json");
  const configRes = await fetch(config.url);
  const configBytes = await bytesOf(configRes);
  assert.equal(sha256(configBytes), config.sha256);
  assert.equal(configRes.headers.get("content-type"), "application/json");
  assert.equal(configRes.headers.get("etag"), `"${gitBlob(configBytes)}"`);
  assert.equal(configRes.headers.get("x-linked-etag"), null);
  assert.equal(configRes.headers.get("x-linked-size"), null);

  // By commit id, and HEAD.
  const byCommit = await fetch(shard.commitUrl);
  assert.equal(sha256(await bytesOf(byCommit)), shard.sha256);
  const head = await fetch(shard.url, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(shard.size));
  assert.equal(head.headers.get("x-linked-etag"), `"${shard.sha256}"`);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

test("resolve: unknown repo, revision or path is a 404 'Entry not found'", async (t) => {
  const hub = await hubFor(t);
  const cases = [
    [`${hub.url}/nobody/nothing/resolve/main/config.json`, "RepoNotFound"],
    [`${hub.url}/test-org/test-model/resolve/no-such-branch/tokenizer.json`, "RevisionNotFound"],
    [`${hub.url}/test-org/test-model/resolve/${"0".repeat(40)}/tokenizer.json`, "RevisionNotFound"],
    [`${hub.url}/test-org/test-model/resolve/main/missing.bin`, "EntryNotFound"],
    [`${hub.url}/test-org/test-model/raw/main/missing.bin`, "EntryNotFound"],
  ];
  for (const [url, code] of cases) {
    const res = await fetch(url);
    assert.equal(res.status, 404, url);
    assert.equal(res.headers.get("x-error-code"), code);
    assert.match(await res.text(), /Entry not found/);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
  }
  assert.equal(hub.counters.notFound, cases.length);
  const other = await fetch(`${hub.url}/somewhere/else`);
  assert.equal(other.status, 404);
  await other.arrayBuffer();
  assert.equal(hub.counters.unknown, 1);
});

test("raw: LFS pointer text for LFS files, whole content otherwise", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { commit, files } = hub.model;
  const shard = files[1];
  const res = await fetch(`${hub.url}/test-org/test-model/raw/main/params_shard_1.bin`);
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.equal(text, `version https://git-lfs.github.com/spec/v1\noid sha256:${shard.sha256}\nsize ${shard.size}\n`);
  assert.equal(text, lfsPointer(shard.sha256, shard.size));
  assert.equal(res.headers.get("x-repo-commit"), commit);
  assert.equal(res.headers.get("etag"), `"${gitBlob(text)}"`);

  const tokenizer = files.find((f) => f.path === "tokenizer.json");
  const raw = await fetch(`${hub.url}/test-org/test-model/raw/${commit}/tokenizer.json`);
  assert.equal(sha256(await bytesOf(raw)), tokenizer.sha256);
  assert.equal(raw.headers.get("x-repo-commit"), commit);
});

test("tree: the same entries as paths-info, recursive or one level, paged by a Link header", async (t) => {
  const hub = await hubFor(t, { shards: 2, treePageSize: 3 });
  hub.addRepo({ id: "org/nested", files: [
    { path: "config.json", bytes: "{}" },
    { path: "onnx/model.onnx", bytes: "weights", lfs: true },
    { path: "onnx/deep/extra.bin", bytes: "x" },
  ] });
  const base = `${hub.url}/api/models/org/nested/tree/main`;
  const recursive = await fetch(`${base}?recursive=true`);
  assert.equal(recursive.status, 200);
  const entries = await recursive.json();
  assert.deepEqual(entries.map((e) => [e.type, e.path]), [["file", "config.json"], ["directory", "onnx"], ["file", "onnx/model.onnx"]]);
  assert.equal(entries[2].lfs.oid, sha256("weights"));
  assert.equal(entries[0].lfs, undefined);
  assert.equal(recursive.headers.get("link"), `<${base}?recursive=true&cursor=3>; rel="next"`);
  const last = await fetch(`${base}?recursive=true&cursor=3`);
  assert.deepEqual((await last.json()).map((e) => [e.type, e.path]), [["directory", "onnx/deep"], ["file", "onnx/deep/extra.bin"]]);
  assert.equal(last.headers.get("link"), null);
  assert.equal(hub.counters.tree, 2);

  const oneLevel = await (await fetch(`${base}/onnx`)).json();
  assert.deepEqual(oneLevel.map((e) => [e.type, e.path]), [["file", "onnx/model.onnx"], ["directory", "onnx/deep"]]);

  // The default model: 2 shards + JSON files, 3 per page, pages chained by rel="next".
  const seen = [];
  let next = `${hub.url}/api/models/${DEFAULT_REPO}/tree/main?recursive=true`;
  let pages = 0;
  while (next) {
    const page = await fetch(next);
    seen.push(...(await page.json()).map((e) => e.path));
    const link = page.headers.get("link");
    next = link ? /<([^>]+)>;\s*rel="next"/.exec(link)[1] : null;
    pages++;
  }
  assert.deepEqual(seen.sort(), hub.model.files.map((f) => f.path).sort());
  assert.equal(pages, Math.ceil(hub.model.files.length / 3));

  assert.equal((await fetch(`${hub.url}/api/models/org/none/tree/main`)).status, 404);
  assert.equal((await fetch(`${base}/no-such-dir`)).status, 404);
  assert.equal((await fetch(`${hub.url}/api/models/org/nested/tree/v9`)).status, 404);
  assert.equal((await fetch(base, { method: "POST" })).status, 405);
});

test("paths-info: shape, LFS details, omissions, bad bodies", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const { commit, files } = hub.model;
  const shard = files[0];
  const config = files.find((f) => f.path === "tokenizer_config.json");
  const res = await pathsInfo(hub, { paths: ["params_shard_0.bin", "nope.bin", "tokenizer_config.json"], expand: false });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-repo-commit"), commit);
  const pointer = lfsPointer(shard.sha256, shard.size);
  const configBytes = await bytesOf(await fetch(config.url));
  assert.deepEqual(await res.json(), [
    {
      type: "file",
      oid: gitBlob(pointer),
      size: shard.size,
      path: "params_shard_0.bin",
      lfs: { oid: shard.sha256, size: shard.size, pointerSize: Buffer.byteLength(pointer) },
    },
    { type: "file", oid: gitBlob(configBytes), size: config.size, path: "tokenizer_config.json" },
  ]);

  const none = await pathsInfo(hub, { paths: ["a", "b"] });
  assert.deepEqual(await none.json(), []);

  const byCommit = await pathsInfo(hub, { paths: ["params_shard_1.bin"] }, { rev: commit });
  assert.equal((await byCommit.json())[0].lfs.oid, files[1].sha256);

  const form = await pathsInfo(hub, "paths=params_shard_1.bin&paths=zzz", {
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  assert.deepEqual((await form.json()).map((e) => e.path), ["params_shard_1.bin"]);

  const bad = await pathsInfo(hub, "{not json");
  assert.equal(bad.status, 400);
  await bad.arrayBuffer();
  const notArray = await pathsInfo(hub, { paths: "tokenizer.json" });
  assert.equal(notArray.status, 400);
  await notArray.arrayBuffer();
  const missingRepo = await pathsInfo(hub, { paths: ["x"] }, { repo: "ghost/repo" });
  assert.equal(missingRepo.status, 404);
  await missingRepo.arrayBuffer();
  assert.equal(hub.counters.pathsInfo, 7);
});

test("revision API returns the commit a revision points at", async (t) => {
  const hub = await hubFor(t);
  const res = await fetch(`${hub.url}/api/models/test-org/test-model/revision/main`);
  assert.equal(res.status, 200);
  const info = await res.json();
  assert.equal(info.id, "test-org/test-model");
  assert.equal(info.sha, hub.model.commit);
  assert.ok(info.siblings.some((s) => s.rfilename === "tokenizer.json"));
  const missing = await fetch(`${hub.url}/api/models/test-org/test-model/revision/dev`);
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
  assert.equal(hub.counters.revision, 2);
});

test("model-library wasm under a GitHub-raw-like path", async (t) => {
  const hub = await hubFor(t);
  const { wasm } = hub.model;
  assert.equal(wasm.url, `${hub.url}/github-raw/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/test-model-webgpu.wasm`);
  const res = await fetch(wasm.url);
  assert.equal(res.status, 200);
  const bytes = await bytesOf(res);
  assert.equal(bytes.length, 128 * 1024);
  assert.equal(wasm.size, bytes.length);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
  assert.equal(sha256(bytes), wasm.sha256);
  assert.equal(hub.counters.wasm, 1);
  assert.equal(hub.counters.bytes.wasm, 128 * 1024);
  const missing = await fetch(`${hub.url}/github-raw/mlc-ai/other.wasm`);
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
});

test("counters, log, countFor and resetCounters", async (t) => {
  const hub = await hubFor(t, { shards: 2, shardSize: 5000 });
  const [shard0] = hub.model.files;
  await bytesOf(await fetch(shard0.url));
  await bytesOf(await fetch(shard0.url));
  const pointer = await (await fetch(shard0.url.replace("/resolve/", "/raw/"))).text();
  const info = await (await pathsInfo(hub, { paths: ["params_shard_0.bin", "params_shard_1.bin"] })).text();
  await (await fetch(shard0.url, { method: "HEAD" })).arrayBuffer();

  const c = hub.counters;
  assert.equal(c.requests, 5);
  assert.equal(c.resolve, 3);
  assert.equal(c.raw, 1);
  assert.equal(c.pathsInfo, 1);
  assert.equal(c.bytes.resolve, 10000);
  assert.equal(c.bytes.raw, Buffer.byteLength(pointer));
  assert.equal(c.bytes.pathsInfo, Buffer.byteLength(info));
  assert.deepEqual(
    hub.log.map(({ method, kind, status, bytes }) => ({ method, kind, status, bytes })),
    [
      { method: "GET", kind: "resolve", status: 200, bytes: 5000 },
      { method: "GET", kind: "resolve", status: 200, bytes: 5000 },
      { method: "GET", kind: "raw", status: 200, bytes: Buffer.byteLength(pointer) },
      { method: "POST", kind: "pathsInfo", status: 200, bytes: Buffer.byteLength(info) },
      { method: "HEAD", kind: "resolve", status: 200, bytes: 0 },
    ],
  );
  assert.equal(hub.log[0].url, "/test-org/test-model/resolve/main/params_shard_0.bin");
  const counts0 = hub.countFor("params_shard_0.bin");
  assert.equal(counts0.resolve, 3);
  assert.equal(counts0.raw, 1);
  assert.equal(counts0.pathsInfo, 1);
  assert.equal(counts0.total, 5);
  assert.equal(hub.countFor("params_shard_1.bin").total, 1);
  assert.equal(hub.countFor("tokenizer.json").total, 0);

  hub.resetCounters();
  assert.equal(hub.counters.requests, 0);
  assert.equal(hub.counters.bytes.resolve, 0);
  assert.deepEqual(hub.log, []);
});

test("fault: status, body and headers", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const [shard0, shard1] = hub.model.files;
  hub.setFault("params_shard_0", { status: 503, body: "try later", headers: { "Retry-After": "1" } });
  const res = await fetch(shard0.url);
  assert.equal(res.status, 503);
  assert.equal(await res.text(), "try later");
  assert.equal(res.headers.get("retry-after"), "1");
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  // Other files are untouched.
  assert.equal((await fetch(shard1.url)).status, 200);

  // Headers alone: override one, remove another, keep the body.
  hub.clearFaults();
  hub.setFault("params_shard_1", { headers: { "X-Linked-Etag": '"bogus"', "X-Repo-Commit": null } });
  const changed = await fetch(shard1.url);
  assert.equal(changed.headers.get("x-linked-etag"), '"bogus"');
  assert.equal(changed.headers.get("x-repo-commit"), null);
  assert.equal(sha256(await bytesOf(changed)), shard1.sha256);

  // A JSON body object, and clearFaults.
  hub.clearFaults();
  hub.setFault("paths-info", { status: 500, body: { error: "boom" } });
  const failed = await pathsInfo(hub, { paths: ["x"] });
  assert.equal(failed.status, 500);
  assert.deepEqual(await failed.json(), { error: "boom" });
  hub.clearFaults();
  assert.equal((await pathsInfo(hub, { paths: ["x"] })).status, 200);
});

test("fault: function matcher sees method, url, kind, path, range and authorization; times limits it", async (t) => {
  const hub = await hubFor(t, { shards: 2 });
  const [shard0] = hub.model.files;
  const seen = [];
  hub.setFault(
    (info) => {
      seen.push(info);
      return info.kind === "resolve" && info.path === "params_shard_0.bin";
    },
    { status: 500, times: 2 },
  );
  assert.equal((await fetch(shard0.url)).status, 500);
  assert.equal((await fetch(shard0.url.replace("/resolve/", "/raw/"))).status, 200);
  assert.equal((await fetch(shard0.url)).status, 500);
  const third = await fetch(shard0.url);
  assert.equal(third.status, 200);
  assert.equal(sha256(await bytesOf(third)), shard0.sha256);
  assert.deepEqual(seen[0], {
    method: "GET",
    url: "/test-org/test-model/resolve/main/params_shard_0.bin",
    kind: "resolve",
    path: "params_shard_0.bin",
    range: null,
    authorization: null,
  });
  assert.equal(seen[1].kind, "raw");
  // The fault removed itself after two hits, so the third GET was not shown to it.
  assert.equal(seen.length, 3);

  const authorizations = [];
  const removeAuthorizationFault = hub.setFault((info) => authorizations.push(info.authorization) < 0, { status: 500 });
  await bytesOf(await fetch(shard0.url, { headers: { Authorization: "Bearer seen" } }));
  removeAuthorizationFault();
  assert.deepEqual(authorizations, ["Bearer seen"]);

  const ranges = [];
  const removeRangeFault = hub.setFault((info) => ranges.push(info.range) < 0, { status: 500 });
  await bytesOf(await fetch(shard0.url, { headers: { Range: "bytes=10-" } }));
  removeRangeFault();
  assert.deepEqual(ranges, ["bytes=10-"], "the Range header is shown");
  assert.equal(hub.log.at(-1).range, "bytes=10-", "and logged");

  const remove = hub.setFault("tokenizer.json", { status: 418 });
  const tok = hub.model.files.find((f) => f.path === "tokenizer.json");
  assert.equal((await fetch(tok.url)).status, 418);
  remove();
  assert.equal((await fetch(tok.url)).status, 200);
});

test("fault: delayMs delays the reply", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  hub.setFault("params_shard_0", { delayMs: 300 });
  const started = performance.now();
  const res = await fetch(hub.model.files[0].url);
  await res.arrayBuffer();
  assert.ok(performance.now() - started >= 280, "reply came too soon");
  assert.equal(res.status, 200);
});

test("fault: replaceBytes serves other bytes with the real headers", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 4096 });
  const shard = hub.model.files[0];
  const evil = Buffer.alloc(4096, 0x41);
  hub.setFault("params_shard_0", { replaceBytes: evil, times: 1 });
  const res = await fetch(shard.url);
  const body = await bytesOf(res);
  assert.deepEqual(body, evil);
  assert.notEqual(sha256(body), shard.sha256);
  assert.equal(res.headers.get("x-linked-etag"), `"${shard.sha256}"`);
  assert.equal(res.headers.get("x-linked-size"), "4096");
  assert.equal(res.headers.get("etag"), `"${shard.sha256}"`);
  // times: 1, so the next one is real again.
  assert.equal(sha256(await bytesOf(await fetch(shard.url))), shard.sha256);
});

test("fault: resetAfterBytes drops the connection mid-body", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 1024 * 1024 });
  const shard = hub.model.files[0];
  hub.setFault("params_shard_0", { resetAfterBytes: 200_000, times: 1 });
  const res = await fetch(shard.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), String(shard.size));
  const { received, error, bytes } = await readUntilError(res);
  assert.ok(error, "the body should fail");
  assert.equal(received, 200_000);
  assert.deepEqual(bytes, seededBytes(1, "params_shard_0.bin")(0, 200_000));
  await sleep(20);
  assert.equal(hub.log[0].bytes, 200_000);
  assert.equal(hub.counters.bytes.resolve, 200_000);

  // Zero bytes: headers arrive, then the connection goes.
  hub.setFault("params_shard_0", { resetAfterBytes: 0, times: 1 });
  const empty = await fetch(shard.url);
  const result = await readUntilError(empty);
  assert.ok(result.error);
  assert.equal(result.received, 0);

  // The hub still serves afterwards.
  assert.equal(sha256(await bytesOf(await fetch(shard.url))), shard.sha256);
});

test("client aborting mid-body: bytes counts what was sent, not the file size", async (t) => {
  const hub = await hubFor(t, { shards: 0 });
  const size = 64 * MiB;
  hub.addRepo({ id: "big/one", files: [{ path: "w.bin", size, generate: seededBytes(3, "w"), sha256: "0".repeat(64) }] });
  const controller = new AbortController();
  const res = await fetch(`${hub.url}/big/one/resolve/main/w.bin`, { signal: controller.signal });
  const reader = res.body.getReader();
  let got = 0;
  while (got < MiB) got += (await reader.read()).value.length;
  controller.abort();
  await sleep(100);
  const sent = hub.log[0].bytes;
  assert.ok(sent >= got, `sent ${sent} < received ${got}`);
  assert.ok(sent < size / 2, `sent ${sent} bytes of ${size} to a client that stopped reading`);
  assert.equal(hub.counters.bytes.resolve, sent);
});

test("commit moves main; the old commit stays servable", async (t) => {
  const hub = await hubFor(t, { shards: 2, shardSize: 1000 });
  const before = hub.model;
  const oldShard = before.files[0];
  const newBytes = Buffer.from("new weights");
  const next = hub.commit(DEFAULT_REPO, { "params_shard_0.bin": newBytes, "tokenizer_config.json": null, "extra.txt": "hi" });
  assert.match(next, /^[0-9a-f]{40}$/);
  assert.notEqual(next, before.commit);

  const after = hub.model;
  assert.equal(after.commit, next);
  assert.ok(!after.files.some((f) => f.path === "tokenizer_config.json"));
  const changed = after.files.find((f) => f.path === "params_shard_0.bin");
  assert.equal(changed.lfs, true, "a changed file keeps its LFS flag");
  assert.equal(changed.sha256, sha256(newBytes));

  const main = await fetch(oldShard.url);
  assert.equal(main.headers.get("x-repo-commit"), next);
  assert.deepEqual(await bytesOf(main), newBytes);
  const old = await fetch(oldShard.commitUrl);
  assert.equal(old.headers.get("x-repo-commit"), before.commit);
  assert.equal(sha256(await bytesOf(old)), oldShard.sha256);

  const gone = await fetch(`${hub.url}/${DEFAULT_REPO}/resolve/main/tokenizer_config.json`);
  assert.equal(gone.status, 404);
  await gone.arrayBuffer();
  const stillThere = await fetch(`${hub.url}/${DEFAULT_REPO}/resolve/${before.commit}/tokenizer_config.json`);
  assert.equal(stillThere.status, 200);
  await stillThere.arrayBuffer();

  const rev = await (await fetch(`${hub.url}/api/models/${DEFAULT_REPO}/revision/main`)).json();
  assert.equal(rev.sha, next);
  const info = await (await pathsInfo(hub, { paths: ["params_shard_0.bin"] }, { rev: before.commit })).json();
  assert.equal(info[0].lfs.oid, oldShard.sha256);

  // Commit ids are deterministic: another hub doing the same gets the same ids.
  const twin = await hubFor(t, { shards: 2, shardSize: 1000 });
  assert.equal(twin.model.commit, before.commit);
  assert.equal(twin.commit(DEFAULT_REPO, { "params_shard_0.bin": newBytes, "tokenizer_config.json": null, "extra.txt": "hi" }), next);
});

test("addRepo: datasets, spaces, other branches and percent-encoded refs", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const data = Buffer.from("a,b\n1,2\n");
  const dataset = hub.addRepo({ id: "org/data", type: "dataset", files: [{ path: "dir/train.csv", bytes: data, lfs: true }] });
  assert.equal(dataset.files[0].url, `${hub.url}/datasets/org/data/resolve/main/dir/train.csv`);
  const res = await fetch(dataset.files[0].url);
  assert.deepEqual(await bytesOf(res), data);
  assert.equal(res.headers.get("x-linked-etag"), `"${sha256(data)}"`);
  // A model repo of the same name does not exist.
  const asModel = await fetch(`${hub.url}/org/data/resolve/main/dir/train.csv`);
  assert.equal(asModel.status, 404);
  await asModel.arrayBuffer();
  // Directory entries appear in paths-info; files by path.
  const info = await (await pathsInfo(hub, { paths: ["dir", "dir/train.csv"] }, { type: "datasets", repo: "org/data" })).json();
  assert.deepEqual(info.map((e) => [e.type, e.path]), [["directory", "dir"], ["file", "dir/train.csv"]]);

  const space = hub.addRepo({ id: "org/app", type: "space", files: [{ path: "app.py", bytes: "print(1)" }], branch: "dev" });
  assert.equal(space.branch, "dev");
  assert.equal(await (await fetch(`${hub.url}/spaces/org/app/resolve/dev/app.py`)).text(), "print(1)");
  assert.throws(() => hub.addRepo({ id: "org/app", type: "space" }), /exists/);

  // A PR ref made from a commit on the default model.
  const pr = hub.commit(DEFAULT_REPO, { "README.md": "pr" });
  hub.setBranch(DEFAULT_REPO, "refs/pr/1", pr);
  const refRes = await fetch(`${hub.url}/${DEFAULT_REPO}/resolve/refs%2Fpr%2F1/README.md`);
  assert.equal(refRes.status, 200);
  assert.equal(refRes.headers.get("x-repo-commit"), pr);
  assert.equal(await refRes.text(), "pr");
  assert.equal(hub.describe(DEFAULT_REPO, { revision: "refs/pr/1" }).files.at(-1).url, `${hub.url}/${DEFAULT_REPO}/resolve/refs%2Fpr%2F1/README.md`);
  const revInfo = await (await fetch(`${hub.url}/api/models/${DEFAULT_REPO}/revision/refs%2Fpr%2F1`)).json();
  assert.equal(revInfo.sha, pr);
});

test("CORS headers on every response, and preflight", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const shard = hub.model.files[0];
  for (const res of [await fetch(shard.url), await fetch(`${hub.url}/test-org/test-model/resolve/main/nope`)]) {
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const exposed = res.headers.get("access-control-expose-headers").split(/,\s*/).map((h) => h.toLowerCase());
    for (const name of ["x-repo-commit", "x-linked-etag", "x-linked-size", "content-length", "etag"]) {
      assert.ok(exposed.includes(name), `${name} not exposed`);
    }
    await res.arrayBuffer();
  }
  const pre = await fetch(`${hub.url}/api/models/test-org/test-model/paths-info/main`, {
    method: "OPTIONS",
    headers: { Origin: "http://example.test", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, authorization" },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), "*");
  assert.equal(pre.headers.get("access-control-allow-methods"), "GET, HEAD, POST, OPTIONS");
  const allowed = pre.headers.get("access-control-allow-headers");
  assert.match(allowed, /^\*/);
  assert.match(allowed, /authorization/);
  assert.equal(hub.counters.preflight, 1);

  // A string-matched fault leaves preflights alone.
  hub.setFault("params_shard_0", { status: 500 });
  const pre2 = await fetch(shard.url, { method: "OPTIONS" });
  assert.equal(pre2.status, 204);
});

test("static files: content types, index.html, traversal rejected", async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), "hub-static-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const site = path.join(root, "site");
  await mkdir(path.join(site, "sub"), { recursive: true });
  const files = {
    "index.html": ["<!doctype html><title>demo</title>", "text/html; charset=utf-8"],
    "app.js": ["export const x = 1;", "text/javascript; charset=utf-8"],
    "mod.mjs": ["export default 2;", "text/javascript; charset=utf-8"],
    "style.css": ["body{}", "text/css; charset=utf-8"],
    "core.wasm": ["\0asm\x01\0\0\0", "application/wasm"],
    "data.json": ["{}", "application/json; charset=utf-8"],
    "icon.svg": ["<svg/>", "image/svg+xml"],
    "logo.png": ["\x89PNG", "image/png"],
    "sub/index.html": ["sub page", "text/html; charset=utf-8"],
  };
  for (const [name, [content]] of Object.entries(files)) await writeFile(path.join(site, name), content);
  await writeFile(path.join(root, "secret.txt"), "do not serve");

  const hub = await hubFor(t, { shards: 1, static: [{ prefix: "/demo/", dir: site }] });
  for (const [name, [content, type]] of Object.entries(files)) {
    const res = await fetch(`${hub.url}/demo/${name}`);
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get("content-type"), type, name);
    assert.deepEqual(await bytesOf(res), Buffer.from(content), name);
  }
  assert.equal(await (await fetch(`${hub.url}/demo/`)).text(), files["index.html"][0]);
  assert.equal(await (await fetch(`${hub.url}/demo/sub/`)).text(), "sub page");

  for (const evil of ["/demo/..%2Fsecret.txt", "/demo/sub/..%2F..%2Fsecret.txt", "/demo/%2e%2e%2fsecret.txt", "/demo/sub%2F..%2F..%2Fsecret.txt"]) {
    const res = await fetch(`${hub.url}${evil}`);
    assert.equal(res.status, 403, evil);
    assert.doesNotMatch(await res.text(), /do not serve/);
  }
  const missing = await fetch(`${hub.url}/demo/missing.js`);
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
  const post = await fetch(`${hub.url}/demo/app.js`, { method: "POST", body: "x" });
  assert.equal(post.status, 405);
  await post.arrayBuffer();
  // 9 files, 2 directory indexes, 4 traversal attempts, 1 missing, 1 POST.
  assert.equal(hub.counters.static, 17);
  assert.ok(hub.counters.bytes.static > 0);
  // Hub routes still work next to static ones.
  assert.equal((await fetch(hub.model.files[0].url)).status, 200);
});

test("Range requests on resolve", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 10_000 });
  const shard = hub.model.files[0];
  const all = seededBytes(1, "params_shard_0.bin")(0, 10_000);
  const part = await fetch(shard.url, { headers: { Range: "bytes=100-199" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), "bytes 100-199/10000");
  assert.deepEqual(await bytesOf(part), all.subarray(100, 200));
  const tail = await fetch(shard.url, { headers: { Range: "bytes=-10" } });
  assert.deepEqual(await bytesOf(tail), all.subarray(9990));
  const open = await fetch(shard.url, { headers: { Range: "bytes=9995-" } });
  assert.deepEqual(await bytesOf(open), all.subarray(9995));
  const bad = await fetch(shard.url, { headers: { Range: "bytes=20000-" } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers.get("content-range"), "bytes */10000");
  await bad.arrayBuffer();
});

test("a lazily generated file gets its sha256 computed by streaming", async (t) => {
  const hub = await hubFor(t, { shards: 0 });
  const size = 3 * MiB + 5;
  const generate = seededBytes("lazy", "x");
  const repo = hub.addRepo({ id: "gen/lazy", files: [{ path: "blob.bin", size, generate }] });
  assert.equal(repo.files[0].sha256, null, "not computed up front");
  const res = await fetch(repo.files[0].url);
  const body = await bytesOf(res);
  assert.equal(body.length, size);
  assert.equal(res.headers.get("x-linked-etag"), `"${sha256(body)}"`);
  assert.equal(res.headers.get("x-linked-size"), String(size));
  assert.equal((await hub.fileInfo("gen/lazy", "blob.bin")).sha256, sha256(body));
  const info = await (await pathsInfo(hub, { paths: ["blob.bin"] }, { repo: "gen/lazy" })).json();
  assert.equal(info[0].lfs.oid, sha256(body));
  assert.throws(() => hub.addRepo({ id: "gen/bad", files: [{ path: "x", size: 1, generate, lfs: false }] }), TypeError);
});

test("a 512 MiB generated file is served streamingly with flat memory", async (t) => {
  const hub = await hubFor(t, { shards: 0 });
  const size = 512 * MiB;
  const generate = seededBytes(42, "huge");
  const claimed = "ab".repeat(32);
  const { files } = hub.addRepo({ id: "big/model", files: [{ path: "huge.bin", size, generate, sha256: claimed, lfs: true }] });
  const url = files[0].url;
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;

  const head = await fetch(url, { method: "HEAD" });
  assert.equal(head.headers.get("content-length"), String(size));
  assert.equal(head.headers.get("x-linked-size"), String(size));
  assert.equal(head.headers.get("x-linked-etag"), `"${claimed}"`);

  // The first 4 MiB of a full GET, then stop.
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  assert.equal(res.headers.get("content-length"), String(size));
  const reader = res.body.getReader();
  const chunks = [];
  let got = 0;
  while (got < 4 * MiB) {
    const { value } = await reader.read();
    chunks.push(value);
    got += value.length;
  }
  controller.abort();
  assert.deepEqual(Buffer.concat(chunks).subarray(0, 4 * MiB), generate(0, 4 * MiB));

  // The last 4 MiB by range.
  const tail = await fetch(url, { headers: { Range: `bytes=-${4 * MiB}` } });
  assert.equal(tail.status, 206);
  assert.equal(tail.headers.get("content-range"), `bytes ${size - 4 * MiB}-${size - 1}/${size}`);
  assert.deepEqual(await bytesOf(tail), generate(size - 4 * MiB, 4 * MiB));

  await sleep(50);
  const grown = process.memoryUsage().rss - rssBefore;
  assert.ok(grown < 160 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
  assert.ok(hub.log[1].bytes < 128 * MiB, `hub pushed ${hub.log[1].bytes} bytes to a reader that stopped`);
});

test("close() destroys open connections", async (t) => {
  const hub = await startHub({ shards: 1 });
  hub.setFault("params_shard_0", { delayMs: 5000 });
  const pending = fetch(hub.model.files[0].url);
  await sleep(50);
  const started = performance.now();
  await hub.close();
  await assert.rejects(pending);
  assert.ok(performance.now() - started < 2000);
  await assert.rejects(fetch(hub.model.files[0].url));
});

test("CLI prints the URL and serves the model; --net picks a network profile", async (t) => {
  const child = spawn(process.execPath, [HUB_SCRIPT, "--port", "0", "--shards", "2", "--net", "far"], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => child.kill());
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0].trim());
    });
    child.once("exit", (code) => reject(new Error(`hub exited with ${code}`)));
  });
  assert.match(url, /^http:\/\/localhost:\d+$/);
  const started = performance.now();
  const res = await fetch(`${url}/test-org/test-model/resolve/main/params_shard_1.bin`);
  assert.ok(performance.now() - started >= NETWORK_PROFILES.far.latencyMs - 10, "far: the first byte waits its latency");
  assert.equal(res.status, 200);
  assert.equal((await bytesOf(res)).length, 256 * 1024);
  const info = await (await fetch(`${url}/api/models/test-org/test-model/revision/main`)).json();
  assert.match(info.sha, /^[0-9a-f]{40}$/);
});

test("a gated repo answers 401 on every route without its Authorization value, and serves with it", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const authorization = "Bearer hf_gate";
  const info = hub.addRepo({ id: "gated/model", files: [{ path: "w.bin", bytes: "weights", lfs: true }], authorization });
  const [file] = info.files;
  const api = `${hub.url}/api/models/gated/model`;
  const routes = [
    [file.url, {}],
    [file.url.replace("/resolve/", "/raw/"), {}],
    [`${api}/tree/main?recursive=true`, {}],
    [`${api}/paths-info/main`, { method: "POST", body: JSON.stringify({ paths: ["w.bin"] }), headers: { "Content-Type": "application/json" } }],
    [`${api}/revision/main`, {}],
  ];
  for (const [url, init] of routes) {
    assert.equal((await fetch(url, init)).status, 401, url);
    assert.equal((await fetch(url, { ...init, headers: { ...init.headers, Authorization: "Bearer wrong" } })).status, 401, url);
    assert.equal((await fetch(url, { ...init, headers: { ...init.headers, Authorization: authorization } })).status, 200, url);
  }
  assert.deepEqual(hub.log.map((entry) => entry.authorization), routes.flatMap(() => [null, "Bearer wrong", authorization]));
  // Other repos stay open.
  assert.equal((await fetch(hub.model.files[0].url)).status, 200);
});

/** Fetches a URL and reads its body whole: {bytes, ms to the headers, ms to the last byte}. */
async function timedFetch(url) {
  const started = performance.now();
  const response = await fetch(url);
  const firstByteMs = performance.now() - started;
  const bytes = (await bytesOf(response)).length;
  return { bytes, firstByteMs, ms: performance.now() - started };
}

test("network profiles: loopback shapes nothing; unknown names and bad values are refused", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  assert.deepEqual(hub.network, NETWORK_PROFILES.loopback);
  assert.deepEqual(Object.keys(NETWORK_PROFILES).sort(), ["broadband", "far", "loopback"]);
  assert.deepEqual({ ...NETWORK_PROFILES.broadband }, { latencyMs: 30, connectionBytesPerSecond: 12.5e6, linkBytesPerSecond: 50e6 });
  assert.deepEqual({ ...NETWORK_PROFILES.far }, { latencyMs: 150, connectionBytesPerSecond: 4e6, linkBytesPerSecond: 20e6 });
  await assert.rejects(startHub({ network: "dial-up" }), RangeError);
  await assert.rejects(startHub({ network: { latencyMs: -1 } }), RangeError);
});

test("network far: each reply waits its first-byte latency; a 2 MB body under 4 MB/s per connection takes >= 0.4 s", async (t) => {
  const hub = await hubFor(t, { shards: 1, shardSize: 2e6, network: "far" });
  const { bytes, firstByteMs, ms } = await timedFetch(hub.model.files[0].url);
  assert.equal(bytes, 2e6);
  assert.ok(firstByteMs >= 140, `first byte after ${firstByteMs.toFixed(0)} ms`);
  // 2 MB at 4 MB/s is 0.5 s (one 64 KiB chunk may go at once).
  assert.ok(ms - firstByteMs >= 400, `body in ${(ms - firstByteMs).toFixed(0)} ms`);
});

test("network link cap: two connections share it (each 2 MB body takes >= 0.4 s at 8 MB/s in all); in-flight counted per route", async (t) => {
  const hub = await hubFor(t, { shards: 2, shardSize: 2e6, network: { linkBytesPerSecond: 8e6 } });
  const [a, b] = hub.model.files.filter((f) => f.lfs);
  const alone = await timedFetch(a.url);
  assert.ok(alone.ms >= 200, `one alone: ${alone.ms.toFixed(0)} ms (2 MB at 8 MB/s is 0.25 s)`);
  assert.equal(hub.counters.maxInFlight.resolve, 1);
  hub.resetCounters();
  const both = await Promise.all([timedFetch(a.url), timedFetch(b.url)]);
  // Shared in turn, neither finishes before 4 MB have gone through the link (0.5 s); taken one
  // after the other, the first would finish at 0.25 s.
  for (const { ms } of both) assert.ok(ms >= 400, `together: ${both.map((x) => x.ms.toFixed(0)).join(" and ")} ms`);
  assert.equal(hub.counters.maxInFlight.resolve, 2);
  assert.equal(hub.inFlight.resolve, 0, "none left in flight");
});
