// One step at a time across the site's tabs and workers, where the browser has Web Locks: a store
// every tab writes (the record snapshot, a fallback entry's seal) is read and written as one step.
// Without Web Locks (Node, an opaque origin that may not take one) the step runs as it is.

/**
 * Runs step() holding the site-wide lock `name`, or without one where there is none to take. A
 * lock not granted within waitMs (another tab holds it, perhaps on storage that never answers)
 * rejects with a TimeoutError marked `lockNotGranted`: the caller decides whether to go on without.
 */
export async function withSiteLock(name, step, waitMs = Infinity) {
  const locks = globalThis.navigator?.locks;
  if (typeof locks?.request !== "function") return step();
  const waited = Number.isFinite(waitMs) ? AbortSignal.timeout(waitMs) : undefined;
  let held = false;
  try {
    return await locks.request(name, waited ? { signal: waited } : {}, () => {
      held = true;
      return step();
    });
  } catch (error) {
    if (held) throw error;
    if (waited?.aborted) {
      throw Object.assign(new DOMException(`the site's lock "${name}" was not granted within ${waitMs} ms`, "TimeoutError"),
        { lockNotGranted: true });
    }
    // A lock the page may not take: run as without Web Locks.
    return step();
  }
}
