// Web Locks for Node, which has none: a lock manager of the API's shape (request(name, options?,
// callback), one holder per name at a time, a request given up when its options.signal aborts
// before the lock is granted), installed as navigator.locks for one test.
export function lockManager() {
  const held = new Map();  // name -> settles when the last holder asked for lets go
  const requests = [];
  return {
    requests,
    request(name, options, callback) {
      if (typeof options === "function") [options, callback] = [{}, options];
      requests.push(name);
      const previous = held.get(name) ?? Promise.resolve();
      const signal = options?.signal;
      let settle;
      const turn = new Promise((resolve, reject) => { settle = { resolve, reject }; });
      const onAbort = () => settle.reject(signal.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      const released = previous.then(() => {
        if (signal?.aborted) return undefined;  // given up: the next request goes on
        signal?.removeEventListener("abort", onAbort);
        const holding = Promise.resolve().then(callback);
        holding.then(settle.resolve, settle.reject);
        return holding.catch(() => {});
      });
      held.set(name, released);
      return turn;
    },
  };
}

/** Gives globalThis.navigator.locks for the test `t`; returns the lock manager. */
export function withLocks(t) {
  const locks = lockManager();
  const before = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", { value: { locks }, configurable: true, writable: true });
  t.after(() => (before ? Object.defineProperty(globalThis, "navigator", before) : delete globalThis.navigator));
  return locks;
}
