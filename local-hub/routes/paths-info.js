// POST /api/{type}/{repo}/paths-info/{rev} with {"paths": [...]} (JSON or form-encoded): an entry
// for each path that exists, files and directories.
import { json, methodNotAllowed, missing } from "../replies.js";
import { directoryEntry, fileEntry } from "./entries.js";

const MAX_JSON_BODY = 1024 * 1024;

export async function servePathsInfo(req, route, { repos }) {
  const refused = methodNotAllowed(req.method, ["POST"]);
  if (refused) return refused;
  let raw;
  try {
    raw = await readRequestBody(req, MAX_JSON_BODY);
  } catch {
    return json(413, { error: "Request body too large" });
  }
  let paths;
  try {
    if (/application\/x-www-form-urlencoded/i.test(req.headers["content-type"] ?? "")) {
      paths = new URLSearchParams(raw.toString("utf8")).getAll("paths");
    } else {
      paths = JSON.parse(raw.toString("utf8")).paths;
    }
  } catch {
    return json(400, { error: "Invalid JSON body" });
  }
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === "string")) {
    return json(400, { error: "`paths` must be an array of strings" });
  }
  route.paths = paths;
  const found = repos.lookup(route.type, route.repo, route.rev);
  if (found.missing) return missing(found);
  const out = [];
  for (const p of new Set(paths)) {
    const file = found.tree.get(p);
    if (file) {
      out.push(await fileEntry(file, p));
    } else if ([...found.tree.keys()].some((k) => k.startsWith(`${p}/`))) {
      out.push(directoryEntry(found.commit, p));
    }
  }
  return json(200, out, { "X-Repo-Commit": found.commit });
}

async function readRequestBody(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new RangeError("body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
