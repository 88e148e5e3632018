// Static files below a prefix (the package, test pages, the demo), never outside their folder.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { methodNotAllowed, text } from "../replies.js";

const STATIC_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export async function serveStatic(req, route) {
  const refused = methodNotAllowed(req.method, ["GET", "HEAD"]);
  if (refused) return refused;
  const { dir: root, path: rel } = route;
  if (rel.includes("\0") || rel.split(/[\\/]/).includes("..")) return text(403, "Forbidden");
  let file = path.resolve(root, `./${rel}`);
  if (file !== root && !file.startsWith(root + path.sep)) return text(403, "Forbidden");
  try {
    if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
    const body = await readFile(file);
    const type = STATIC_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
    return { status: 200, headers: { "Content-Type": type, "Cache-Control": "no-cache" }, body };
  } catch {
    return text(404, "Not found");
  }
}
