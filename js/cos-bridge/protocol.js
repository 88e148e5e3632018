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

// Handles the page keeps per worker, of each kind, newest first. A read handle spares getFile() a
// second handle request (an older one is asked for again by its hash); a create handle is kept for
// its createWritable() (an older one is gone: InvalidStateError). A long-lived worker that stores
// thousands of files does not hold every handle it ever had.
export const HANDLES_KEPT = 1024;

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

// An error as it crosses the port is the peer's data, never trusted: only a name of this shape and
// length is kept (every DOMException and JS error name has it), and a message only up to this length.
const ERROR_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const MAX_ERROR_MESSAGE = 2048;
const UNDESCRIBED = "the other end of the Cross-Origin Storage bridge reported an error it did not describe";

const bounded = (text) => (text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE - 1)}…` : text);

/** An error as it crosses the port: its name and message (a DOMException's name is what callers test). Never throws. */
export function errorInfo(error) {
  let name = "Error";
  let message = "";
  try {
    if (typeof error?.name === "string" && ERROR_NAME.test(error.name)) name = error.name;
    message = bounded(String(error?.message ?? error));
  } catch {
    // A reason whose name, message or conversion throws (a null-prototype object) still crosses.
  }
  return { name, message };
}

const JS_ERRORS = new Map([["Error", Error], ["TypeError", TypeError], ["RangeError", RangeError], ["SyntaxError", SyntaxError]]);

const ownString = (object, key) => (Object.hasOwn(object, key) && typeof object[key] === "string" ? object[key] : undefined);

/**
 * The error again, on the other side: a JS error by its constructor, any other name as a
 * DOMException. `info` is whatever the peer sent: only its own string fields count, and anything
 * malformed (no such object, a name of another kind or shape) becomes a plain Error. Never throws.
 */
export function errorFrom(info) {
  let name;
  let message;
  try {
    if (info !== null && typeof info === "object") {
      name = ownString(info, "name");
      message = ownString(info, "message");
    }
  } catch {
    // Not data as a port delivers it: undescribed.
  }
  const text = message === undefined ? UNDESCRIBED : bounded(message);
  if (name === undefined || !ERROR_NAME.test(name)) return new Error(text);
  const JsError = JS_ERRORS.get(name);
  return JsError ? new JsError(text) : new DOMException(text, name);
}

/** Listens on a port or worker; in a MessagePort this also starts delivery. Returns the remover. */
export function listen(target, type, listener) {
  target.addEventListener(type, listener);
  if (type === "message") target.start?.();
  return () => target.removeEventListener(type, listener);
}
