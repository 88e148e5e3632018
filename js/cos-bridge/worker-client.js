// The worker's end of the bridge: a COS manager (getFileHandle, requestFileHandle,
// requestFileHandles) whose calls run on the page. Errors come back with their names.
import { errorFrom, listen } from "./protocol.js";
import { bridgedWritable } from "./worker-writable.js";

function plainHash(hash) {
  if (!hash || typeof hash !== "object") throw new TypeError("hash must be an object {algorithm, value}");
  return { algorithm: hash.algorithm, value: hash.value };
}

function plainOptions(options) {
  if (options == null) return {};
  if (typeof options !== "object") throw new TypeError("options must be an object");
  const plain = { create: Boolean(options.create) };
  if (options.origins !== undefined) plain.origins = Array.isArray(options.origins) ? [...options.origins] : options.origins;
  return plain;
}

export class BridgeClient {
  #port;
  #nextId = 1;
  #pending = new Map();  // request id → {resolve, reject}
  #acks = new Map();     // writable id → (error|null) => void
  #releaseLock = () => {};
  #closed = null;        // the error every call gets once the bridge is closed

  constructor(port) {
    this.#port = port;
    listen(port, "message", (event) => this.#receive(event.data));
    listen(port, "close", () => this.close());
  }

  /**
   * Takes the page's port: holds the Web Lock the page watches (released when this worker goes
   * away, however it goes), then tells the page it is here.
   */
  static async open(port, lockName) {
    const client = new BridgeClient(port);
    const locked = await client.#holdLock(lockName);
    port.postMessage({ op: "ready", locked });
    return client;
  }

  #holdLock(name) {
    const locks = globalThis.navigator?.locks;
    if (!locks || !name) return Promise.resolve(false);
    return new Promise((granted) => {
      locks.request(name, () => {
        granted(true);
        return new Promise((release) => { this.#releaseLock = release; });
      }).catch(() => granted(false));
    });
  }

  // Every field of a reply is the page's data: errorFrom() takes any error field without
  // throwing, so a call whose reply arrived always settles.
  #receive(message) {
    if (typeof message !== "object" || message === null) return;
    if (message.op === "ack") {
      this.#acks.get(message.writable)?.(message.error == null ? null : errorFrom(message.error));
      return;
    }
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    const error = message.error == null ? null : errorFrom(message.error);
    this.#pending.delete(message.id);
    if (error) pending.reject(error);
    else pending.resolve(message.value);
  }

  post(message, transfer = []) {
    if (this.#closed) throw this.#closed;
    this.#port.postMessage(message, transfer);
  }

  request(op, fields) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      try {
        this.post({ ...fields, op, id });
      } catch (error) {
        this.#pending.delete(id);
        // A value that cannot be cloned is the caller's argument error, as COS would say.
        reject(error?.name === "DataCloneError" ? new TypeError(error.message) : error);
      }
    });
  }

  onAck(writable, listener) {
    this.#acks.set(writable, listener);
  }

  offAck(writable) {
    this.#acks.delete(writable);
  }

  /** Closes the bridge: the page aborts every write this worker left open. */
  close() {
    if (this.#closed) return;
    this.#closed = new DOMException("the bridge to the page's Cross-Origin Storage is closed", "InvalidStateError");
    for (const { reject } of this.#pending.values()) reject(this.#closed);
    for (const listener of this.#acks.values()) listener(this.#closed);
    this.#pending.clear();
    this.#acks.clear();
    this.#port.close();
    this.#releaseLock();
  }

  #handle(hash, info) {
    const handle = { kind: typeof info.kind === "string" ? info.kind : "file", name: typeof info.name === "string" ? info.name : hash.value };
    if (info.readable) {
      handle.getFile = async () => {
        const file = await this.request("getFile", { handle: info.id, hash });
        if (file instanceof File) return file;
        if (file instanceof Blob) return new File([file], handle.name, { type: file.type });
        throw new DOMException("the page's Cross-Origin Storage bridge answered getFile() with no file", "UnknownError");
      };
    }
    if (info.writable) {
      handle.createWritable = async () => bridgedWritable(this, await this.request("createWritable", { handle: info.id }));
    }
    return handle;
  }

  async #handles(hashes, options) {
    const infos = await this.request("handles", { hashes, options });
    const described = Array.isArray(infos) && infos.length === hashes.length &&
      infos.every((info) => typeof info === "object" && info !== null);
    if (!described) throw new DOMException("the page's Cross-Origin Storage bridge answered a handle request with no handles", "UnknownError");
    return infos.map((info, i) => this.#handle(hashes[i], info));
  }

  /** The manager a worker's code uses, with all three draft method names, and disconnect(). */
  manager() {
    return {
      getFileHandle: async (hash, options) => (await this.#handles([plainHash(hash)], plainOptions(options)))[0],
      requestFileHandle: async (hash, options) => (await this.#handles([plainHash(hash)], plainOptions(options)))[0],
      requestFileHandles: async (hashes, options) => {
        if (!Array.isArray(hashes)) throw new TypeError("requestFileHandles takes an array of hashes");
        return this.#handles(hashes.map(plainHash), plainOptions(options));
      },
      disconnect: () => this.close(),
    };
  }
}
