/**
 * The demo's launcher: starts the local hub (local-hub/) with its default
 * model repo `test-org/test-model` as the data, and serves the demo page at "/" beside it.
 *
 *   node web-demo/server.js [--port 8080] [--shards 16] [--shard-mb 8] [--cos simulated] [--flaky]
 *                           [--net loopback|broadband|far] [--log]
 *   (env: PORT, DEMO_SHARDS, DEMO_SHARD_MB, DEMO_COS=simulated, DEMO_FLAKY=1, DEMO_NET=far)
 * With `--flaky` the hub drops the connection halfway through the first download of each shard,
 * to show downloads resumed with range requests (with COS; without it a shard-sized file is read
 * whole, so it is asked for again whole). With `--net` the hub shapes its replies like a
 * real network (NETWORK_PROFILES in local-hub/): `broadband` is 30 ms to the
 * first byte, 12.5 MB/s per connection and 50 MB/s in all; `far` 150 ms, 4 MB/s and 20 MB/s.
 *
 * Served on one localhost origin:
 *   /                      the page (web-demo/)
 *   /js/, /dist/           the package (the page imports /js/index.js; the wasm is /dist/core.wasm)
 *   /demo-data/demo-model.json   the model's file list, written at start from the hub itself
 *   /<repo>/resolve/..., /api/..., /github-raw/...   the hub
 * With `--cos simulated` a Cross-Origin Storage backend (tests/support/cos-page-backend.js) is
 * started too, the page installs the test polyfill when the browser has no COS of its own, and
 * the same demo is served on a second port (another origin) to show sharing across origins.
 *
 * @module
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { NETWORK_PROFILES, startHub } from "../local-hub/index.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MIB = 1024 * 1024;

/**
 * Starts the demo.
 * @param {object} [options]
 * @param {number} [options.port=8080] 0 picks a free port.
 * @param {string} [options.host="localhost"]
 * @param {number} [options.shards=16]
 * @param {number} [options.shardMiB=8]
 * @param {number|string} [options.seed=1]
 * @param {"none"|"simulated"} [options.cos="none"]
 * @param {number} [options.secondPort] Port of the second origin with simulated COS (default port + 1; 0 = free port).
 * @param {boolean} [options.flaky=false] Drop the connection halfway through each shard's first download.
 * @param {string} [options.network="loopback"] The hub's network profile (a name in NETWORK_PROFILES).
 * @param {boolean} [options.log=false]
 * @returns {Promise<{url: string, secondUrl?: string, hub: any, cos?: any, model: object, close: () => Promise<void>}>}
 */
export async function startDemo(options = {}) {
  const {
    port = 8080,
    host = "localhost",
    shards = 16,
    shardMiB = 8,
    seed = 1,
    cos: cosMode = "none",
    flaky = false,
    network = "loopback",
    log = false,
  } = options;
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
  if (!(shardMiB > 0)) throw new RangeError(`shard size must be positive, got ${shardMiB} MiB`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "coc-demo-"));
  const statics = [
    { prefix: "/js", dir: path.join(ROOT, "js") },
    { prefix: "/dist", dir: path.join(ROOT, "dist") },
    { prefix: "/demo-data", dir: dataDir },
  ];
  if (cosMode === "simulated") statics.push({ prefix: "/tests/support", dir: path.join(ROOT, "tests/support") });
  statics.push({ prefix: "/", dir: path.join(ROOT, "web-demo") });

  const started = [];
  const close = async () => {
    for (const server of started.reverse()) await server.close().catch(() => {});
    started.length = 0;
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const hub = await startHub({ port, host, shards, shardSize: Math.round(shardMiB * MIB), seed, log, network, static: statics });
    started.push(hub);
    if (flaky) {
      const dropped = new Set();  // shards whose first download was cut already
      const firstDownload = (req) => {
        const shard = req.kind === "resolve" && hub.model.files.some((f) => f.lfs && f.path === req.path);
        if (!shard || dropped.has(req.path)) return false;
        dropped.add(req.path);
        return true;
      };
      hub.setFault(firstDownload, { resetAfterBytes: Math.round((shardMiB * MIB) / 2) });
    }
    let cos;
    let second;
    if (cosMode === "simulated") {
      const { startCosBackend } = await import("../tests/support/cos-page-backend.js");
      cos = await startCosBackend({ host });
      started.push(cos);
      const secondPort = options.secondPort ?? (port === 0 ? 0 : port + 1);
      // The second origin serves only the page and the package; its model URLs point at the hub.
      second = await startHub({ port: secondPort, host, shards: 0, static: statics });
      started.push(second);
    }
    const info = hub.model;
    const model = {
      hub: hub.url,
      repo: info.repo,
      revision: info.branch ?? "main",
      commit: info.commit,
      files: [
        ...info.files.map((f) => ({ name: f.path, url: f.url, size: f.size, lfs: f.lfs, sha256: f.sha256 })),
        { name: path.posix.basename(new URL(info.wasm.url).pathname), url: info.wasm.url, size: info.wasm.size, lfs: false, sha256: info.wasm.sha256, library: true },
      ],
      cosBackend: cos?.url ?? null,
      origins: second ? [hub.url, second.url] : [hub.url],
    };
    await writeFile(path.join(dataDir, "demo-model.json"), JSON.stringify(model, null, 2));
    return { url: `${hub.url}/`, secondUrl: second ? `${second.url}/` : undefined, hub, cos, model, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function numberFrom(value, name) {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${value}`);
  return n;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: process.env.PORT ?? "8080" },
      host: { type: "string", default: process.env.HOST ?? "localhost" },
      shards: { type: "string", default: process.env.DEMO_SHARDS ?? "16" },
      "shard-mb": { type: "string", default: process.env.DEMO_SHARD_MB ?? "8" },
      cos: { type: "string", default: process.env.DEMO_COS ?? "none" },
      flaky: { type: "boolean", default: process.env.DEMO_FLAKY === "1" },
      net: { type: "string", default: process.env.DEMO_NET ?? "loopback" },
      log: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(`usage: node web-demo/server.js [--port 8080] [--shards 16] [--shard-mb 8] [--cos none|simulated] [--flaky] [--net ${Object.keys(NETWORK_PROFILES).join("|")}] [--log]`);
    return;
  }
  if (!["none", "simulated"].includes(values.cos)) throw new Error(`--cos must be none or simulated, got ${values.cos}`);
  if (!(values.net in NETWORK_PROFILES)) throw new Error(`--net must be one of ${Object.keys(NETWORK_PROFILES).join(", ")}, got ${values.net}`);
  const demo = await startDemo({
    port: numberFrom(values.port, "port"),
    host: values.host,
    shards: numberFrom(values.shards, "shards"),
    shardMiB: numberFrom(values["shard-mb"], "shard size (MiB)"),
    cos: values.cos,
    flaky: values.flaky,
    network: values.net,
    log: values.log,
  });
  const total = demo.model.files.reduce((sum, f) => sum + f.size, 0);
  console.log(`cross-origin-cache demo: ${demo.url}`);
  console.log(`  model ${demo.model.repo}@${demo.model.revision}: ${demo.model.files.length} files, ${(total / MIB).toFixed(1)} MiB`);
  if (demo.secondUrl) {
    console.log(`  simulated Cross-Origin Storage at ${demo.cos.url}; the same page on another origin: ${demo.secondUrl}`);
  }
  if (values.flaky) console.log("  --flaky: each shard's first download breaks off halfway (and is resumed)");
  if (values.net !== "loopback") {
    const { latencyMs, connectionBytesPerSecond, linkBytesPerSecond } = NETWORK_PROFILES[values.net];
    console.log(`  --net ${values.net}: ${latencyMs} ms to the first byte, ${connectionBytesPerSecond / 1e6} MB/s per connection, ${linkBytesPerSecond / 1e6} MB/s in all`);
  }
  console.log("  Ctrl-C stops it.");
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(`demo: ${error?.message ?? error}`);
    process.exit(1);
  });
}
