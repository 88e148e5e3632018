// js/limiter.js: at most `limit` tasks run at once, in the order they asked; a failing task
// passes its error on and frees its turn.
import { test } from "node:test";
import assert from "node:assert/strict";

import { Limiter } from "../../js/limiter.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

test("a limiter of two never runs three tasks at once, and starts them in order", async () => {
  const limiter = new Limiter(2);
  let running = 0;
  let most = 0;
  const started = [];
  const results = await Promise.all([0, 1, 2, 3, 4].map((i) => limiter.run(async () => {
    started.push(i);
    running++;
    most = Math.max(most, running);
    await tick();
    running--;
    return i * 10;
  })));
  assert.equal(most, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.deepEqual(results, [0, 10, 20, 30, 40]);
});

test("a failed task rejects its own run only and frees its turn", async () => {
  const limiter = new Limiter(1);
  const failed = limiter.run(async () => {
    await tick();
    throw new Error("boom");
  });
  const next = limiter.run(async () => "after");
  await assert.rejects(failed, /boom/);
  assert.equal(await next, "after");
});

test("a task that throws synchronously is a rejection, not a throw from run()", async () => {
  const limiter = new Limiter(1);
  await assert.rejects(limiter.run(() => { throw new TypeError("sync"); }), TypeError);
  assert.equal(await limiter.run(async () => 1), 1);
});
