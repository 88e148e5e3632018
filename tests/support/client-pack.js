// `npm pack` of this repository and installing the tarball into an app folder, for the client tests
// that consume the package the way users get it.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";

import { REPO_ROOT, describeRun, run } from "./client-run.js";

/** Packs the repo into `destination`; returns npm's JSON description plus `tarball` (its path). */
export async function packRepo(destination) {
  for (const file of ["dist/core.js", "dist/core.wasm"]) {
    assert.ok(existsSync(path.join(REPO_ROOT, file)), `${file} is missing: run scripts/build wasm first`);
  }
  const pack = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], { timeoutMs: 120_000 });
  assert.equal(pack.code, 0, describeRun(pack));
  const packed = JSON.parse(pack.stdout)[0];
  return { ...packed, tarball: path.join(destination, packed.filename) };
}

/** `npm install`s a tarball into `appDir` (which must hold a package.json); no network is needed. */
export async function installTarball(appDir, tarball) {
  const install = await run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save", tarball], { cwd: appDir, timeoutMs: 180_000 });
  assert.equal(install.code, 0, describeRun(install));
  return path.join(appDir, "node_modules", "cross-origin-cache");
}
