// Loads the wasm core once per realm. In Node the bytes are read from disk (Emscripten 3.1.6 would
// try to fetch() a file path); in browsers the .wasm is located next to this package's dist/.
import createCoreModule from "../dist/core.js";

let defaultCore;

function isNode() {
  return typeof process === "object" && process !== null && typeof process.versions?.node === "string";
}

function defaultWasmUrl() {
  return new URL("../dist/core.wasm", import.meta.url);
}

async function moduleArguments(options) {
  if (options.wasmBinary) return { wasmBinary: options.wasmBinary };
  if (options.wasmUrl) {
    const url = String(options.wasmUrl);
    return { locateFile: () => url };
  }
  const url = defaultWasmUrl();
  if (isNode() && url.protocol === "file:") {
    const { readFileSync } = process.getBuiltinModule("fs");
    const { fileURLToPath } = process.getBuiltinModule("url");
    return { wasmBinary: readFileSync(fileURLToPath(url)) };
  }
  return { locateFile: () => url.href };
}

/**
 * The instantiated core module. Pass `wasmUrl` or `wasmBinary` where a bundler does not copy
 * `dist/core.wasm` (esbuild); without options the one default instance is shared.
 */
export function loadCore(options = {}) {
  const custom = Boolean(options.wasmBinary || options.wasmUrl);
  if (!custom && defaultCore) return defaultCore;
  const loading = moduleArguments(options).then((args) => createCoreModule(args));
  if (!custom) {
    defaultCore = loading;
    loading.catch(() => { defaultCore = undefined; });
  }
  return loading;
}
