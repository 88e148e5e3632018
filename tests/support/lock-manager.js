// Web Locks for Node, which has none: a lock manager of the API's shape (request(name, callback),
// one holder per name at a time), installed as navigator.locks for one test.
export function lockManager() {
  const held = new Map();
  const requests = [];
  return {
    requests,
    request(name, callback) {
      requests.push(name);
      const turn = (held.get(name) ?? Promise.resolve()).then(() => callback());
      held.set(name, turn.catch(() => {}));
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
