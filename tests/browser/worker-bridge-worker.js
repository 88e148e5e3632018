// A dedicated module worker for worker-bridge.test.js: it has no navigator.crossOriginStorage of its
// own, runs the commands its page posts ({id, command, arg}) and posts {id, value} or {id, error}.
// Bytes are checked with WebCrypto, not with the package's wasm.
import * as coc from "/js/index.js";

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
const digest = async (buffer) => hex(await crypto.subtle.digest("SHA-256", buffer));
const hashOf = (value) => ({ algorithm: "SHA-256", value });
const errorName = (promise) => promise.then(() => "resolved", (error) => `${error instanceof DOMException ? "DOMException" : error?.constructor?.name}:${error?.name}`);
const openWrites = [];  // writes a command left open on purpose

const commands = {
  hasOwnCos: () => "crossOriginStorage" in navigator,
  warm: async () => coc.sha256(new Uint8Array(1)),

  // Every URL through a fresh cache: resolve all, then load each and hash the bytes.
  async load({ urls }) {
    const started = performance.now();
    const cache = await coc.createCrossOriginCache();
    const createdMs = performance.now() - started;
    const resolved = (await cache.resolveHashes(urls)).map((h) => h?.value ?? null);
    const files = [];
    for (const url of urls) {
      const buffer = await cache.fetchWithCache(url, "arraybuffer");
      files.push({ url, size: buffer.byteLength, sha256: await digest(buffer) });
    }
    const result = { storageKind: cache.storageKind, createdMs, resolved, files, stats: cache.stats() };
    cache.dispose();
    return result;
  },

  async store({ url }) {
    const cache = await coc.createCrossOriginCache();
    await cache.addToCache(url);
    const result = { storageKind: cache.storageKind, stats: cache.stats() };
    cache.dispose();
    return result;
  },

  // Error names as a worker's code sees them through the bridge.
  async errors({ missing }) {
    const manager = await coc.connectCrossOriginStorage();
    return {
      missing: await errorName(manager.getFileHandle(hashOf(missing))),
      missingOlderName: await errorName(manager.requestFileHandle(hashOf(missing))),
      badHash: await errorName(manager.getFileHandle(hashOf("NOT-HEX"))),
    };
  },

  // Opens a write and leaves it open: the page terminates this worker next.
  async writeAndHang({ value, size }) {
    const manager = await coc.connectCrossOriginStorage();
    const writable = await (await manager.requestFileHandle(hashOf(value), { create: true })).createWritable();
    await writable.write(new Uint8Array(size).fill(7));
    openWrites.push(writable);
    return "written";
  },

  // navigator.crossOriginStorage installed from the page's, used as a library would.
  // `bytes` arrives as an array of numbers: WebDriver BiDi (Firefox) cannot pass a Uint8Array.
  async installed({ stored, bytes: numbers }) {
    const bytes = Uint8Array.from(numbers);
    const before = typeof navigator.crossOriginStorage;
    const installed = await coc.installCrossOriginStorage();
    const cos = navigator.crossOriginStorage;
    const file = await (await cos.getFileHandle(hashOf(stored))).getFile();
    const value = await digest(bytes);
    const writable = await (await cos.requestFileHandle(hashOf(value), { create: true })).createWritable();
    await writable.write(bytes);
    await writable.close();
    return {
      before,
      installed,
      methods: ["getFileHandle", "requestFileHandle", "requestFileHandles"].filter((name) => typeof cos[name] === "function"),
      read: { isFile: file instanceof File, size: file.size, sha256: await digest(await file.arrayBuffer()) },
      written: value,
      missing: await errorName(cos.getFileHandle(hashOf("0".repeat(64)))),
    };
  },
};

// The app's own handler, set after the package's import: it must never see the bridge's messages.
const strangers = [];
commands.strangers = () => strangers;
self.onmessage = async ({ data }) => {
  if (!data || !(data.command in commands)) {
    strangers.push(JSON.stringify(data)?.slice(0, 200) ?? String(data));
    return;
  }
  try {
    postMessage({ id: data.id, value: await commands[data.command](data.arg) });
  } catch (error) {
    postMessage({ id: data.id, error: `${error?.name}: ${error?.message}` });
  }
};
