/**
 * The local hub: a real, loopback stand-in for the Hugging Face hub (plus one GitHub-raw-like path
 * for a model-library wasm). The demo (`npm start`), the benchmarks and the tests use it.
 *
 * It serves repos with commits and branches over node:http, with the headers the real hub sends
 * (X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size), Git LFS pointer text on /raw/, the
 * paths-info and tree (listing, paged by Link) APIs, CORS, request counters and injectable faults.
 * Bodies are streamed in 64 KiB chunks with backpressure, so lazily generated files of any size are
 * served with flat memory. A shaped network (`network`: a name in NETWORK_PROFILES or a profile) is
 * applied on the server, so Node and a browser see the same link.
 *
 * Layout: routes/ (one file per route), router.js (which route a request is for), repos.js (repos,
 * commits, branches), files.js (bytes, digests, pointers), default-model.js (the model every hub
 * serves), send.js (ranges, shaping, cut connections), faults.js, counters.js, network.js, cli.js.
 *
 * @module
 */

import http from "node:http";
import path from "node:path";
import { createFaults } from "./faults.js";
import { byKind, countFor, newCounters } from "./counters.js";
import { DEFAULT_REPO, WASM_PATH, defaultModelFiles, modelLibraryBytes } from "./default-model.js";
import { makeFile, toBuffer } from "./files.js";
import { networkProfile, shapedLink } from "./network.js";
import { CORS_HEADERS, json } from "./replies.js";
import { createRepoStore } from "./repos.js";
import { routeOf, unknownRoute } from "./router.js";
import { send } from "./send.js";

export { CHUNK_SIZE, NETWORK_PROFILES, TokenBucket } from "./network.js";
export { lfsPointer, seededBytes } from "./files.js";
export { DEFAULT_REPO, WASM_PATH } from "./default-model.js";

/**
 * Starts a hub on loopback.
 * @param {object} [options]
 * @param {number} [options.port=0] 0 picks a free port.
 * @param {string} [options.host="localhost"]
 * @param {number} [options.shards=8]
 * @param {number} [options.shardSize=262144]
 * @param {number|string} [options.seed=1]
 * @param {{prefix: string, dir: string}[]} [options.static]
 * @param {boolean} [options.log=false] Print one line per request on stderr.
 * @param {number} [options.treePageSize=1000] Entries per page of the tree API (as the hub's).
 * @param {string|import("./network.js").NetworkProfile} [options.network="loopback"] A name in NETWORK_PROFILES, or a profile.
 */
export async function startHub(options = {}) {
  const { port = 0, host = "localhost", shards = 8, shardSize = 256 * 1024, seed = 1, log: printLog = false } = options;
  const link = shapedLink(networkProfile(options.network));
  const statics = (options.static ?? []).map(({ prefix, dir }) => ({
    prefix: "/" + String(prefix).replace(/^\/+|\/+$/g, ""),
    dir: path.resolve(dir),
  }));
  const repos = createRepoStore(() => hub.url);
  const faults = createFaults();
  const context = { repos, treePageSize: options.treePageSize ?? 1000, baseUrl: () => hub.url };

  const hub = {
    /** "http://localhost:PORT", set once listening. */
    url: "",
    counters: newCounters(),
    /** Requests of each kind in flight now: received, their reply not yet finished. */
    inFlight: byKind(),
    /** The network profile in use. @type {import("./network.js").NetworkProfile} */
    network: link.profile,
    /** @type {{method: string, url: string, kind: string, status: number, bytes: number, path: string|null, paths?: string[]}[]} */
    log: [],

    addRepo: repos.addRepo,
    commit: repos.commit,
    setBranch: repos.setBranch,
    /** Describes a repo at a revision (default main). */
    describe: repos.describe,
    /** Like `describe(...).files.find(...)`, but computes a generated file's sha256 first. */
    fileInfo: repos.fileInfo,

    /** The default model as it is on main now, plus its model-library wasm. */
    get model() {
      const wasm = repos.rawFiles.get(WASM_PATH);
      return {
        ...repos.describe(DEFAULT_REPO),
        wasm: { url: `${hub.url}/github-raw/${WASM_PATH}`, sha256: wasm.sha256, size: wasm.size },
      };
    },

    /** Injects a fault into matching requests (faults.js); returns a function that removes it. */
    setFault: faults.add,
    clearFaults: faults.clear,

    resetCounters() {
      hub.counters = newCounters();
      hub.log = [];
    },

    /** Requests that touched a file path (paths-info and tree answers listing it count too), by kind. */
    countFor: (filePath) => countFor(hub.log, filePath),

    /** Stops listening and destroys open connections. */
    async close() {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };

  // A request for a gated repo's files or API without its Authorization header value.
  function refusedAsGated(req, route) {
    if (req.method === "OPTIONS" || !route.repo) return false;
    const required = repos.authorizationOf(route.type ?? "model", route.repo);
    return Boolean(required) && req.headers.authorization !== required;
  }

  function faultReply(fault) {
    const body = fault.body ?? http.STATUS_CODES[fault.status] ?? "";
    return typeof body === "object" && !(body instanceof Uint8Array)
      ? json(fault.status, body)
      : { status: fault.status, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: toBuffer(body) };
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? "/", "http://hub.invalid");
    let route;
    try {
      route = routeOf(req.method, url.pathname, repos, statics);
    } catch {
      route = unknownRoute(400, "Bad request path");
    }
    const { kind } = route;
    const range = req.headers.range ?? null;
    const authorization = req.headers.authorization ?? null;
    const entry = { method: req.method, url: req.url, kind, status: 0, bytes: 0, path: route.path, range, authorization };
    hub.log.push(entry);
    hub.counters.requests++;
    hub.counters[kind]++;
    hub.inFlight[kind]++;
    hub.counters.maxInFlight[kind] = Math.max(hub.counters.maxInFlight[kind], hub.inFlight[kind]);
    res.once("close", () => { hub.inFlight[kind]--; });
    if (printLog) {
      res.once("close", () => console.error(`[hub] ${entry.method} ${entry.url} -> ${entry.status} ${entry.bytes}B (${entry.kind})`));
    }

    const fault = faults.take({ method: req.method, url: req.url, kind, path: route.path, range, authorization }, url.pathname);
    if (fault?.hang) return;
    await link.firstByte();
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
    let reply;
    if (fault?.status) reply = faultReply(fault);
    else if (refusedAsGated(req, route)) {
      reply = json(401, { error: "Access to this repo is restricted: a valid token is required." }, { "X-Error-Code": "GatedRepo" });
    } else reply = await route.serve(req, route, context);
    if (route.paths) entry.paths = route.paths;
    if (reply.status === 404) hub.counters.notFound++;
    const bytesKey = kind in hub.counters.bytes ? kind : "other";
    await send(req, res, entry, reply, fault, link, (n) => { hub.counters.bytes[bytesKey] += n; });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (res.headersSent) {
        res.destroy(error);
        return;
      }
      res.writeHead(500, { ...CORS_HEADERS, "Content-Type": "text/plain; charset=utf-8" });
      res.end(String(error?.stack ?? error));
    });
  });

  repos.addRepo({ id: DEFAULT_REPO, files: defaultModelFiles(seed, shards, shardSize) });
  repos.rawFiles.set(WASM_PATH, makeFile({ path: WASM_PATH, bytes: modelLibraryBytes(seed) }));

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  hub.url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  /** The port actually listened on. */
  hub.port = address.port;
  return hub;
}
