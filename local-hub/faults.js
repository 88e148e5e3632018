// Injected faults: each matches requests by a function of the request or a string in its path,
// applies some number of times, and the first matching one wins.

/**
 * @typedef {object} Fault What to do to a matching request.
 * @property {number} [status] Reply with this status and `body` instead of the real response.
 * @property {string|Buffer|object} [body] Body for `status` (objects are sent as JSON).
 * @property {Record<string, string|null>} [headers] Headers to set on the reply (null removes one).
 * @property {number} [delayMs] Wait this long before replying.
 * @property {number} [resetAfterBytes] Close the connection after this many body bytes.
 * @property {Buffer|Uint8Array|string} [replaceBytes] Body served instead of the real one; other headers unchanged.
 * @property {boolean} [ignoreRange] Answer as a server without range support: 200 and the whole body.
 * @property {number} [times] Apply this many times, then forget the fault (default: forever).
 * @property {boolean} [hang] Accept the request and never answer it (the connection stays open
 *   until the client gives up or the hub closes).
 */

/**
 * @typedef {object} RequestInfo What a fault matcher is shown.
 * @property {string} method
 * @property {string} url Path and query, as received.
 * @property {string} kind "resolve" | "raw" | "pathsInfo" | "tree" | "revision" | "wasm" | "static" | "preflight" | "unknown".
 * @property {string|null} path File path inside the repo (or static dir), when there is one.
 * @property {string|null} range The request's Range header, when it has one.
 * @property {string|null} authorization The request's Authorization header, when it has one.
 */

export function createFaults() {
  /** @type {{matcher: Function|string, fault: Fault, remaining: number}[]} */
  let faults = [];
  return {
    /**
     * Adds a fault. A string matcher must occur in the URL path (raw or decoded) and never
     * matches OPTIONS. @returns {() => void} Removes this fault.
     * @param {((info: RequestInfo) => boolean)|string} matcher @param {Fault} fault
     */
    add(matcher, fault) {
      if (typeof matcher !== "function" && typeof matcher !== "string") throw new TypeError("matcher must be a function or string");
      const times = fault.times ?? Infinity;
      if (!(times > 0)) throw new RangeError("fault.times must be positive");
      const record = { matcher, fault, remaining: times };
      faults.push(record);
      return () => {
        faults = faults.filter((f) => f !== record);
      };
    },
    clear() {
      faults = [];
    },
    /** The fault for a request, counting one use of it. @param {RequestInfo} info @returns {Fault|undefined} */
    take(info, pathname) {
      let decoded = pathname;
      try {
        decoded = decodeURIComponent(pathname);
      } catch {}
      for (const record of faults) {
        const hit =
          typeof record.matcher === "function"
            ? record.matcher(info)
            : info.method !== "OPTIONS" && (pathname.includes(record.matcher) || decoded.includes(record.matcher));
        if (!hit) continue;
        if (--record.remaining <= 0) faults = faults.filter((f) => f !== record);
        return record.fault;
      }
      return undefined;
    },
  };
}
