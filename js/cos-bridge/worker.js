// Worker side of the COS bridge: finds the Cross-Origin Storage its page exposes
// (exposeCrossOriginStorage) and offers it as a COS manager, or as navigator.crossOriginStorage.
import { BRIDGE_WAIT_MS, handshakeRequest, isBridgeMessage, listen } from "./protocol.js";
import { BridgeClient } from "./worker-client.js";

const inScope = (name) => typeof globalThis[name] === "function" && globalThis instanceof globalThis[name];

// Handshakes by where they arrive: the dedicated worker's global scope, or a port given.
const handshakes = new WeakMap();

const isPort = (value) => typeof value?.postMessage === "function" && typeof value.addEventListener === "function" &&
  typeof value.close === "function";

// What a handshake says, checked: its fields are the sender's data. {available: false} for a page
// without COS, {port, lockName} for one with it, {malformed: why} for anything else.
function readHandshake(data, port) {
  if (data.available === false) return { available: false };
  if (data.available !== true) return { malformed: "its available field is not true or false" };
  if (!isPort(port)) return { malformed: "it says the page has Cross-Origin Storage but carries no MessagePort" };
  if (typeof data.lockName !== "string") return { malformed: "its lockName is not a string" };
  return { available: true, port, lockName: data.lockName };
}

function awaitHandshake(source) {
  if (handshakes.has(source)) return handshakes.get(source);
  const state = { taken: false, requested: false, info: null, arrive: null, manager: null };
  const expect = () => {
    state.info = new Promise((resolve) => { state.arrive = resolve; });
    state.manager = null;
  };
  expect();
  listen(source, "message", (event) => {
    if (!isBridgeMessage(event.data, "port")) return;
    event.stopImmediatePropagation();  // the bridge's, not the app's
    const port = event.ports?.[0];
    if (state.taken) {
      port?.close();  // a second handshake answering our request: the first is in use
      return;
    }
    const info = readHandshake(event.data, port);
    const arrive = state.arrive;
    if (info.malformed) {
      // No COS for the calls waiting now, and not remembered: a later, well-formed handshake (one
      // this worker asks for again) is taken.
      port?.close();
      expect();
      state.requested = false;
    } else {
      state.taken = true;
      if (!info.available) port?.close();
    }
    arrive(info);
  });
  handshakes.set(source, state);
  return state;
}

// Listening from the moment the package is imported: the page's handshake is usually queued before
// the worker's own code runs.
if (inScope("DedicatedWorkerGlobalScope")) awaitHandshake(globalThis);

// setTimeout fires at once for a delay past this (2^31 - 1 ms, about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

function describe(value) {
  if (typeof value === "number" || typeof value === "boolean") return `got ${value}`;
  if (typeof value === "string") return `got ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `got ${value === null ? "null" : Array.isArray(value) ? "array" : typeof value}`;
}

// The options of connectCrossOriginStorage() and installCrossOriginStorage(), checked as the
// package's other options are: a wrong one is a TypeError naming it.
function connectOptions(options, api) {
  if (options === null || typeof options !== "object") throw new TypeError(`cross-origin-cache: ${api}: options must be an object`);
  const { port, timeoutMs = BRIDGE_WAIT_MS } = options;
  if (port != null && typeof port.addEventListener !== "function") {
    throw new TypeError(`cross-origin-cache: ${api}: option port must be a MessagePort, ${describe(port)}`);
  }
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
    throw new TypeError(`cross-origin-cache: ${api}: option timeoutMs must be a number of milliseconds >= 0 (Infinity: wait for ever), ${describe(timeoutMs)}`);
  }
  return { port: port ?? undefined, timeoutMs };
}

// Resolves to null after `ms` (finite); a delay too long for setTimeout waits its longest.
function timeout(ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.min(ms, MAX_TIMER_MS), null);
    timer?.unref?.();
  });
}

function connect({ port, timeoutMs }) {
  const source = port ?? (inScope("DedicatedWorkerGlobalScope") ? globalThis : null);
  if (!source) return Promise.resolve(null);
  const state = awaitHandshake(source);
  state.manager ??= state.info.then(async (info) => {
    if (!info.available) return null;  // no COS, or a malformed handshake
    try {
      return (await BridgeClient.open(info.port, info.lockName)).manager();
    } catch {
      info.port.close();  // a port that cannot be taken: no COS
      return null;
    }
  });
  if (source === globalThis && !state.requested) {
    state.requested = true;
    // After the handshakes already queued are delivered: ask only when none was.
    setTimeout(() => {
      if (!state.taken) globalThis.postMessage(handshakeRequest());
    }, 0);
  }
  return Number.isFinite(timeoutMs) ? Promise.race([state.manager, timeout(timeoutMs)]) : state.manager;
}

/**
 * The page's COS as a manager (getFileHandle, requestFileHandle, requestFileHandles,
 * disconnect()), or null when the page has none, its handshake is malformed or none came within
 * `timeoutMs` (default 1000; Infinity: wait for ever). `port`: where the handshake comes (a
 * SharedWorker's connect port); default the dedicated worker's own scope. Elsewhere (a Service
 * Worker, a page) without a port: null at once. A wrong option rejects with a TypeError.
 */
export async function connectCrossOriginStorage(options = {}) {
  return connect(connectOptions(options, "connectCrossOriginStorage"));
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
  const checked = connectOptions(options, "installCrossOriginStorage");
  if (globalThis.navigator?.crossOriginStorage) return true;
  const manager = await connect(checked);
  if (!manager || !globalThis.navigator) return false;
  Object.defineProperty(globalThis.navigator, "crossOriginStorage", { configurable: true, enumerable: true, value: manager });
  return true;
}
