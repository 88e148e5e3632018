// What recipe 2 would look like if the package exported "./core.wasm" (the test adds that export to
// its temp install to show it works; the real package.json does not have it).
import wasmPath from "cross-origin-cache/core.wasm";
import { runApp } from "./main.js";

runApp({ wasmUrl: new URL(wasmPath, import.meta.url) });
