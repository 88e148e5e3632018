// GET /github-raw/{path}: a file outside any repo, as model libraries are served from GitHub.
import { fileBody } from "../files.js";
import { methodNotAllowed, text } from "../replies.js";

export function serveGithubRaw(req, route, { repos }) {
  const refused = methodNotAllowed(req.method, ["GET", "HEAD"]);
  if (refused) return refused;
  const file = repos.rawFiles.get(route.path);
  if (!file) return text(404, "404: Not Found");
  return {
    status: 200,
    headers: { "Content-Type": "application/octet-stream", ETag: `"${file.sha256}"` },
    body: fileBody(file),
    ranges: true,
  };
}
