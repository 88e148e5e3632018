// No options: the package finds dist/core.wasm itself (Vite copies it; plain esbuild does not).
import { runApp } from "./main.js";

runApp();
