// The hub's repos: commits (file trees), branches, gated access, and the files below /github-raw/.
import { createHash } from "node:crypto";
import { encodePath, ensureDigest, makeFile } from "./files.js";

/** URL prefix of each repo type, and the API's plural names. */
export const TYPE_PREFIX = { model: "", dataset: "datasets/", space: "spaces/" };
export const API_TYPES = { models: "model", datasets: "dataset", spaces: "space" };

/**
 * @typedef {object} FileInfo
 * @property {string} path
 * @property {number} size
 * @property {string|null} sha256 null for a generated file whose digest was not computed yet.
 * @property {boolean} lfs
 * @property {string} url The /resolve/<branch>/ URL.
 * @property {string} commitUrl The /resolve/<commit>/ URL.
 */

/**
 * @typedef {object} RepoInfo
 * @property {string} repo
 * @property {"model"|"dataset"|"space"} type
 * @property {string} commit
 * @property {string|null} branch
 * @property {FileInfo[]} files
 */

/** The repo store. `baseUrl()` is the hub's URL once it listens (for the URLs `describe` gives). */
export function createRepoStore(baseUrl) {
  /** @type {Map<string, {id: string, type: string, commits: Map<string, Map<string, import("./files.js").HubFile>>, branches: Map<string, string>, count: number, authorization?: string}>} */
  const repos = new Map();
  /** @type {Map<string, import("./files.js").HubFile>} files below /github-raw/ */
  const rawFiles = new Map();

  const repoKey = (type, id) => `${type}:${id}`;
  const getRepo = (id, type = "model") => {
    const repo = repos.get(repoKey(type, id));
    if (!repo) throw new Error(`no ${type} repo ${id}`);
    return repo;
  };
  const resolveRev = (repo, rev) =>
    repo.branches.get(rev) ?? (/^[0-9a-f]{40}$/.test(rev) && repo.commits.has(rev) ? rev : null);
  const newCommitId = (repo) => createHash("sha1").update(`${TYPE_PREFIX[repo.type]}${repo.id}\0${repo.count++}`).digest("hex");

  /** Describes a repo at a revision (default main). @returns {RepoInfo} */
  function describe(repoId, { type = "model", revision = "main" } = {}) {
    const repo = getRepo(repoId, type);
    const commit = resolveRev(repo, revision);
    if (!commit) throw new Error(`${repoId} has no revision ${revision}`);
    const base = `${baseUrl()}/${TYPE_PREFIX[type]}${repoId}/resolve`;
    const files = [...repo.commits.get(commit).values()].map((f) => ({
      path: f.path,
      size: f.size,
      sha256: f.sha256,
      lfs: f.lfs,
      url: `${base}/${encodeURIComponent(revision)}/${encodePath(f.path)}`,
      commitUrl: `${base}/${commit}/${encodePath(f.path)}`,
    }));
    return { repo: repoId, type, commit, branch: repo.branches.has(revision) ? revision : null, files };
  }

  return {
    describe,

    /** Whether a repo of this type and id exists. */
    has: (type, id) => repos.has(repoKey(type, id)),

    /**
     * Adds a repo with one commit on `branch`. A gated repo (`authorization` given) answers its
     * resolve, raw and API routes with 401 unless the request's Authorization header is exactly
     * that value.
     * @param {{id: string, type?: "model"|"dataset"|"space", files?: import("./files.js").FileSpec[], branch?: string, authorization?: string}} spec
     * @returns {RepoInfo}
     */
    addRepo({ id, type = "model", files = [], branch = "main", authorization }) {
      if (!(type in TYPE_PREFIX)) throw new TypeError(`unknown repo type ${type}`);
      if (typeof id !== "string" || !/^[^/]+(\/[^/]+)?$/.test(id)) throw new TypeError(`bad repo id ${id}`);
      if (repos.has(repoKey(type, id))) throw new Error(`${type} repo ${id} exists`);
      const repo = { id, type, commits: new Map(), branches: new Map(), count: 0, authorization };
      const tree = new Map(files.map((spec) => [spec.path, makeFile(spec)]));
      const commit = newCommitId(repo);
      repo.commits.set(commit, tree);
      repo.branches.set(branch, commit);
      repos.set(repoKey(type, id), repo);
      return describe(id, { type, revision: branch });
    },

    /**
     * Makes a new commit on a branch with some files changed, added or (null) deleted.
     * Older commits stay servable by id.
     * @param {string} repoId
     * @param {Record<string, Buffer|Uint8Array|string|Omit<import("./files.js").FileSpec, "path">|null>} changes
     * @param {{type?: string, branch?: string}} [options]
     * @returns {string} The new commit id.
     */
    commit(repoId, changes, { type = "model", branch = "main" } = {}) {
      const repo = getRepo(repoId, type);
      const parent = repo.branches.get(branch);
      if (!parent) throw new Error(`${repoId} has no branch ${branch}`);
      const tree = new Map(repo.commits.get(parent));
      for (const [filePath, value] of Object.entries(changes)) {
        if (value === null) {
          tree.delete(filePath);
          continue;
        }
        const previousLfs = tree.get(filePath)?.lfs ?? false;
        const spec =
          typeof value === "string" || value instanceof Uint8Array
            ? { path: filePath, bytes: value, lfs: previousLfs }
            : { lfs: value.generate ? true : previousLfs, ...value, path: filePath };
        tree.set(filePath, makeFile(spec));
      }
      const commit = newCommitId(repo);
      repo.commits.set(commit, tree);
      repo.branches.set(branch, commit);
      return commit;
    },

    /** Points a branch (e.g. "refs/pr/1") at an existing commit. */
    setBranch(repoId, name, commit, { type = "model" } = {}) {
      const repo = getRepo(repoId, type);
      if (!repo.commits.has(commit)) throw new Error(`${repoId} has no commit ${commit}`);
      repo.branches.set(name, commit);
    },

    /** Like `describe(...).files.find(...)`, but computes a generated file's sha256 first. */
    async fileInfo(repoId, filePath, { type = "model", revision = "main" } = {}) {
      const repo = getRepo(repoId, type);
      const file = repo.commits.get(resolveRev(repo, revision))?.get(filePath);
      if (!file) return undefined;
      await ensureDigest(file);
      return describe(repoId, { type, revision }).files.find((f) => f.path === filePath);
    },

    /**
     * Repo, commit, tree and file of a route; or `missing`: the hub's X-Error-Code for what is
     * not there (with the commit when only the file is missing).
     */
    lookup(type, repoId, rev, filePath) {
      const repo = repos.get(repoKey(type, repoId));
      if (!repo) return { missing: "RepoNotFound" };
      const commit = resolveRev(repo, rev);
      if (!commit) return { missing: "RevisionNotFound" };
      const tree = repo.commits.get(commit);
      if (filePath === undefined) return { repo, commit, tree };
      const file = tree.get(filePath);
      if (!file) return { missing: "EntryNotFound", commit };
      return { repo, commit, tree, file };
    },

    /** The Authorization value a gated repo requires, or undefined. */
    authorizationOf: (type, id) => repos.get(repoKey(type, id))?.authorization,

    /** Files below /github-raw/. */
    rawFiles,
  };
}
