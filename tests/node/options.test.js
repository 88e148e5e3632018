// Every option is checked when the cache is made: a wrong or misspelt one is a TypeError that
// names it, never a silent default.
import { test } from "node:test";
import assert from "node:assert/strict";

import { createCrossOriginCache } from "../../js/index.js";

const bad = [
  [{ capacity: -1 }, /option capacity must be a whole number from 1/],
  [{ capacity: 2.5 }, /option capacity/],
  [{ maxAge: "soon" }, /option maxAge must be a number of milliseconds >= 0.*got "soon"/],
  [{ maxAge: Number.NaN }, /option maxAge/],
  [{ maxAgeOtherHosts: -2 }, /option maxAgeOtherHosts/],
  [{ resumeAttempts: -1 }, /option resumeAttempts must be a whole number/],
  [{ resolutionTimeout: 0 }, /option resolutionTimeout/],
  [{ pacedDownloads: "always" }, /option pacedDownloads must be "auto", true or false, got "always"/],
  [{ pacedDownloads: 1 }, /option pacedDownloads/],
  [{ fetch: "fetch" }, /option fetch must be a function, got "fetch"/],
  [{ onError: {} }, /option onError must be a function, got object/],
  [{ onProgress: 1 }, /option onProgress/],
  [{ caches: "default" }, /option caches must be an object or null/],
  [{ storage: true }, /option storage/],
  [{ origins: "https://a.example" }, /option origins/],
  [{ origins: ["https://a.example/path"] }, /option origins must list origins/],
  [{ origins: [1] }, /option origins/],
  [{ fallback: "no" }, /option fallback must be true or false/],
  [{ importLegacy: 0 }, /option importLegacy/],
  [{ batch: null }, /option batch/],
  [{ listRepos: "yes" }, /option listRepos/],
  [{ hints: null }, /option hints must be an object/],
  [{ scope: "" }, /option scope must be a non-empty string/],
  [{ scope: 5 }, /option scope/],
  [{ maxage: 1000 }, /unknown option 'maxage'/],
];

for (const [options, message] of bad) {
  test(`createCrossOriginCache(${JSON.stringify(options)}) is a TypeError naming the option`, async () => {
    await assert.rejects(createCrossOriginCache({ caches: null, storage: null, ...options }),
      (error) => error instanceof TypeError && message.test(error.message));
  });
}

test("options that are not an object are a TypeError", async () => {
  await assert.rejects(createCrossOriginCache(null), TypeError);
  await assert.rejects(createCrossOriginCache("fast"), TypeError);
});

test("every documented option is accepted with a valid value; undefined counts as not given", async () => {
  const cache = await createCrossOriginCache({
    scope: "options-test", fetch: globalThis.fetch, caches: null, storage: null, origins: ["https://a.example"],
    fallback: false, importLegacy: false, batch: true, listRepos: false, maxAge: Infinity, maxAgeOtherHosts: 0,
    capacity: 1, resumeAttempts: 0, pacedDownloads: "auto", resolutionTimeout: 1000, hints: {}, onError: () => {}, onProgress: () => {},
    wasmUrl: undefined, wasmBinary: undefined,
  });
  assert.equal(cache.scope, "options-test");
  cache.dispose();
});
