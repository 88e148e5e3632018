// esbuild recipe 1: copy node_modules/cross-origin-cache/dist/core.wasm next to the bundle and say where.
import { runApp } from "./main.js";

runApp({ wasmUrl: new URL("./core.wasm", import.meta.url) });
