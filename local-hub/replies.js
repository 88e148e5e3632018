// Replies as data ({status, headers, body}); send.js writes them. Headers every reply carries.

export const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers":
    "X-Repo-Commit, X-Linked-Etag, X-Linked-Size, Content-Length, ETag, Content-Range, Accept-Ranges, X-Error-Code, Link",
};

export const text = (status, body, headers = {}) => ({
  status,
  headers: { "Content-Type": "text/plain; charset=utf-8", ...headers },
  body: Buffer.from(body),
});

export const json = (status, value, headers = {}) => ({
  status,
  headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  body: Buffer.from(JSON.stringify(value)),
});

/** The hub's 404 with its X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound). */
export const notFound = (code, headers = {}) => text(404, "Entry not found", { "X-Error-Code": code, ...headers });

/** The 404 for a lookup that found nothing (repos.lookup's `missing`). */
export const missing = (found) => notFound(found.missing, found.commit ? { "X-Repo-Commit": found.commit } : {});

/** 405 unless the method is one of `allowed`; undefined when it is. */
export function methodNotAllowed(method, allowed) {
  return allowed.includes(method) ? undefined : text(405, "Method not allowed", { Allow: allowed.join(", ") });
}

export function contentTypeOf(filePath) {
  return filePath.endsWith(".json") ? "application/json" : "application/octet-stream";
}
