// js/core.d.ts is written by hand beside bindings/: these tests fail when the two drift apart —
// a name bound but not declared, declared but not bound, a field of a crossing value that the
// declaration does not list (or lists but never arrives), or a test-only binding in the package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { loadCore } from "../../js/core.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const declarations = readFileSync(path.join(ROOT, "js/core.d.ts"), "utf8");
// bindings/test_bindings.cpp builds only into the test module, never into dist/.
const TEST_ONLY = "test_bindings.cpp";

/** The members (own lines at two spaces' indent) of `export interface name { ... }` in core.d.ts. */
function declared(name) {
  const start = declarations.indexOf(`export interface ${name} `);
  assert.notEqual(start, -1, `core.d.ts declares ${name}`);
  const body = declarations.slice(declarations.indexOf("{", start) + 1, declarations.indexOf("\n}", start));
  const own = [...body.matchAll(/^ {2}(?:readonly )?(\w+)\??[:(]/gm)].map((m) => m[1]);
  const base = /extends (\w+)/.exec(declarations.slice(start, declarations.indexOf("{", start)))?.[1];
  return new Set([...own, ...(base ? declared(base) : [])]);
}

/** Names a bindings file registers at the module's top level, and the methods of each class. */
function bound(files) {
  const top = new Set();
  const methods = new Map();
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, "bindings", file), "utf8");
    for (const m of text.matchAll(/(?<!\.)\b(?:function|constant)\("(\w+)"/g)) top.add(m[1]);
    for (const m of text.matchAll(/\benum_<[^>]+>\("(\w+)"\)/g)) top.add(m[1]);
    for (const m of text.matchAll(/\bclass_<[^>]+>\("(\w+)"\)([\s\S]*?);/g)) {
      top.add(m[1]);
      methods.set(m[1], new Set([...m[2].matchAll(/\.function\("(\w+)"/g)].map((f) => f[1])));
    }
  }
  return { top, methods };
}

const bindingFiles = readdirSync(path.join(ROOT, "bindings")).filter((f) => f.endsWith(".cpp"));
const packaged = bound(bindingFiles.filter((f) => f !== TEST_ONLY));
const testOnly = bound(bindingFiles.filter((f) => f === TEST_ONLY));
const sorted = (names) => [...names].sort();
// embind's enum_ bindings, each with the interface that lists its members.
const ENUMS = { StepAction: "StepActions", BatchKind: "BatchKinds", TransferAction: "TransferActions", StorageKind: "StorageKinds", StorageAnswer: "StorageAnswers", BytesAt: "BytesAtValues", DeletionAction: "DeletionActions", HoldingVerdict: "HoldingVerdicts" };

test("every name the package's bindings register is declared in CoreModule, and nothing else is", () => {
  const members = declared("CoreModule");
  members.delete("errorKinds");  // added by js/core.js from errorKindList
  assert.deepEqual(sorted(members), sorted(packaged.top));
});

test("the loaded core has every declared member with the declared kind, and no test-only binding", async () => {
  const core = await loadCore();
  const kinds = {};
  for (const m of declarations.slice(declarations.indexOf("export interface CoreModule ")).matchAll(/^ {2}(\w+)(\(|: )(\w*)/gm)) {
    // Classes (`new ...`) and embind's enum_ (StepActions, ...) are functions; other interfaces objects.
    const callable = m[2] === "(" || m[3] === "new" || Object.values(ENUMS).includes(m[3]);
    kinds[m[1]] = callable ? "function" : m[3] === "number" || m[3] === "string" ? m[3] : "object";
  }
  assert.ok(Object.keys(kinds).length >= 30, "CoreModule's members were read");
  for (const [name, kind] of Object.entries(kinds)) assert.equal(typeof core[name], kind, `core.${name}`);
  for (const name of testOnly.top) assert.equal(core[name], undefined, `test-only binding ${name} is not in dist/`);
});

test("the classes' methods are the declared ones", async () => {
  const core = await loadCore();
  const classes = { Resolver: "Resolver", Sha256: "ScratchHasher", Sha512: "ScratchHasher", Transfer: "Transfer", Resolution: "Resolution", Deletion: "Deletion", StorageLedger: "StorageLedger", BodyRateMeter: "BodyRateMeter" };
  for (const [cls, iface] of Object.entries(classes)) {
    const methods = declared(iface);
    methods.delete("delete");  // embind's, on every class handle
    assert.deepEqual(sorted(methods), sorted(packaged.methods.get(cls)), `${cls}: bound methods`);
    const onPrototype = Object.getOwnPropertyNames(core[cls].prototype).filter((n) => n !== "constructor");
    assert.deepEqual(sorted(onPrototype), sorted(methods), `${cls}: methods on the loaded class`);
  }
  for (const [name, iface] of Object.entries(ENUMS)) {
    assert.deepEqual(sorted(Object.keys(core[name]).filter((k) => k !== "values")), sorted(declared(iface)), `${name}: members`);
  }
});

test("values that cross carry exactly the declared fields", async () => {
  const core = await loadCore();
  const url = "https://huggingface.co/org/model/resolve/main/weights.bin";
  const resolver = new core.Resolver({ persist: false });
  try {
    const resolution = resolver.resolution(url, Date.now(), false, 0, "");
    const step = resolution.next();
    assert.deepEqual(sorted(Object.keys(step)), sorted(declared("Step")));
    assert.deepEqual(sorted(Object.keys(step.record)), sorted(declared("CoreHashRecord")));
    const plan = resolver.takeBatches(Date.now());
    resolution.delete();
    assert.deepEqual(sorted(Object.keys(plan)), sorted(declared("BatchPlan")));
    const [request] = plan.requests;
    assert.ok(request, "a batch was planned for a hub URL");
    assert.deepEqual(sorted(Object.keys(request)), sorted(declared("PlannedBatch")));
    const outcome = resolver.applyBatch(request.group, 500, new Uint8Array(0), "", "", Date.now(), false);
    assert.deepEqual(sorted(Object.keys(outcome)), sorted(declared("BatchOutcome")));
    resolver.addIntegrity(url, `sha512-${Buffer.alloc(64).toString("base64")}`);
    const [digest] = resolver.verifyOnly(url);
    assert.ok(digest, "a sha512 integrity is verify-only");
    assert.deepEqual(sorted(Object.keys(digest)), sorted(declared("SriHash")));
    assert.deepEqual(sorted(Object.keys(resolver.loadSnapshot(new Uint8Array(0), Date.now()))), sorted(declared("SnapshotLoad")));
    assert.deepEqual(sorted(Object.keys(resolver.mergeSnapshot(new Uint8Array(0), false, Date.now()))), sorted(declared("SnapshotMerge")));
    const asked = { storage: core.StorageKind.crossOrigin, ownResponse: false, isPrivate: false, needsBytes: true, storageOnly: false, pacedDownloads: false, nativeDigest: false, resumeAttempts: 3, bodyRate: -1, shownUrl: url };
    assert.deepEqual(sorted(Object.keys(asked)), sorted(declared("TransferRequest")));
    const transfer = resolver.transfer(url, asked);
    try {
      assert.equal(transfer.next().action, core.TransferAction.resolve);
      const step = transfer.resolved(true, "a".repeat(64), 10);
      assert.equal(step.action, core.TransferAction.readStorage);
      assert.deepEqual(sorted(Object.keys(step)), sorted(declared("TransferStep")));
    } finally {
      transfer.delete();
    }
  } finally {
    resolver.delete();
  }
  assert.deepEqual(sorted(Object.keys(core.parseArtifactUrl(url))), sorted(declared("ArtifactUrl")));
  assert.deepEqual(sorted(Object.keys(core.planRequest(url, [], [], "same-origin"))), sorted(declared("RequestPlan")));
  const start = { hashKnown: true, contentLength: "10", contentRange: "", etag: "", acceptRanges: "bytes", contentEncoding: "", segmentBytes: 0 };
  assert.deepEqual(sorted(Object.keys(start)), sorted(declared("DownloadStart")));
  assert.deepEqual(sorted(Object.keys(core.planResume(start, 5, 0, 3))), ["range", "reason", "resume", "shortBody"]);
  assert.deepEqual(sorted(Object.keys(core.planNextSegment(start, 0, 5))), ["range", "reason", "resume", "shortBody"]);
  assert.deepEqual(sorted(Object.keys(core.checkResume(start, 5, 206, "bytes 5-9/10", ""))), ["ok", "reason"]);
  assert.deepEqual(sorted(Object.keys(core.parseLfsPointer(""))), ["oid", "ok", "reason", "size"]);
});
