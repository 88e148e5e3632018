// Loads the wasm core once per realm and per wasm location. In Node the bytes are read from disk
// (Emscripten 3.1.6 would try to fetch() a file path); in browsers the .wasm is located next to
// this package's dist/, or where `wasmUrl` says (bundlers that do not copy it, such as esbuild).
import createCoreModule from "../dist/core.js";

let defaultCore;
const byUrl = new Map();
const byBinary = new WeakMap();

function isNode() {
  return typeof process === "object" && process !== null && typeof process.versions?.node === "string";
}

function moduleArguments(options) {
  if (options.wasmBinary) return { args: { wasmBinary: options.wasmBinary }, source: "the wasmBinary option" };
  const url = options.wasmUrl ? new URL(String(options.wasmUrl), globalThis.location?.href) : new URL("../dist/core.wasm", import.meta.url);
  if (isNode() && url.protocol === "file:") {
    const { readFileSync } = process.getBuiltinModule("fs");
    const { fileURLToPath } = process.getBuiltinModule("url");
    return { args: { wasmBinary: readFileSync(fileURLToPath(url)) }, source: shownLocation(url), href: url.href };
  }
  const instantiation = streamingInstantiation(url.href);
  return { args: { instantiateWasm: instantiation.instantiateWasm }, source: shownLocation(url), href: url.href, instantiation };
}

// The wasm's location as a message shows it, before the core (which redacts everything else) is
// there: no userinfo, query or fragment, where a signed URL keeps its secrets.
function shownLocation(url) {
  const shown = new URL(url.href);
  shown.username = "";
  shown.password = "";
  shown.search = "";
  shown.hash = "";
  return shown.href;
}

// The .wasm is asked for before the loader starts (its first run parses the whole glue, about
// 3 ms in Chromium) and compiled while its bytes arrive. A server that does not label it
// application/wasm, which streaming compilation requires, gets it compiled from its bytes.
// `instantiation.done` settles with it: Emscripten's loader waits for receiveInstance() and would
// never hear of a failure.
function streamingInstantiation(href) {
  const response = fetch(href, { credentials: "same-origin" });
  response.catch(() => {});  // a failure is reported by `done`
  const instantiation = { done: undefined };
  instantiation.instantiateWasm = (imports, receiveInstance) => {
    instantiation.done = response.then(async (answer) => {
      if (!answer.ok) throw new Error(`it answered ${answer.status}`);
      // Exactly application/wasm: runtimes differ on parameters and case (Node refuses both).
      const { instance } = answer.headers.get("content-type") === "application/wasm"
        ? await WebAssembly.instantiateStreaming(answer, imports)
        : await WebAssembly.instantiate(await answer.arrayBuffer(), imports);
      receiveInstance(instance);
    });
    return {};
  };
  return instantiation;
}

// The core's error kinds by camel-case name (cos-quota → errorKinds.cosQuota):
// the one list (src/error_kinds.h) crosses as a single string.
function errorKindsOf(core) {
  const list = core.errorKindList.split(" ").filter(Boolean);
  return Object.freeze(Object.fromEntries(list.map((kind) => [kind.replace(/-(.)/g, (_, c) => c.toUpperCase()), kind])));
}

async function instantiate(options) {
  const { args, source, href, instantiation } = moduleArguments(options);
  try {
    // The factory calls instantiateWasm before it returns.
    const loading = (options.moduleFactory ?? createCoreModule)(args);
    const [core] = await Promise.all([loading, instantiation?.done]);
    core.errorKinds = errorKindsOf(core);
    return core;
  } catch (error) {
    // A platform's error may quote the location whole (fetch refuses a URL with credentials so).
    const text = (value) => (href ? String(value).split(href).join(source) : String(value));
    const cause = error instanceof Error ? Object.assign(new Error(text(error.message)), { name: error.name }) : text(error);
    throw new Error(`cross-origin-cache: could not load its core from ${source}: ${text(error?.message ?? error)}. ` +
      "If a bundler did not copy dist/core.wasm, pass { wasmUrl } or { wasmBinary }.", { cause });
  }
}

function remember(map, key, promise) {
  map.set(key, promise);
  promise.catch(() => map.delete(key));
  return promise;
}

/**
 * The instantiated core module, loaded once per wasm location. `moduleFactory`: the Emscripten
 * factory of another build of the core, with `wasmUrl` or `wasmBinary` (the tests' module). The first load also becomes the
 * default, so an app that passes `wasmUrl` once need not pass it to every call.
 */
export function loadCore(options = {}) {
  let loading;
  if (options.wasmBinary) {
    loading = byBinary.get(options.wasmBinary);
    if (!loading) {
      loading = instantiate(options);
      byBinary.set(options.wasmBinary, loading);
      loading.catch(() => byBinary.delete(options.wasmBinary));
    }
  } else if (options.wasmUrl) {
    const key = String(options.wasmUrl);
    loading = byUrl.get(key) ?? remember(byUrl, key, instantiate(options));
  } else {
    loading = defaultCore ?? instantiate(options);
  }
  if (!defaultCore) {
    defaultCore = loading;
    loading.catch(() => { if (defaultCore === loading) defaultCore = undefined; });
  }
  return loading;
}
