/**
 * The storage side of a Cross-Origin Storage (COS) manager for real browser pages: a small
 * node:http server on localhost that holds entries by SHA-256 and enforces the WICG draft's
 * rules, so that pages of several origins (several localhost ports) share ONE store, as they
 * would with a browser's COS or with the COS extension.
 *
 * The page side is `cos-page-polyfill.js` (installed with Playwright's `context.addInitScript`);
 * it speaks the HTTP protocol below and turns the JSON errors back into DOMExceptions.
 * The calling origin is the browser-set `Origin` request header: the backend listens on its own
 * port, so every request from a page is cross-origin and carries one.
 *
 * Semantics (the same as `memory-cos.js`, the Node-side reference):
 *  - a hash value not matching ^[0-9a-f]{64}$, an algorithm other than "SHA-256" or bad
 *    `origins` → TypeError;
 *  - reading a missing entry, or one the caller may not see → NotFoundError;
 *  - reading an entry whose first write has not closed yet → NotAllowedError;
 *  - bytes are hashed as they arrive; on close a mismatch → DataError, and the entry is dropped;
 *  - `origins`: omitted = the writing origin only (exact origin, port included), a list of
 *    origins, or "*"; a later write of the same bytes can only widen visibility (and the writer,
 *    having proved it holds the bytes, can then read them);
 *  - optional quota → QuotaExceededError.
 * Bytes are spooled to files in a private temp directory (removed by close()), so a 256 MiB
 * entry costs no Node heap.
 *
 * HTTP protocol. All responses carry CORS headers for the calling origin. An error the draft
 * defines (a miss, a hash mismatch, ...) is an ordinary outcome, so it is answered with status
 * 200, the header `X-COS-Error: <name>` and the body `{error: {name, message}}` (a 4xx would
 * make Chromium log "Failed to load resource" on every miss); a malformed request gets a 4xx.
 *  - POST /request   {method, hashes: [{algorithm, value}], options: {create, origins}} → {handles: [{value, size}]}
 *  - GET  /file?value=HEX&method=M → the bytes (application/octet-stream)
 *  - POST /writable  {method, hash, options} → {id}
 *  - POST /write?id=ID (body: raw bytes) → {size}
 *  - POST /close?id=ID → {value, size}
 *  - POST /abort?id=ID → {}
 *
 * @module
 */

import http from "node:http";
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, open, rename, rm, stat, writeFile } from "node:fs/promises";
import { createReadStream } from "node:fs";
import os from "node:os";
import path from "node:path";

import { visibleTo, widen } from "./memory-cos.js";
import { sha256Hex } from "./test-data.js";

const HEX64 = /^[0-9a-f]{64}$/;
const MAX_JSON = 1024 * 1024;

/** An error with a DOMException name, sent to the page as JSON. */
class CosError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function hashValue(hash) {
  if (!hash || typeof hash !== "object") throw new CosError("TypeError", "hash must be an object {algorithm, value}");
  if (hash.algorithm !== "SHA-256") throw new CosError("TypeError", `unsupported hash algorithm: ${hash.algorithm}`);
  if (typeof hash.value !== "string" || !HEX64.test(hash.value)) {
    throw new CosError("TypeError", "hash value must be 64 lowercase hex digits");
  }
  return hash.value;
}

function requestOptions(options) {
  if (options == null) return { create: false, origins: undefined };
  if (typeof options !== "object") throw new CosError("TypeError", "options must be an object");
  const { origins } = options;
  if (origins !== undefined && origins !== "*" && !(Array.isArray(origins) && origins.every((o) => typeof o === "string"))) {
    throw new CosError("TypeError", 'origins must be "*" or an array of origin strings');
  }
  return { create: Boolean(options.create), origins: Array.isArray(origins) ? [...origins] : origins };
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_JSON) throw new CosError("TypeError", "request body too large");
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    throw new CosError("TypeError", "request body is not JSON");
  }
}

/**
 * @typedef {object} BackendEntry
 * @property {string} hash
 * @property {number} size
 * @property {string[]|"*"|undefined} origins Extra readers ("*" = all; undefined = owner only).
 * @property {string} ownerOrigin
 * @property {boolean} writing True until the first successful close.
 * @property {string} [file] Path of the stored bytes.
 */

/**
 * @typedef {object} BackendCall
 * @property {string} origin
 * @property {string} method API method the page used ("getFileHandle" | "requestFileHandle" | "requestFileHandles").
 * @property {string|undefined} hash
 * @property {"request"|"getFile"|"createWritable"|"write"|"close"|"abort"} step
 * @property {boolean} [create]
 * @property {number} [bytes]
 * @property {string} [error] Name of the error the step failed with.
 */

/**
 * Starts a COS backend on localhost.
 * @param {object} [options]
 * @param {number} [options.port=0]
 * @param {string} [options.host="localhost"]
 * @param {number} [options.quotaBytes=Infinity] Total bytes stored entries may take.
 * @param {(info: {step: string, hash: string|undefined, origin: string, method: string}) => ({name: string, message?: string}|undefined)} [options.faults]
 *   Called for each step; a returned `{name}` fails that step with that error.
 * @param {boolean} [options.log=false] One line per request on stderr.
 */
export async function startCosBackend(options = {}) {
  const { port = 0, host = "localhost", quotaBytes = Infinity, faults, log = false } = options;
  const dir = await mkdtemp(path.join(os.tmpdir(), "coc-cos-"));
  /** @type {Map<string, BackendEntry>} */
  const entries = new Map();
  /** Open writers by id. */
  const writers = new Map();
  const newCounts = () => ({
    request: 0, getFile: 0, createWritable: 0, write: 0, close: 0, abort: 0,
    created: 0, bytesWritten: 0, bytesRead: 0, errors: {},
  });

  const usedBytes = () => {
    let total = 0;
    for (const entry of entries.values()) if (!entry.writing) total += entry.size;
    return total;
  };
  let fileCounter = 0;
  const tempFile = () => path.join(dir, `part-${fileCounter++}`);

  const backend = {
    /** "http://localhost:PORT" */
    url: "",
    port: 0,
    /** Steps seen, by name, plus `created` entries, byte totals and errors by name. */
    counts: newCounts(),
    /** @type {BackendCall[]} */
    calls: [],
    /** Stored (fully written) entries. @returns {Omit<BackendEntry, "file">[]} */
    entries() {
      return [...entries.values()].filter((e) => !e.writing).map(({ file, ...rest }) => ({ ...rest }));
    },
    /** One entry (also one still being written), without its file path. */
    entry(value) {
      const found = entries.get(value);
      if (!found) return undefined;
      const { file, ...rest } = found;
      return { ...rest };
    },
    /** Bytes held by stored entries. */
    usedBytes,
    /** Forgets counts and calls (entries stay). */
    resetCounters() {
      backend.counts = newCounts();
      backend.calls = [];
    },
    /**
     * Puts bytes in the store directly (test setup; no call recorded).
     * @param {Uint8Array|string} data
     * @param {{origin?: string, origins?: string[]|"*"}} [opts]
     * @returns {Promise<{algorithm: "SHA-256", value: string}>}
     */
    async add(data, { origin = "http://localhost", origins } = {}) {
      const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const value = sha256Hex(bytes);
      const existing = entries.get(value);
      if (existing && !existing.writing) {
        existing.origins = widen(existing.origins, origins, origin, existing.ownerOrigin);
      } else {
        const file = path.join(dir, value);
        await writeFile(file, bytes);
        entries.set(value, { hash: value, size: bytes.length, origins, ownerOrigin: origin, writing: false, file });
      }
      return { algorithm: "SHA-256", value };
    },
    /** Stops the server, drops open writers and removes every stored byte. */
    async close() {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      for (const writer of writers.values()) await writer.handle?.close().catch(() => {});
      writers.clear();
      await rm(dir, { recursive: true, force: true });
    },
  };

  /** Records the start of a step (a call and a count). */
  function begin(ctx, name, extra = {}) {
    const call = { origin: ctx.origin, method: ctx.method, hash: ctx.hash, step: name, ...extra };
    backend.calls.push(call);
    backend.counts[name]++;
    return call;
  }

  /** Throws the error the fault hook asks for at this step, if any. */
  function injectFault(ctx, name) {
    const injected = faults?.({ step: name, hash: ctx.hash, origin: ctx.origin, method: ctx.method });
    if (injected) throw new CosError(injected.name, injected.message ?? `injected ${injected.name} at ${name}`);
  }

  /** Runs a step body; a failure is noted on its call and in counts.errors. */
  async function noted(call, body) {
    try {
      return await body();
    } catch (error) {
      call.error ??= error?.name ?? "Error";
      backend.counts.errors[call.error] = (backend.counts.errors[call.error] ?? 0) + 1;
      throw error;
    }
  }

  const contextOf = (origin, method, hash) => ({ origin, method, hash: typeof hash?.value === "string" ? hash.value : undefined });

  // ---- steps -------------------------------------------------------------------------------

  function checkReadable(value, origin) {
    const entry = entries.get(value);
    if (!entry || !visibleTo(entry, origin)) {
      throw new CosError("NotFoundError", `No file with hash ${value} is available to ${origin}.`);
    }
    if (entry.writing) throw new CosError("NotAllowedError", `The file with hash ${value} is still being written.`);
    return entry;
  }

  async function onRequest(origin, body) {
    const method = String(body.method ?? "requestFileHandle");
    const hashes = Array.isArray(body.hashes) ? body.hashes : [body.hash];
    const handles = [];
    for (const hash of hashes) {
      const ctx = contextOf(origin, method, hash);
      const call = begin(ctx, "request");
      handles.push(await noted(call, async () => {
        const value = hashValue(hash);
        const opts = requestOptions(body.options);
        call.create = opts.create;
        injectFault(ctx, "request");
        if (opts.create) return { value, size: null };
        return { value, size: checkReadable(value, origin).size };
      }));
    }
    return { handles };
  }

  async function onFile(origin, url, res) {
    const value = url.searchParams.get("value") ?? "";
    const ctx = { origin, method: url.searchParams.get("method") ?? "requestFileHandle", hash: value };
    const call = begin(ctx, "getFile");
    const entry = await noted(call, async () => {
      if (!HEX64.test(value)) throw new CosError("TypeError", "hash value must be 64 lowercase hex digits");
      injectFault(ctx, "getFile");
      return checkReadable(value, origin);
    });
    res.writeHead(200, {
      ...cors(origin),
      "Content-Type": "application/octet-stream",
      "Content-Length": String(entry.size),
      "Cache-Control": "no-store",
    });
    const stream = createReadStream(entry.file);
    stream.on("data", (chunk) => {
      backend.counts.bytesRead += chunk.length;
    });
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  }

  async function onWritable(origin, body) {
    const method = String(body.method ?? "requestFileHandle");
    const ctx = contextOf(origin, method, body.hash);
    const call = begin(ctx, "createWritable");
    return noted(call, async () => {
      const value = hashValue(body.hash);
      const opts = requestOptions(body.options);
      injectFault(ctx, "createWritable");
      let placeholder = null;
      if (!entries.has(value)) {
        placeholder = { hash: value, size: 0, origins: opts.origins, ownerOrigin: origin, writing: true };
        entries.set(value, placeholder);
      }
      const file = tempFile();
      const writer = {
        id: randomUUID(),
        origin,
        method,
        hash: value,
        origins: opts.origins,
        placeholder,
        file,
        handle: await open(file, "w"),
        hasher: createHash("sha256"),
        size: 0,
        queue: Promise.resolve(),
      };
      writers.set(writer.id, writer);
      return { id: writer.id };
    });
  }

  /** Drops a writer, its temp file and any placeholder it made. */
  async function finishWriter(writer) {
    writers.delete(writer.id);
    await writer.handle.close().catch(() => {});
    await rm(writer.file, { force: true });
    const { placeholder } = writer;
    if (placeholder && entries.get(writer.hash) === placeholder && placeholder.writing) entries.delete(writer.hash);
  }

  function writerFor(url, origin) {
    const writer = writers.get(url.searchParams.get("id") ?? "");
    if (!writer || writer.origin !== origin) throw new CosError("InvalidStateError", "no such open writable (closed, aborted or failed)");
    return writer;
  }

  /** Serializes the steps of one writer. */
  function queued(writer, body) {
    const run = writer.queue.then(body);
    writer.queue = run.catch(() => {});
    return run;
  }

  async function onWrite(origin, url, req) {
    const writer = writerFor(url, origin);
    return queued(writer, async () => {
      const ctx = { origin, method: writer.method, hash: writer.hash };
      const call = begin(ctx, "write", { bytes: 0 });
      try {
        await noted(call, async () => {
          injectFault(ctx, "write");
          const stored = entries.get(writer.hash);
          const duplicate = stored && !stored.writing;  // only widens visibility on close: costs nothing
          for await (const chunk of req) {
            if (!duplicate && usedBytes() + writer.size + chunk.length > quotaBytes) {
              throw new CosError("QuotaExceededError", `Storing ${writer.hash} would exceed the ${quotaBytes}-byte quota.`);
            }
            writer.hasher.update(chunk);
            await writer.handle.write(chunk);
            writer.size += chunk.length;
            call.bytes += chunk.length;
            backend.counts.bytesWritten += chunk.length;
          }
        });
      } catch (error) {
        await finishWriter(writer);
        throw error;
      }
      return { size: writer.size };
    });
  }

  async function onClose(origin, url) {
    const writer = writerFor(url, origin);
    return queued(writer, async () => {
      const ctx = { origin, method: writer.method, hash: writer.hash };
      const call = begin(ctx, "close");
      return noted(call, async () => {
        try {
          injectFault(ctx, "close");
          const actual = writer.hasher.digest("hex");
          if (actual !== writer.hash) {
            throw new CosError("DataError", `Written bytes hash to ${actual}, not ${writer.hash}.`);
          }
          const existing = entries.get(writer.hash);
          if (existing && !existing.writing) {
            existing.origins = widen(existing.origins, writer.origins, origin, existing.ownerOrigin);
            return { value: writer.hash, size: existing.size };
          }
          if (usedBytes() + writer.size > quotaBytes) {
            throw new CosError("QuotaExceededError", `Storing ${writer.hash} would exceed the ${quotaBytes}-byte quota.`);
          }
          await writer.handle.close();
          const file = path.join(dir, writer.hash);
          await rename(writer.file, file);
          const entry = existing ?? { hash: writer.hash, ownerOrigin: origin, origins: writer.origins };
          Object.assign(entry, { size: writer.size, file, writing: false });
          if (entry.ownerOrigin !== origin || entry.origins !== writer.origins) {
            entry.origins = widen(entry.origins, writer.origins, origin, entry.ownerOrigin);
          }
          entries.set(writer.hash, entry);
          backend.counts.created++;
          return { value: writer.hash, size: writer.size };
        } finally {
          await finishWriter(writer);
        }
      });
    });
  }

  async function onAbort(origin, url) {
    const writer = writers.get(url.searchParams.get("id") ?? "");
    if (!writer || writer.origin !== origin) return {};
    return queued(writer, async () => {
      if (!writers.has(writer.id)) return {};
      begin({ origin, method: writer.method, hash: writer.hash }, "abort");
      await finishWriter(writer);
      return {};
    });
  }

  // ---- HTTP -------------------------------------------------------------------------------

  function cors(origin) {
    return {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
      "Access-Control-Allow-Headers": "Content-Type",
      "Access-Control-Max-Age": "600",
      "Access-Control-Expose-Headers": "X-COS-Error, Content-Length",
      Vary: "Origin",
    };
  }

  function sendJson(res, origin, status, value) {
    const body = Buffer.from(JSON.stringify(value));
    res.writeHead(status, { ...cors(origin), "Content-Type": "application/json", "Content-Length": String(body.length), "Cache-Control": "no-store" });
    res.end(body);
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? "/", "http://cos.invalid");
    const origin = req.headers.origin;
    if (log) res.once("close", () => console.error(`[cos] ${origin} ${req.method} ${url.pathname} -> ${res.statusCode}`));
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors(origin ?? "*"));
      res.end();
      return;
    }
    if (!origin || origin === "null") {
      sendJson(res, "*", 400, { error: { name: "SecurityError", message: "requests need a (non-opaque) Origin header" } });
      return;
    }
    try {
      const route = `${req.method} ${url.pathname}`;
      let result;
      switch (route) {
        case "POST /request": result = await onRequest(origin, await readJson(req)); break;
        case "GET /file": await onFile(origin, url, res); return;
        case "POST /writable": result = await onWritable(origin, await readJson(req)); break;
        case "POST /write": result = await onWrite(origin, url, req); break;
        case "POST /close": result = await onClose(origin, url); break;
        case "POST /abort": result = await onAbort(origin, url); break;
        default:
          sendJson(res, origin, 404, { error: { name: "UnknownError", message: `no route ${route}` } });
          return;
      }
      sendJson(res, origin, 200, result);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const name = error instanceof CosError ? error.name : "UnknownError";
      const status = error instanceof CosError ? 200 : 500;
      // Drain what the page still sends, so it sees the answer rather than a reset.
      req.resume();
      res.setHeader("X-COS-Error", name);
      sendJson(res, origin, status, { error: { name, message: error?.message ?? String(error) } });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // Node closes idle keep-alive sockets after 5 s by default; a POST the browser sends on such a
  // socket just as it closes can fail with "Failed to fetch" (POSTs are not retried). A precaution:
  // keep them open for the length of any test.
  server.keepAliveTimeout = 10 * 60 * 1000;
  server.headersTimeout = server.keepAliveTimeout + 1000;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  backend.port = /** @type {import("node:net").AddressInfo} */ (server.address()).port;
  backend.url = `http://${host}:${backend.port}`;
  backend.dir = dir;
  return backend;
}

/** Size of a stored entry's file on disk (tests: check what the backend really holds). */
export async function storedSize(backend, value) {
  const entry = backend.entry(value);
  if (!entry || entry.writing) return undefined;
  return (await stat(path.join(backend.dir, value))).size;
}
