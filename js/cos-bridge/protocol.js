// The messages between a page that exposes its Cross-Origin Storage and a worker that uses it:
// plumbing shared by both sides, and the few policy constants of the bridge.

/** The key that marks the page's handshake (and the worker's request for one). */
export const BRIDGE_KEY = "cross-origin-cache:cos-bridge";
export const BRIDGE_VERSION = 1;

// Chunks of one write posted by the worker and not yet written by the page's storage. Enough to
// keep the port busy while the storage writes one; few enough that a multi-GB write holds at most
// this many chunks in either thread.
export const WRITE_WINDOW = 4;

// How long createCrossOriginCache() in a worker without navigator.crossOriginStorage waits for its
// page's handshake. The page posts it when it exposes COS, normally right after new Worker(), so
// it is waiting before the worker's first line runs: only a worker whose page never exposes COS
// pays the wait, and then uses its own fallback store.
export const BRIDGE_WAIT_MS = 1000;

// The longest a worker's create handle keeps the page's create turn before its createWritable(): a
// worker that asks for a handle and never writes must not block the others for good.
export const CREATE_TURN_MS = 10000;

// Read handles the page keeps per worker so that getFile() needs no second handle request; an older
// one is asked for again by its hash.
export const READ_HANDLES_KEPT = 1024;

/** The page's handshake: `available` false when the page has no COS (the worker then uses its own fallback store). */
export function handshake(available, lockName) {
  return { [BRIDGE_KEY]: BRIDGE_VERSION, kind: "port", available, lockName };
}

/** A worker's request for a handshake, when its listener came after the first one was posted. */
export function handshakeRequest() {
  return { [BRIDGE_KEY]: BRIDGE_VERSION, kind: "request" };
}

export function isBridgeMessage(data, kind) {
  return typeof data === "object" && data !== null && data[BRIDGE_KEY] === BRIDGE_VERSION && data.kind === kind;
}

/** An error as it crosses the port: its name and message (a DOMException's name is what callers test). */
export function errorInfo(error) {
  return { name: typeof error?.name === "string" ? error.name : "Error", message: String(error?.message ?? error) };
}

const JS_ERRORS = { Error, TypeError, RangeError, SyntaxError };

/** The error again, on the other side: a JS error by its constructor, any other name as a DOMException. */
export function errorFrom(info) {
  const JsError = JS_ERRORS[info.name];
  return JsError ? new JsError(info.message) : new DOMException(info.message, info.name);
}

/** Listens on a port or worker; in a MessagePort this also starts delivery. Returns the remover. */
export function listen(target, type, listener) {
  target.addEventListener(type, listener);
  if (type === "message") target.start?.();
  return () => target.removeEventListener(type, listener);
}
