// The test module (build/wasm/core-test.*, built beside dist/ but never shipped): the package's
// core plus the test-only bindings liveObjectCount() and makeHashDescriptor(). Loaded before
// anything else in a realm, it is that realm's default core, so caches created after it run on it.
import createTestModule from "../../build/wasm/core-test.js";
import { loadCore } from "../../js/index.js";

/** Paths of the test module on a site serving the repository root (the browser tests). */
export const TEST_CORE = { glue: "/build/wasm/core-test.js", wasm: "/build/wasm/core-test.wasm" };

/** CoreOptions that load the test module (createSha256(), loadCore()). */
export const testCoreOptions = { wasmUrl: new URL("../../build/wasm/core-test.wasm", import.meta.url), moduleFactory: createTestModule };

export function loadTestCore() {
  return loadCore(testCoreOptions);
}
