// The typed contract between the core and the shim: step actions are an enum, a step carries
// only fields that mean one thing each, the error kinds are one list the core exports, and the
// shim spells neither an action nor a kind itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";

import { createCrossOriginCache, loadCore } from "../../js/index.js";

const HUB = "https://huggingface.co";
const SHARD = `${HUB}/org/model/resolve/main/shard_0.bin`;
const OTHER = "https://cdn.example/lib/model.wasm";
const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);
const pointer = (oid, size) => `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;

const jsRoot = new URL("../../js/", import.meta.url);
function jsSources(dir = jsRoot) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return jsSources(new URL(`${entry.name}/`, dir));
    return entry.name.endsWith(".js") ? [{ name: new URL(entry.name, dir).pathname, text: readFileSync(new URL(entry.name, dir), "utf8") }] : [];
  });
}

/** Whether a resolution of url begun at `now` is answered at once (from memory). */
function foundAt(resolver, url, now) {
  const resolution = resolver.resolution(url, now, false, 0, "");
  try {
    return resolution.next().found;
  } finally {
    resolution.delete();
  }
}

function withResolver(core, options, body) {
  const resolver = new core.Resolver(options);
  try {
    return body(resolver);
  } finally {
    resolver.delete();
  }
}

test("step actions are the core's enum: six values, distinct", async () => {
  const core = await loadCore();
  const names = ["done", "readSnapshot", "readPersisted", "readLegacy", "fetchBatch", "fetchPointer"];
  const values = names.map((name) => core.StepAction[name]);
  values.forEach((value, i) => assert.ok(value !== undefined && value !== null, `StepAction.${names[i]}`));
  assert.equal(new Set(values).size, names.length);
  assert.deepEqual(Object.keys(core.StepAction.values).length, names.length);
  for (const value of values) assert.notEqual(typeof value, "string");
});

test("a step carries one field per meaning: key, pointerUrl, store, group, dropKey; the resolution keeps the URL and store", async () => {
  const core = await loadCore();
  const { StepAction } = core;
  withResolver(core, { legacyStores: ["tvmjs-cos-hash-meta"], listRepos: false }, (resolver) => {
    const resolution = resolver.resolution(SHARD, 1000, false, 0, "");
    assert.equal(resolution.url(), SHARD);
    let step = resolution.next();
    assert.deepEqual(Object.keys(step).sort(), ["action", "dropKey", "errorKind", "errorMessage", "found", "group", "hit",
      "key", "persistBody", "persistKey", "pointerUrl", "recheck", "record", "refused", "store"]);
    assert.equal(step.action, StepAction.readPersisted);
    assert.equal(step.key, SHARD, "a read step reads the entry under the URL's key");
    assert.throws(() => resolution.pointerFetched(200, "", "", "", 1000, false, "", ""), /pointer_fetched after read-persisted/, "a result out of turn is refused");
    step = resolution.persistedRead(false, "", 1000);
    assert.equal(step.action, StepAction.readLegacy);
    assert.equal(step.store, "tvmjs-cos-hash-meta");
    assert.equal(step.key, SHARD);
    step = resolution.legacyRead(false, "", 1000);
    assert.equal(step.action, StepAction.fetchBatch);
    assert.ok(step.group.length > 0);
    assert.equal(step.pointerUrl, "");
    assert.throws(() => resolution.batchAnswered(1000), /before take_batches/, "no answer before the core named its request");
    const plan = resolver.takeBatches(1000);
    assert.equal(plan.requests.length, 1);
    assert.deepEqual(plan.requests[0].tickets, [resolution.ticket()]);
    assert.equal(plan.requests[0].group, step.group);
    resolver.applyBatch(plan.requests[0].group, 404, new Uint8Array(0), "", "", 1000, false);  // no paths-info there
    step = resolution.batchAnswered(1000);
    assert.equal(step.action, StepAction.fetchPointer);
    assert.equal(step.pointerUrl, `${HUB}/org/model/raw/main/shard_0.bin`);
    step = resolution.pointerFetched(200, pointer(HASH_A, 10), "", "", 1000, false, "", "");
    assert.equal(step.action, StepAction.done);
    assert.equal(step.found, true);
    assert.equal(step.record.value, HASH_A);
    resolution.delete();
  });
});

test("bytes that refute a persisted record name the entry to drop in dropKey", async () => {
  const core = await loadCore();
  withResolver(core, {}, (resolver) => {
    const resolution = resolver.resolution(SHARD, 1000, false, 0, "");
    resolution.persistedRead(true, JSON.stringify({ algorithm: "SHA-256", value: HASH_A, storedAt: 1000 }), 1000);
    resolution.delete();
    const step = resolver.recordContent(SHARD, { sha256: HASH_B, size: 3, expected: HASH_A, etag: "", repoCommit: "", gitBlob: "", responseUrl: "" }, 1001);
    assert.equal(step.recheck, true);
    assert.equal(step.dropKey, SHARD);
  });
});

test("the core itself reports bytes unlike their hash as cos-hash-mismatch", async () => {
  const core = await loadCore();
  withResolver(core, { persist: false }, (resolver) => {
    resolver.addIntegrity(OTHER, HASH_A);
    const step = resolver.recordContent(OTHER, { sha256: HASH_B, size: 3, expected: HASH_A, etag: "", repoCommit: "", gitBlob: "", responseUrl: "" }, 1000);
    assert.equal(step.refused, true);
    assert.equal(step.errorKind, "cos-hash-mismatch");
    assert.equal(step.errorKind, core.errorKinds.cosHashMismatch);
  });
});

test("error kinds are one list from the core, the same as index.d.ts and the README name", async () => {
  const core = await loadCore();
  const kinds = Object.values(core.errorKinds);
  assert.ok(Object.isFrozen(core.errorKinds));
  assert.equal(new Set(kinds).size, kinds.length, "each kind once");
  assert.equal(kinds.length, 19);
  for (const [name, kind] of Object.entries(core.errorKinds)) {
    assert.match(kind, /^[a-z]+(-[a-z0-9]+)+$/);
    assert.equal(kind.replace(/-(.)/g, (_, c) => c.toUpperCase()), name);
  }
  const declarations = readFileSync(new URL("../../js/index.d.ts", import.meta.url), "utf8");
  const uncommented = declarations.replace(/\/\*[\s\S]*?\*\//g, "");
  const start = uncommented.indexOf("export type ErrorKind =");
  const declared = [...uncommented.slice(start, uncommented.indexOf(";", start)).matchAll(/"([a-z-]+)"/g)].map((m) => m[1]);
  assert.deepEqual([...declared].sort(), [...kinds].sort());
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  for (const kind of kinds) assert.ok(readme.includes(`\`${kind}\``), `the README names ${kind}`);
});

test("the shim spells no error kind and no step action: it uses the core's constants", async () => {
  const core = await loadCore();
  const kinds = new Set(Object.values(core.errorKinds));
  const actions = ["done", "read-persisted", "read-legacy", "fetch-batch", "fetch-pointer", "readPersisted", "readLegacy", "fetchBatch", "fetchPointer",
    ...Object.keys(core.TransferAction.values).length ? Object.keys(core.TransferAction).filter((k) => k !== "values") : []];
  const sources = jsSources();
  assert.ok(sources.length > 10);
  for (const { name, text } of sources) {
    for (const [, literal] of text.matchAll(/["'`]([a-z][a-z0-9-]*)["'`]/g)) {
      assert.ok(!kinds.has(literal), `${name} spells the error kind "${literal}"`);
    }
    for (const [, literal] of text.matchAll(/\.action\s*[!=]==\s*["'`]([^"'`]*)["'`]/g)) assert.fail(`${name} compares an action with "${literal}"`);
    for (const [, literal] of text.matchAll(/case\s+["'`]([^"'`]*)["'`]/g)) {
      assert.ok(!actions.includes(literal), `${name} switches on the action string "${literal}"`);
    }
    // Every constant the shim names exists (a typo would report kind undefined).
    for (const [, constant] of text.matchAll(/\b(?:kinds|errorKinds)\.([A-Za-z]+)/g)) {
      assert.ok(Object.hasOwn(core.errorKinds, constant), `${name} names errorKinds.${constant}, which the core lacks`);
    }
  }
});

test("maxAgeOtherHosts has one name down to the core: a non-hub hash expires after it", async () => {
  const core = await loadCore();
  const expiresAt = (options) => withResolver(core, { persist: false, ...options }, (resolver) => {
    resolver.recordContent(OTHER, { sha256: HASH_A, size: 3, expected: "", etag: "", repoCommit: "", gitBlob: "", responseUrl: "" }, 1000);
    return [foundAt(resolver, OTHER, 1100), foundAt(resolver, OTHER, 1101)];
  });
  assert.deepEqual(expiresAt({ maxAgeOtherHosts: 100 }), [true, false]);
  assert.deepEqual(expiresAt({}), [true, true], "never by default");
  assert.deepEqual(expiresAt({ maxAgeOther: 100 }), [true, true], "the old spelling is gone");

  // Through the public option: the bytes' hash is forgotten once it expired.
  const bytes = new TextEncoder().encode("abc");
  const fetch = async () => new Response(bytes, { headers: { "Content-Length": "3" } });
  const resolveLater = async (options) => {
    const cache = await createCrossOriginCache({ fetch, storage: null, caches: undefined, ...options });
    try {
      await cache.fetchWithCache(OTHER, "arraybuffer");
      await new Promise((resolve) => setTimeout(resolve, 20));
      return await cache.resolveHash(OTHER);
    } finally {
      cache.dispose();
    }
  };
  assert.equal(await resolveLater({ maxAgeOtherHosts: 5 }), null);
  assert.match((await resolveLater({})).value, /^[0-9a-f]{64}$/);
});

test("stats() has no pointerRequests: resolutionRequests.pointer counts pointer requests", async () => {
  const cache = await createCrossOriginCache({ storage: null, caches: undefined, fetch: async () => new Response("") });
  try {
    const stats = cache.stats();
    assert.equal("pointerRequests" in stats, false);
    assert.equal(stats.resolutionRequests.pointer, 0);
  } finally {
    cache.dispose();
  }
});
