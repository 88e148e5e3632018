// GET /api/{type}/{repo}/tree/{rev}[/{dir}]?recursive=true&cursor=N: the hub's listing, paged
// with a Link rel="next" header; without recursive, the directory's own children only.
import { json, methodNotAllowed, missing, notFound } from "../replies.js";
import { directoryEntry, fileEntry } from "./entries.js";

export async function serveTree(req, route, { repos, treePageSize, baseUrl }) {
  const refused = methodNotAllowed(req.method, ["GET", "HEAD"]);
  if (refused) return refused;
  const query = new URL(req.url ?? "/", "http://hub.invalid").searchParams;
  const recursive = query.get("recursive") === "true" || query.get("recursive") === "1";
  const found = repos.lookup(route.type, route.repo, route.rev);
  if (found.missing) return missing(found);
  const prefix = route.dir ? `${route.dir}/` : "";
  const all = [];
  const dirs = new Set();
  for (const [p, file] of found.tree) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length).split("/");
    // Directories on the way, listed once each (recursive) or the first level only.
    for (let depth = 1; depth < rest.length && (recursive || depth === 1); depth++) {
      const dir = prefix + rest.slice(0, depth).join("/");
      if (!dirs.has(dir)) {
        dirs.add(dir);
        all.push({ dir });
      }
    }
    if (recursive || rest.length === 1) all.push({ p, file });
  }
  if (route.dir && all.length === 0) return notFound("EntryNotFound", { "X-Repo-Commit": found.commit });
  const start = Math.max(0, Number.parseInt(query.get("cursor") ?? "0", 10) || 0);
  const page = all.slice(start, start + treePageSize);
  const out = [];
  for (const item of page) out.push(item.dir ? directoryEntry(found.commit, item.dir) : await fileEntry(item.file, item.p));
  route.paths = page.filter((item) => !item.dir).map((item) => item.p);
  const headers = { "X-Repo-Commit": found.commit };
  if (start + treePageSize < all.length) {
    const next = new URL(req.url ?? "/", baseUrl());
    next.searchParams.set("cursor", String(start + treePageSize));
    headers.Link = `<${next.href}>; rel="next"`;
  }
  return json(200, out, headers);
}
