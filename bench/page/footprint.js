// The Chromium side of the footprint bench: importing /js/index.js loads the Emscripten glue
// (dist/core.js) but not the wasm; window.footprintBench.instantiate() times the first
// `await loadCore()` of this page (fetch + compile + instantiate of dist/core.wasm);
// instantiateFromBytes() times compile + instantiate alone (a diagnostic, on its own fresh page).
import { loadCore } from "/js/index.js";

window.footprintBench = {
  async instantiate() {
    const start = performance.now();
    const core = await loadCore();
    const ms = performance.now() - start;
    if (!core || typeof core.Resolver !== "function") throw new Error("footprint bench page: loadCore() gave no core");
    const entry = performance.getEntriesByType("resource").find((resource) => resource.name.endsWith("/dist/core.wasm"));
    return { ms, wasmTransferMs: entry ? entry.responseEnd - entry.startTime : null };
  },

  /** A diagnostic: the bytes fetched first (untimed), then the first loadCore({wasmBinary}). */
  async instantiateFromBytes() {
    const response = await fetch("/dist/core.wasm", { cache: "no-store" });
    if (!response.ok) throw new Error(`footprint bench page: /dist/core.wasm answered ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const start = performance.now();
    const core = await loadCore({ wasmBinary: bytes });
    const ms = performance.now() - start;
    if (!core || typeof core.Resolver !== "function") throw new Error("footprint bench page: loadCore() gave no core");
    return { ms };
  },
};
