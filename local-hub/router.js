// Which route a request is for: its kind (what the counters and faults see), the file path it
// touches, and the handler that answers it. Hub routes win over static files, except a
// /resolve/ or /raw/ URL of a repo the hub does not know, which a static folder may serve.
import { API_TYPES } from "./repos.js";
import { serveRepoFile } from "./routes/files.js";
import { serveGithubRaw } from "./routes/github-raw.js";
import { servePathsInfo } from "./routes/paths-info.js";
import { servePreflight } from "./routes/preflight.js";
import { serveRevision } from "./routes/revision.js";
import { serveStatic } from "./routes/static.js";
import { serveTree } from "./routes/tree.js";
import { text } from "./replies.js";

const TREE = /^\/api\/(models|datasets|spaces)\/((?:[^/]+\/)?[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/;
const API = /^\/api\/(models|datasets|spaces)\/(.+)\/(paths-info|revision)\/(.+)$/;
const GITHUB_RAW = /^\/github-raw\/(.+)$/;
const REPO_FILE = /^\/(?:(datasets|spaces)\/)?((?:[^/]+\/)?[^/]+)\/(resolve|raw)\/([^/]+)\/(.+)$/;

/**
 * @typedef {object} Route
 * @property {string} kind "resolve" | "raw" | "pathsInfo" | "tree" | "revision" | "wasm" | "static" | "preflight" | "unknown".
 * @property {string|null} path File path inside the repo (or static folder), when there is one.
 * @property {string[]} [paths] The paths a paths-info or tree answer covered (set by the handler).
 * @property {string} [type] @property {string} [repo] @property {string} [rev]
 * @property {(req: import("node:http").IncomingMessage, route: Route, context: object) => any} serve
 */

/**
 * The route of a request. Decoding errors throw URIError.
 * @param {{has: (type: string, id: string) => boolean}} repos
 * @param {{prefix: string, dir: string}[]} statics
 * @returns {Route}
 */
export function routeOf(method, pathname, repos, statics) {
  if (method === "OPTIONS") return { kind: "preflight", path: null, serve: servePreflight };
  let m = TREE.exec(pathname);
  if (m) {
    const dir = m[4] ? decodeURIComponent(m[4]).replace(/\/+$/, "") : "";
    return { kind: "tree", path: null, ...repoOf(m[1], m[2], m[3]), dir, serve: serveTree };
  }
  m = API.exec(pathname);
  if (m) {
    const revision = m[3] === "revision";
    return { kind: revision ? "revision" : "pathsInfo", path: null, ...repoOf(m[1], m[2], m[4]), serve: revision ? serveRevision : servePathsInfo };
  }
  m = GITHUB_RAW.exec(pathname);
  if (m) return { kind: "wasm", path: decodeURIComponent(m[1]), serve: serveGithubRaw };
  m = REPO_FILE.exec(pathname);
  const repoFile = m && {
    kind: m[3],
    type: m[1] ? API_TYPES[m[1]] : "model",
    repo: decodeURIComponent(m[2]),
    rev: decodeURIComponent(m[4]),
    path: m[5].split("/").map(decodeURIComponent).join("/"),
    serve: serveRepoFile,
  };
  if (repoFile && repos.has(repoFile.type, repoFile.repo)) return repoFile;
  for (const { prefix, dir } of statics) {
    const base = prefix === "/" ? "/" : `${prefix}/`;
    if (pathname !== prefix && !pathname.startsWith(base)) continue;
    return { kind: "static", path: decodeURIComponent(pathname.slice(base.length)), dir, serve: serveStatic };
  }
  return repoFile ?? unknownRoute(404, "Not found");
}

/** A route that answers `status` with `message`. */
export function unknownRoute(status, message) {
  return { kind: "unknown", path: null, serve: () => text(status, message) };
}

const repoOf = (types, repo, rev) => ({ type: API_TYPES[types], repo: decodeURIComponent(repo), rev: decodeURIComponent(rev) });
