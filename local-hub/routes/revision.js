// GET /api/{type}/{repo}/revision/{rev}: the commit a revision points at, and its file names.
import { json, methodNotAllowed, missing } from "../replies.js";

export function serveRevision(req, route, { repos }) {
  const refused = methodNotAllowed(req.method, ["GET", "HEAD"]);
  if (refused) return refused;
  const found = repos.lookup(route.type, route.repo, route.rev);
  if (found.missing) return missing(found);
  const siblings = [...found.tree.keys()].map((rfilename) => ({ rfilename }));
  return json(200, { id: route.repo, sha: found.commit, siblings }, { "X-Repo-Commit": found.commit });
}
