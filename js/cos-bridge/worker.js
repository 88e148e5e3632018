// Worker side of the COS bridge: finds the Cross-Origin Storage its page exposes
// (exposeCrossOriginStorage) and offers it as a COS manager, or as navigator.crossOriginStorage.
import { BRIDGE_WAIT_MS, handshakeRequest, isBridgeMessage, listen } from "./protocol.js";
import { BridgeClient } from "./worker-client.js";

const inScope = (name) => typeof globalThis[name] === "function" && globalThis instanceof globalThis[name];

// Handshakes by where they arrive: the dedicated worker's global scope, or a port given.
const handshakes = new WeakMap();

function awaitHandshake(source) {
  if (handshakes.has(source)) return handshakes.get(source);
  let arrived;
  const state = { arrived: false, requested: false, info: new Promise((resolve) => { arrived = resolve; }), manager: null };
  listen(source, "message", (event) => {
    if (!isBridgeMessage(event.data, "port")) return;
    event.stopImmediatePropagation();  // the bridge's, not the app's
    const [port] = event.ports;
    if (state.arrived) {
      port?.close();  // a second handshake answering our request: the first is in use
      return;
    }
    state.arrived = true;
    arrived({ port, available: event.data.available, lockName: event.data.lockName });
  });
  handshakes.set(source, state);
  return state;
}

// Listening from the moment the package is imported: the page's handshake is usually queued before
// the worker's own code runs.
if (inScope("DedicatedWorkerGlobalScope")) awaitHandshake(globalThis);

const timeout = (ms) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms, null);
  timer?.unref?.();
});

/**
 * The page's COS as a manager (getFileHandle, requestFileHandle, requestFileHandles,
 * disconnect()), or null when the page has none or no handshake came within `timeoutMs`.
 * `port`: where the handshake comes (a SharedWorker's connect port); default the dedicated
 * worker's own scope. Elsewhere (a Service Worker, a page) without a port: null at once.
 */
export function connectCrossOriginStorage({ port, timeoutMs = BRIDGE_WAIT_MS } = {}) {
  const source = port ?? (inScope("DedicatedWorkerGlobalScope") ? globalThis : null);
  if (!source) return Promise.resolve(null);
  const state = awaitHandshake(source);
  state.manager ??= state.info.then(async ({ port: bridge, available, lockName }) => {
    if (!available) {
      bridge?.close();
      return null;
    }
    return (await BridgeClient.open(bridge, lockName)).manager();
  });
  if (source === globalThis && !state.requested) {
    state.requested = true;
    // After the handshakes already queued are delivered: ask only when none was.
    setTimeout(() => {
      if (!state.arrived) globalThis.postMessage(handshakeRequest());
    }, 0);
  }
  return Promise.race([state.manager, timeout(timeoutMs)]);
}

/**
 * The manager createCrossOriginCache() uses in a worker without navigator.crossOriginStorage
 * (waits up to BRIDGE_WAIT_MS for the page); undefined where the bridge does not apply.
 */
export async function bridgedStorage() {
  if (globalThis.navigator?.crossOriginStorage) return undefined;
  if (!inScope("DedicatedWorkerGlobalScope")) return undefined;
  return (await connectCrossOriginStorage()) ?? undefined;
}

/**
 * Installs the page's COS as navigator.crossOriginStorage in this worker, for libraries that call
 * COS themselves. Never replaces one that exists. Resolves to whether the worker has one now.
 */
export async function installCrossOriginStorage(options = {}) {
  if (globalThis.navigator?.crossOriginStorage) return true;
  const manager = await connectCrossOriginStorage(options);
  if (!manager || !globalThis.navigator) return false;
  Object.defineProperty(globalThis.navigator, "crossOriginStorage", { configurable: true, enumerable: true, value: manager });
  return true;
}
