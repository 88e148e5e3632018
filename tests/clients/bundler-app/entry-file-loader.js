// esbuild recipe 2: let esbuild copy the wasm (--loader:.wasm=file); the import is its emitted path.
// The package's "exports" does not expose dist/core.wasm, so the path goes into node_modules.
import wasmPath from "./node_modules/cross-origin-cache/dist/core.wasm";
import { runApp } from "./main.js";

runApp({ wasmUrl: new URL(wasmPath, import.meta.url) });
