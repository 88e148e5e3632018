// GET /{repo}/resolve/{rev}/{path}: the file's bytes (LFS files with X-Linked-Etag/Size, as the
// hub answers before redirecting to its CDN); GET /{repo}/raw/{rev}/{path}: the Git blob, so an
// LFS file's pointer text.
import { ensureDigest, fileBody, lfsPointer } from "../files.js";
import { contentTypeOf, methodNotAllowed, missing } from "../replies.js";

export async function serveRepoFile(req, route, { repos }) {
  const refused = methodNotAllowed(req.method, ["GET", "HEAD"]);
  if (refused) return refused;
  const found = repos.lookup(route.type, route.repo, route.rev, route.path);
  if (found.missing) return missing(found);
  const { file, commit } = found;
  await ensureDigest(file);
  if (route.kind === "raw") {
    const body = file.lfs ? Buffer.from(lfsPointer(file.sha256, file.size)) : file.bytes;
    return {
      status: 200,
      headers: {
        "Content-Type": file.lfs ? "text/plain; charset=utf-8" : contentTypeOf(file.path),
        ETag: `"${file.oid}"`,
        "X-Repo-Commit": commit,
      },
      body,
      ranges: true,
    };
  }
  const headers = {
    "Content-Type": contentTypeOf(file.path),
    ETag: `"${file.lfs ? file.sha256 : file.oid}"`,
    "X-Repo-Commit": commit,
  };
  if (file.lfs) Object.assign(headers, { "X-Linked-Etag": `"${file.sha256}"`, "X-Linked-Size": String(file.size) });
  return { status: 200, headers, body: fileBody(file), ranges: true };
}
