// getFileHandle() for a COS manager that offers only the older names: web-llm's bundled tvmjs uses
// COS only when navigator.crossOriginStorage.getFileHandle exists, and the COS extension offers
// requestFileHandle (and the deprecated requestFileHandles) only.

/**
 * Adds getFileHandle(hash, options) to `manager` (default navigator.crossOriginStorage), calling
 * its requestFileHandle, else its requestFileHandles. Never replaces a getFileHandle it has; does
 * nothing without a manager. Returns whether the alias was added. Works in pages and workers.
 */
export function installGetFileHandleAlias(manager = globalThis.navigator?.crossOriginStorage) {
  if (!manager || typeof manager.getFileHandle === "function") return false;
  let alias;
  if (typeof manager.requestFileHandle === "function") {
    alias = (hash, options) => manager.requestFileHandle(hash, options);
  } else if (typeof manager.requestFileHandles === "function") {
    alias = async (hash, options) => (await manager.requestFileHandles([hash], options))[0];
  } else {
    return false;
  }
  try {
    Object.defineProperty(manager, "getFileHandle", { configurable: true, writable: true, value: alias });
  } catch {
    return false;  // a frozen manager keeps its own shape
  }
  return true;
}
