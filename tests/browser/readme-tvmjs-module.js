// @mlc-ai/web-runtime (tvmjs) as an ES module for the README's `import * as tvmjs from
// "@mlc-ai/web-runtime"` in readme-snippets.test.js. The package ships a UMD build only
// (lib/index.js): imported as a module it takes its globalThis branch and sets globalThis.tvmjs,
// whose exports are re-exported here by name (a module cannot export names computed at run time).
import "/node_modules/@mlc-ai/web-runtime/lib/index.js";

export const {
  ArtifactCache, ArtifactCrossOriginStorageCache, ArtifactIndexedDBCache, ArtifactOPFSCache, CacheState,
  DLDataType, DLDevice, Instance, LRUCache, LinearCongruentialGenerator, Module, RPCServer, Scalar, TVMArray,
  TVMObject, Tensor, VirtualMachine, assert, createArtifactCache, createPolyfillWASI, deleteTensorCache,
  detectGPUDevice, hasTensorInCache, instantiate, wasmPath,
} = globalThis.tvmjs;
