// Page side of the COS bridge: exposes the page's Cross-Origin Storage to a worker, which has none
// of its own (the COS extension offers none in workers by default). Each worker gets a MessagePort
// of its own, so the app's own messages are never mixed with the bridge's.
import { managerApi } from "../cos-client.js";
import { CREATE_TURN_MS, handshake, isBridgeMessage, listen } from "./protocol.js";
import { CreateTurns } from "./create-turns.js";
import { PageConnection } from "./page-connection.js";

// Page-wide, so every worker's creates take turns with each other's.
const createTurns = new CreateTurns(CREATE_TURN_MS);

const isInstance = (value, name) => typeof globalThis[name] === "function" && value instanceof globalThis[name];

/**
 * Exposes the page's COS manager to `target`: a dedicated Worker, a SharedWorker (through its
 * port), or any MessagePort whose other end runs connectCrossOriginStorage(). Call it right after
 * creating the worker, before the app adds its own message handler. Without a COS manager the
 * worker is told so at once and uses its own fallback store (the same origin's Cache API).
 * Returns {close()}: stops exposing; writes still open are aborted.
 */
export function exposeCrossOriginStorage(target, options = {}) {
  const manager = options.storage !== undefined ? options.storage : globalThis.navigator?.crossOriginStorage;
  const available = managerApi(manager) !== "none";
  const endpoint = isInstance(target, "SharedWorker") ? target.port : target;
  if (typeof endpoint?.postMessage !== "function") {
    throw new TypeError("exposeCrossOriginStorage takes a Worker, a SharedWorker or a MessagePort");
  }
  const connections = new Set();
  let closed = false;
  const connect = () => {
    const { port1, port2 } = new MessageChannel();
    const connection = new PageConnection(port1, available ? manager : null, createTurns, () => connections.delete(connection));
    connections.add(connection);
    endpoint.postMessage(handshake(available, connection.lockName), [port2]);
  };
  connect();
  // A Worker whose listener came after the first handshake asks for another. A MessagePort is not
  // listened to: that would start it before its owner's handler is set.
  const stopListening = isInstance(endpoint, "Worker")
    ? listen(endpoint, "message", (event) => {
      if (!isBridgeMessage(event.data, "request")) return;
      event.stopImmediatePropagation();
      if (!closed) connect();
    })
    : () => {};
  return {
    close() {
      closed = true;
      stopListening();
      for (const connection of [...connections]) connection.close();
    },
  };
}
