// A tiny static file server for the browser benchmarks: serves a root folder (the repository) on
// localhost at an ephemeral port, plus in-memory routes a part adds (e.g. its generated data).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";

const MIME_TYPES = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".bin": "application/octet-stream",
};

export function mimeType(file) {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}

function send(response, status, headers, body) {
  response.writeHead(status, { "Cache-Control": "no-store", ...headers });
  response.end(body);
}

/**
 * Starts serving `root`. Returns {origin, url(path), route(path, body, type), close()}.
 * `host` is what the server listens on; the origin always names `localhost` (a secure context).
 */
export async function startStaticServer({ root, host = "localhost" }) {
  const rootDir = path.resolve(root);
  const routes = new Map();

  async function handle(request, response) {
    if (request.method !== "GET" && request.method !== "HEAD") {
      send(response, 405, { Allow: "GET, HEAD" }, "method not allowed\n");
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    } catch {
      send(response, 400, {}, "bad request\n");
      return;
    }
    const head = request.method === "HEAD";
    const routed = routes.get(pathname);
    if (routed) {
      send(response, 200, { "Content-Type": routed.type, "Content-Length": routed.body.byteLength }, head ? undefined : routed.body);
      return;
    }
    const file = path.join(rootDir, pathname);
    const relative = path.relative(rootDir, file);
    if (relative.startsWith("..") || path.isAbsolute(relative) || pathname.includes("\0")) {
      send(response, 403, {}, "forbidden\n");
      return;
    }
    let info;
    try {
      info = await stat(file);
    } catch {
      info = null;
    }
    if (!info?.isFile()) {
      send(response, 404, {}, "not found\n");
      return;
    }
    response.writeHead(200, { "Cache-Control": "no-store", "Content-Type": mimeType(file), "Content-Length": info.size });
    if (head) {
      response.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on("error", () => response.destroy());
    stream.pipe(response);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, {}, "internal error\n");
      else response.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address();
  const origin = `http://localhost:${port}`;
  let closing;

  return {
    origin,
    url: (pathname) => new URL(pathname, origin).href,
    /** Serves `body` (bytes or text) at `pathname` from memory. */
    route(pathname, body, type = "application/octet-stream") {
      routes.set(pathname, { body: typeof body === "string" ? Buffer.from(body) : body, type });
    },
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}
