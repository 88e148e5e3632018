// The test COS offers each of the three method names alone; installGetFileHandleAlias makes a
// requestFileHandle-only manager (the COS extension's shape) look like the draft to a caller that
// checks for getFileHandle, as web-llm's bundled tvmjs does.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, launchBrowser, startSite } from "../support/browser.js";
import { startCosBackend } from "../support/cos-page-backend.js";
import { installCrossOriginStorage } from "../support/cos-page-polyfill.js";
import { cleanups } from "./helpers.js";

const NAMES = ["getFileHandle", "requestFileHandle", "requestFileHandles"];

for (const browserName of BROWSERS) describe(`${browserName}: one COS method name at a time`, () => {
  let page;
  let cos;
  let hash;
  const defer = cleanups(after);

  before(async () => {
    const site = await startSite({ shards: 0 });
    defer(() => site.close());
    cos = await startCosBackend();
    defer(() => cos.close());
    const browser = await launchBrowser({ browser: browserName });
    defer(() => browser.close());
    page = await browser.open(site.url + BLANK_PAGE);
    // One entry, stored through the full polyfill.
    hash = await page.evaluate(async ({ install, backend }) => {
      new Function(`return (${install})`)()({ backend });
      const bytes = new TextEncoder().encode("an entry to find");
      const value = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
      const writable = await (await navigator.crossOriginStorage.requestFileHandle({ algorithm: "SHA-256", value }, { create: true })).createWritable();
      await writable.write(bytes);
      await writable.close();
      return value;
    }, { install: installCrossOriginStorage.toString(), backend: cos.url });
  });

  // Installs the polyfill offering `api` only, then runs the caller tvmjs is: COS only if getFileHandle exists.
  const run = (api, alias) => page.evaluate(async ({ install, backend, api, alias, value }) => {
    new Function(`return (${install})`)()({ backend, api });
    const cos = navigator.crossOriginStorage;
    const offered = ["getFileHandle", "requestFileHandle", "requestFileHandles"].filter((name) => typeof cos[name] === "function");
    const own = cos.getFileHandle;
    const added = alias ? (await import("/js/index.js")).installGetFileHandleAlias() : null;
    const draftCaller = async () => {
      if (typeof navigator.crossOriginStorage?.getFileHandle !== "function") return "no COS: falls back";
      const file = await (await navigator.crossOriginStorage.getFileHandle({ algorithm: "SHA-256", value })).getFile();
      return file.text();
    };
    let missing;
    try {
      await navigator.crossOriginStorage.getFileHandle?.({ algorithm: "SHA-256", value: "0".repeat(64) });
      missing = "resolved";
    } catch (error) {
      missing = error.name;
    }
    return { offered, added, kept: own === undefined || navigator.crossOriginStorage.getFileHandle === own, read: await draftCaller(), missing };
  }, { install: installCrossOriginStorage.toString(), backend: cos.url, api, alias, value: hash });

  for (const name of NAMES) {
    test(`the polyfill can offer ${name} alone`, async () => {
      const result = await run([name], false);
      assert.deepEqual(result.offered, [name]);
      assert.equal(result.read, name === "getFileHandle" ? "an entry to find" : "no COS: falls back");
    });
  }

  test("with the alias, a requestFileHandle-only manager looks like the draft to a getFileHandle caller", async () => {
    const result = await run(["requestFileHandle"], true);
    assert.equal(result.added, true);
    assert.deepEqual(result.offered, ["requestFileHandle"], "offered before the alias");
    assert.equal(result.read, "an entry to find");
    assert.equal(result.missing, "NotFoundError", "a miss keeps its name through the alias");
  });

  test("with the alias, a requestFileHandles-only manager works too; a real getFileHandle is kept", async () => {
    const older = await run(["requestFileHandles"], true);
    assert.equal(older.added, true);
    assert.equal(older.read, "an entry to find");
    const draft = await run(NAMES, true);
    assert.equal(draft.added, false);
    assert.equal(draft.kept, true, "the manager's own getFileHandle is untouched");
    assert.equal(draft.read, "an entry to find");
  });

  test("an unknown method name is refused", async () => {
    const refused = await page.evaluate(({ install, backend }) => {
      try {
        new Function(`return (${install})`)()({ backend, api: ["getFileHandels"] });
        return "installed";
      } catch (error) {
        return error.name;
      }
    }, { install: installCrossOriginStorage.toString(), backend: cos.url });
    assert.equal(refused, "TypeError");
  });
});
