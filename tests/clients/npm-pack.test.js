// The published package, as users get it: `npm pack` the repo (dist/ must be built), install the
// tarball into an empty folder, then import it from Node (ESM), require() it (CommonJS), load a file
// from the local hub through it, and type-check a consumer against the installed copy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { startHub } from "../../local-hub/index.js";
import { binPath, describeRun, runNode } from "../support/client-run.js";
import { installTarball, packRepo } from "../support/client-pack.js";
import { sha256Hex as sha } from "../support/test-data.js";

const ABC = sha("abc");

let work;
let app;
let tarball;
let packed;

before(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "coc-pack-"));
  packed = await packRepo(work);
  tarball = packed.tarball;
  app = path.join(work, "app");
  mkdirSync(app);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "smoke-app", private: true }));
  await installTarball(app, tarball);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball holds the package files and nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const needed of ["package.json", "README.md", "dist/core.js", "dist/core.wasm", "js/index.js", "js/index.d.ts", "js/core.js", "js/cache.js"]) {
    assert.ok(files.includes(needed), `${needed} is packed`);
  }
  for (const file of files) {
    assert.match(file, /^(package\.json|README\.md|LICENSE|dist\/core\.(js|wasm)|js\/(cos-bridge\/)?[^/]+\.(js|d\.ts))$/, `unexpected file ${file}`);
  }
  assert.equal(packed.entryCount, files.length);
});

test("ESM import from the installed package hashes correctly", async () => {
  const big = "x".repeat(3 * 1024 * 1024 + 7);
  const script = `
    import { sha256, createSha256, parseLfsPointer } from "cross-origin-cache";
    import { fileURLToPath } from "node:url";
    const enc = new TextEncoder();
    const streaming = await createSha256();
    for (let i = 0; i < 3; i++) streaming.update(enc.encode("x".repeat(1024 * 1024)));
    streaming.update(enc.encode("xxxxxxx"));
    const pointer = await parseLfsPointer("version https://git-lfs.github.com/spec/v1\\noid sha256:${ABC}\\nsize 3\\n");
    console.log(JSON.stringify({
      abc: await sha256(enc.encode("abc")),
      empty: await sha256(new Uint8Array(0)),
      big: streaming.digest(),
      pointer,
      resolved: fileURLToPath(import.meta.resolve("cross-origin-cache")),
    }));`;
  const result = await runNode(["--input-type=module", "-e", script], { cwd: app });
  assert.equal(result.code, 0, describeRun(result));
  const out = JSON.parse(result.stdout);
  assert.equal(out.abc, ABC);
  assert.equal(out.empty, sha(""));
  assert.equal(out.big, sha(big));
  assert.deepEqual(out.pointer, { oid: ABC, size: 3 });
  assert.equal(out.resolved, path.join(app, "node_modules", "cross-origin-cache", "js", "index.js"));
});

test("the installed package loads a file from the hub and verifies it (Node, no COS, no Cache API)", async (t) => {
  const hub = await startHub({ shards: 2, shardSize: 64 * 1024 });
  t.after(() => hub.close());
  const file = hub.model.files.find((f) => f.path === "params_shard_1.bin");
  const script = `
    import { createCrossOriginCache } from "cross-origin-cache";
    const cache = await createCrossOriginCache();
    const bytes = await cache.fetchWithCache(process.env.FILE_URL, "arraybuffer");
    const { createHash } = await import("node:crypto");
    console.log(JSON.stringify({
      hash: createHash("sha256").update(new Uint8Array(bytes)).digest("hex"),
      resolved: (await cache.resolveHash(process.env.FILE_URL))?.value,
      storage: cache.storageKind,
    }));
    cache.dispose();`;
  const result = await runNode(["--input-type=module", "-e", script], { cwd: app, env: { FILE_URL: file.url } });
  assert.equal(result.code, 0, describeRun(result));
  const out = JSON.parse(result.stdout);
  assert.equal(out.hash, file.sha256);
  assert.equal(out.resolved, file.sha256);
  assert.equal(out.storage, "none");
  assert.equal(hub.countFor("params_shard_1.bin").resolve, 1);
});

test("require() of the ES-module package follows Node's require(esm) support", async () => {
  const script = `
    const m = require("cross-origin-cache");
    m.sha256(new TextEncoder().encode("abc")).then((hex) => console.log(JSON.stringify({ keys: Object.keys(m).sort(), hex })));`;
  const enabled = process.features.require_module === true;
  // Node 20.19+ and 22.12+ load ES modules with require() by default; 20.16–20.18 only with
  // --experimental-require-module. Either way the package must be loadable (no top-level await).
  const plain = await runNode(["-e", script], { cwd: app });
  const flagged = await runNode([enabled ? "--no-experimental-require-module" : "--experimental-require-module", "-e", script], { cwd: app });
  const [works, refuses] = enabled ? [plain, flagged] : [flagged, plain];
  assert.equal(works.code, 0, describeRun(works));
  const out = JSON.parse(works.stdout.trim().split("\n").pop());
  assert.equal(out.hex, ABC);
  assert.deepEqual(out.keys, ["CrossOriginCache", "WllamaCacheManager", "connectCrossOriginStorage", "createCrossOriginCache",
    "createSha256", "createWllamaCacheManager", "exposeCrossOriginStorage", "installCrossOriginStorage",
    "installGetFileHandleAlias", "loadCore", "parseLfsPointer", "prepareWebLLMModel", "sha256", "webLLMModelUrl", "wllamaNameFromURL"]);
  assert.notEqual(refuses.code, 0);
  assert.match(refuses.stderr, /ERR_REQUIRE_ESM/);
});

test("TypeScript resolves the installed package's types", async () => {
  writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022", "dom"], strict: true, noEmit: true, types: [] },
    files: ["use.ts"],
  }));
  writeFileSync(path.join(app, "use.ts"), `
    import { sha256, createCrossOriginCache, loadCore, type CrossOriginCache } from "cross-origin-cache";
    export async function f(): Promise<string> {
      const cache: CrossOriginCache = await createCrossOriginCache({ scope: "app" });
      cache.dispose();
      const core = await loadCore();  // typed by the packed js/core.d.ts
      const limit: number = core.maxRecordBytes;
      return sha256(new Uint8Array(limit > 0 ? 1 : 0));
    }
    // @ts-expect-error the core module's Resolver takes an options object
    export const wrongCore = loadCore().then((core) => new core.Resolver("options"));
    // @ts-expect-error sha256 returns a Promise<string>
    export const wrong: number = sha256(new Uint8Array(1));
  `);
  const result = await runNode([binPath("typescript", "bin/tsc"), "-p", app, "--pretty", "false"], { cwd: app });
  assert.equal(result.code, 0, describeRun(result));
});
