// Emscripten 3.1.6's ES-module glue uses require/__dirname/__filename when it runs under Node
// (fixed upstream in 3.1.27). Define them from import.meta.url so the same artifact loads in Node
// and in browsers; no top-level await, so bundlers and CommonJS consumers are unaffected.
var require, __filename, __dirname;
if (typeof process === "object" && process && typeof process.getBuiltinModule === "function") {
  require = process.getBuiltinModule("module").createRequire(import.meta.url);
  __filename = process.getBuiltinModule("url").fileURLToPath(import.meta.url);
  __dirname = process.getBuiltinModule("path").dirname(__filename);
}
