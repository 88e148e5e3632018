// TypeScript consumers: tests/clients/types/consumer.ts uses every export and option of
// js/index.d.ts and passes the cache where tvmjs and transformers.js type their cache hooks; it must
// type-check under Node's and a bundler's resolution, and our .d.ts must pass strict checking with
// library checks on. A deliberately wrong file must fail on exactly its marked lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";

import { REPO_ROOT, binPath, describeRun, runNode } from "../support/client-run.js";

const TSC = binPath("typescript", "bin/tsc");
const TYPES = "tests/clients/types";

const tsc = (project) => runNode([TSC, "--noEmit", "--pretty", "false", "-p", project], { timeoutMs: 180_000 });

test("tsc: the consumer type-checks with nodenext resolution", async () => {
  const result = await tsc(TYPES);
  assert.equal(result.code, 0, describeRun(result));
  assert.equal(result.stdout.trim(), "");
});

test("tsc: the consumer type-checks with bundler resolution", async () => {
  const result = await tsc(`${TYPES}/tsconfig.bundler.json`);
  assert.equal(result.code, 0, describeRun(result));
});

test("tsc: js/index.d.ts passes strict checking without skipLibCheck", async () => {
  const result = await tsc(`${TYPES}/tsconfig.decl.json`);
  assert.equal(result.code, 0, describeRun(result));
});

test("tsc: the wrong-usage file fails, on exactly the marked lines with the marked codes", async () => {
  const file = path.join(REPO_ROOT, TYPES, "wrong/wrong-usage.ts");
  const expected = [];
  readFileSync(file, "utf8").split("\n").forEach((line, index) => {
    const mark = /EXPECT-ERROR (TS\d+)/.exec(line);
    if (mark && !line.trimStart().startsWith("//")) expected.push(`${index + 1} ${mark[1]}`);
  });
  assert.ok(expected.length >= 10, "the wrong-usage file marks its errors");

  const result = await tsc(`${TYPES}/wrong`);
  assert.notEqual(result.code, 0, "tsc must fail on the wrong-usage file");
  const reported = [...result.stdout.matchAll(/wrong-usage\.ts\((\d+),\d+\): error (TS\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(reported, expected, describeRun(result));
});
