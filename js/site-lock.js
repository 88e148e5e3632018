// One step at a time across the site's tabs and workers, where the browser has Web Locks: a store
// every tab writes (the record snapshot, a fallback entry's seal) is read and written as one step.
// Without Web Locks (Node, an opaque origin that may not take one) the step runs as it is.

/** Runs step() holding the site-wide lock `name`, or without one where there is none to take. */
export async function withSiteLock(name, step) {
  const locks = globalThis.navigator?.locks;
  if (typeof locks?.request !== "function") return step();
  let held = false;
  try {
    return await locks.request(name, () => {
      held = true;
      return step();
    });
  } catch (error) {
    // A lock the page may not take: run as without Web Locks.
    if (held) throw error;
    return step();
  }
}
