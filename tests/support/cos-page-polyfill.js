/**
 * A `navigator.crossOriginStorage` for real browser test pages, the way the COS extension's
 * content script provides one: every call goes to ONE backend (`cos-page-backend.js`, a node:http
 * server on localhost), so pages of several origins share one store.
 *
 * Use it from Node with Playwright:
 *
 *   import { cosInitScript } from "../support/cos-page-polyfill.js";
 *   await context.addInitScript(cosInitScript({ backend: cos.url }));
 *
 * or in a page (it imports nothing): `installCrossOriginStorage({ backend })`.
 *
 * `installCrossOriginStorage` is self-contained (it is serialized with Function#toString into the
 * init script), so it must not refer to anything outside its own body.
 *
 * What the page gets (WICG draft shapes; `api` picks which methods exist, default all three):
 *  - `getFileHandle(hash, {create, origins})`, `requestFileHandle(hash, {create, origins})`,
 *    `requestFileHandles([hash, ...], {create, origins})` → handle(s);
 *  - handle: `{kind: "file", name, getFile()}` → File; with `create: true` also
 *    `createWritable()` → a WritableStream with `write(data)`, `close()`, `abort()` (data: a
 *    BufferSource, Blob, string or `{type: "write", data}`);
 *  - errors are DOMExceptions named as the draft says (NotFoundError, NotAllowedError,
 *    DataError, QuotaExceededError), TypeError for invalid arguments.
 * Writes are staged in one buffer of `chunkBytes` (default 4 MiB) and sent when it is full, so a
 * 256 MiB write never sits whole in the page; a Blob is sent slice by slice. `sendAs` says how a
 * full buffer goes out: "blob" (default) as a Blob copy, "bytes" as the buffer itself (fetch copies
 * a BufferSource body when called, so the buffer is reused at once). Chromium under Playwright
 * wants "blob" (see flush); Firefox wants "bytes": a fresh 4 MiB Blob or copy per request piles up
 * in its content process until a GC (measured: 64 such POSTs +120 MiB, one reused buffer +11 MiB).
 *
 * @module
 */

/**
 * Installs `navigator.crossOriginStorage` in the current page.
 * @param {{backend: string, api?: ("getFileHandle"|"requestFileHandle"|"requestFileHandles")[], chunkBytes?: number, sendAs?: "blob"|"bytes", force?: boolean}} config
 *   `force` installs even on pages the extension would skip (not https, localhost or *.test).
 */
export function installCrossOriginStorage(config) {
  const backend = String(config.backend).replace(/\/+$/, "");
  const names = ["getFileHandle", "requestFileHandle", "requestFileHandles"];
  // Any one name alone (or any mix) is offered as asked, like the extension's requestFileHandle-only shape.
  const api = config.api ?? names;
  if (!Array.isArray(api) || api.length === 0 || !api.every((name) => names.includes(name))) {
    throw new TypeError(`api must list some of ${names.join(", ")}`);
  }
  const chunkBytes = config.chunkBytes ?? 4 * 1024 * 1024;
  const sendAs = config.sendAs ?? "blob";
  if (sendAs !== "blob" && sendAs !== "bytes") throw new TypeError(`sendAs must be "blob" or "bytes", got ${sendAs}`);
  if (typeof location === "undefined" || typeof navigator === "undefined") return false;
  const { protocol, hostname, origin } = location;
  const eligible = protocol === "https:" || (protocol === "http:" && (hostname === "localhost" || hostname.endsWith(".test")));
  if (!config.force && (!eligible || origin === "null")) return false;

  const fetchNative = globalThis.fetch.bind(globalThis);

  function toError(info) {
    const name = info?.name ?? "UnknownError";
    const message = info?.message ?? name;
    if (name === "TypeError") return new TypeError(message);
    return new DOMException(message, name);
  }

  async function call(path, init) {
    let response;
    try {
      response = await fetchNative(backend + path, { cache: "no-store", ...init });
    } catch (error) {
      throw new DOMException(`cross-origin storage backend unreachable: ${error?.message ?? error}`, "UnknownError");
    }
    if (!response.ok || response.headers.has("X-COS-Error")) {
      let info;
      try {
        info = (await response.json()).error;
      } catch {
        info = { name: "UnknownError", message: `backend answered HTTP ${response.status}` };
      }
      throw toError(info);
    }
    return response;
  }

  const postJson = async (path, value) => (await call(path, { method: "POST", body: JSON.stringify(value) })).json();

  function checkHash(hash) {
    if (!hash || typeof hash !== "object") throw new TypeError("hash must be an object {algorithm, value}");
    return { algorithm: hash.algorithm, value: hash.value };
  }

  function plainOptions(options) {
    if (options == null) return {};
    if (typeof options !== "object") throw new TypeError("options must be an object");
    const out = {};
    if ("create" in options) out.create = Boolean(options.create);
    if (options.origins !== undefined) out.origins = options.origins;
    return out;
  }

  function makeWritable(method, hash, options, id) {
    let staged = new Uint8Array(0);
    let used = 0;
    let position = 0;

    async function send(body) {
      // Reading the answer matters: an unread response keeps its request (and so the body's
      // Blob) alive until GC, and Chromium's in-memory blob store (~500 MiB headless) fills up.
      await (await call(`/write?id=${encodeURIComponent(id)}`, { method: "POST", body })).arrayBuffer();
    }
    async function flush() {
      if (used === 0) return;
      // A Blob copies the bytes, so the buffer is free again at once. (Measured
      // under Playwright: a 4 MiB Uint8Array body takes ~0.9 s and stays in the renderer's
      // memory, a 4 MiB Blob body ~50 ms and does not; DevTools' network capture of
      // BufferSource request bodies is the likely cause.)
      const body = sendAs === "blob" ? new Blob([staged.subarray(0, used)]) : staged.subarray(0, used);
      await send(body);
      used = 0;
    }
    async function stage(bytes) {
      let offset = 0;
      while (offset < bytes.byteLength) {
        if (staged.byteLength === 0) staged = new Uint8Array(chunkBytes);
        const take = Math.min(chunkBytes - used, bytes.byteLength - offset);
        staged.set(bytes.subarray(offset, offset + take), used);
        used += take;
        offset += take;
        if (used === chunkBytes) await flush();
      }
    }
    function asBytes(data) {
      if (data instanceof ArrayBuffer) return new Uint8Array(data);
      if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      return null;
    }

    class CrossOriginStorageWritable extends WritableStream {
      /** Writes one chunk (a shortcut for getWriter().write(data)). */
      async write(data) {
        const writer = this.getWriter();
        try {
          await writer.write(data);
        } finally {
          writer.releaseLock();
        }
      }
    }

    return new CrossOriginStorageWritable({
      async write(chunk) {
        let data = chunk;
        if (data && typeof data === "object" && "type" in data && !(data instanceof Blob)) {
          if (data.type !== "write") throw new TypeError(`only sequential {type: "write"} chunks are supported, got ${data.type}`);
          if (data.position != null && data.position !== position) throw new TypeError("only sequential writes are supported");
          data = data.data;
        }
        if (typeof data === "string") data = new TextEncoder().encode(data);
        if (data instanceof Blob) {
          await flush();
          for (let offset = 0; offset < data.size; offset += chunkBytes) {
            await send(data.slice(offset, Math.min(offset + chunkBytes, data.size)));
          }
          position += data.size;
          return;
        }
        const bytes = asBytes(data);
        if (!bytes) throw new TypeError("write() takes a BufferSource, Blob, string or {type: \"write\", data}");
        await stage(bytes);
        position += bytes.byteLength;
      },
      async close() {
        await flush();
        staged = new Uint8Array(0);
        await postJson(`/close?id=${encodeURIComponent(id)}`, {});
      },
      async abort() {
        staged = new Uint8Array(0);
        used = 0;
        await postJson(`/abort?id=${encodeURIComponent(id)}`, {}).catch(() => {});
      },
    });
  }

  function makeHandle(method, hash, options) {
    const value = hash.value;
    const handle = {
      kind: "file",
      name: value,
      async getFile() {
        const response = await call(`/file?value=${encodeURIComponent(value)}&method=${encodeURIComponent(method)}`, {});
        const blob = await response.blob();
        return new File([blob], value, { type: "" });
      },
    };
    if (options.create) {
      handle.createWritable = async () => {
        const { id } = await postJson("/writable", { method, hash, options });
        return makeWritable(method, hash, options, id);
      };
    }
    return handle;
  }

  async function requestHandles(method, hashes, options) {
    const opts = plainOptions(options);
    const { handles } = await postJson("/request", { method, hashes, options: opts });
    return handles.map((h, i) => makeHandle(method, hashes[i], opts));
  }

  const manager = {};
  if (api.includes("getFileHandle")) {
    manager.getFileHandle = async (hash, options) => (await requestHandles("getFileHandle", [checkHash(hash)], options))[0];
  }
  if (api.includes("requestFileHandle")) {
    manager.requestFileHandle = async (hash, options) => (await requestHandles("requestFileHandle", [checkHash(hash)], options))[0];
  }
  if (api.includes("requestFileHandles")) {
    manager.requestFileHandles = async (hashes, options) => {
      if (!Array.isArray(hashes)) throw new TypeError("requestFileHandles takes an array of hashes");
      return requestHandles("requestFileHandles", hashes.map(checkHash), options);
    };
  }
  Object.defineProperty(Navigator.prototype, "crossOriginStorage", {
    configurable: true,
    enumerable: true,
    get: () => manager,
  });
  return true;
}

/**
 * The init-script source that installs the polyfill, for `context.addInitScript(...)`.
 * @param {Parameters<typeof installCrossOriginStorage>[0]} config
 * @returns {string}
 */
export function cosInitScript(config) {
  return `(${installCrossOriginStorage.toString()})(${JSON.stringify(config)});`;
}
