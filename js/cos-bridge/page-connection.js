// The page's end of one worker's bridge: runs that worker's storage calls against the page's COS
// manager and answers over the worker's own MessagePort. When the worker goes away (terminated,
// crashed, or its port closed) every write it left open is aborted, so it leaves no entry.
import { requestHandle } from "../cos-client.js";
import { randomHex } from "../hex.js";
import { BRIDGE_KEY, HANDLES_KEPT, errorFrom, errorInfo, listen } from "./protocol.js";

// Writes through one writer held to the end when the storage's writable is a WritableStream (its
// own write() shortcut locks it until the write settles); anything else, one write at a time.
function writeTarget(writable) {
  if (typeof writable.getWriter === "function") {
    const writer = writable.getWriter();
    return { write: (data) => writer.write(data), close: () => writer.close(), abort: (reason) => writer.abort(reason) };
  }
  let chain = Promise.resolve();
  return {
    write: (data) => (chain = chain.then(() => writable.write(data))),
    close: async () => {
      await chain;
      return writable.close();
    },
    abort: async (reason) => {
      await chain.catch(() => {});
      return writable.abort?.(reason);
    },
  };
}

const bridgeGone = () => new DOMException("the worker's bridge closed before the write finished", "AbortError");

// Adds id → value to a table kept in insertion order, dropping the oldest past HANDLES_KEPT.
function keep(table, id, value, dropped = () => {}) {
  table.set(id, value);
  if (table.size <= HANDLES_KEPT) return;
  const [oldestId, oldest] = table.entries().next().value;
  table.delete(oldestId);
  dropped(oldest);
}

// Aborts a write target, ignoring how that goes (one already closed or errored stays so).
function abortQuietly(target, reason) {
  Promise.resolve().then(() => target.abort(reason)).catch(() => {});
}

export class PageConnection {
  #port;
  #manager;
  #turns;
  #onClosed;
  #nextId = 1;
  #readHandles = new Map();    // id → handle, oldest first
  #createHandles = new Map();  // id → {handle, release}: release() ends the page's create turn
  #writables = new Map();      // id → write target
  #stopWatching = new AbortController();
  #stopListening = [];
  closed = false;
  /** Whether the worker has taken this port (it says so once it holds its liveness lock). */
  ready = false;
  /** The Web Lock the worker holds while it is alive; granted to the page once it is gone. */
  lockName = `${BRIDGE_KEY}:${randomHex(16)}`;

  /** turns: the page-wide CreateTurns; onClosed: called once when the connection ends. */
  constructor(port, manager, turns, onClosed) {
    this.#port = port;
    this.#manager = manager;
    this.#turns = turns;
    this.#onClosed = onClosed;
    this.#stopListening.push(listen(port, "message", (event) => this.#receive(event.data)));
    // A closed port is reported where MessagePort has a close event (Node); browsers use the lock.
    this.#stopListening.push(listen(port, "close", () => this.close()));
  }

  // Every field of a message is the worker's data, not trusted: a malformed one is answered with
  // an error (or, with no call to answer, ignored), never thrown out of here.
  #receive(message) {
    if (this.closed || typeof message !== "object" || message === null) return;
    if (message.op === "ready") {
      if (this.ready) return;
      this.ready = true;
      if (message.locked === true) this.#watchWorker();
      return;
    }
    if (message.op === "write") {
      this.#write(message.writable, message.data);
      return;
    }
    this.#answer(message).then(
      (value) => this.#post({ id: message.id, value }),
      (error) => this.#post({ id: message.id, error: errorInfo(error) }),
    );
  }

  // A reply the port cannot clone (a storage whose File carries methods, say) goes back as the
  // error that raised, so the worker's call settles and the page has no unhandled rejection.
  #post(message) {
    if (this.closed) return;
    try {
      this.#port.postMessage(message);
    } catch (error) {
      const { value, ...rest } = message;
      // Names and messages only: this clones, so it fails only with the port gone, and then no
      // call waits for it.
      try {
        this.#port.postMessage({ ...rest, error: errorInfo(error) });
      } catch {}
    }
  }

  // The worker holds the lock from its first message on; the page is granted it only once the
  // worker is gone.
  #watchWorker() {
    globalThis.navigator?.locks?.request(this.lockName, { signal: this.#stopWatching.signal }, () => this.close())
      .catch(() => {});  // aborted: the page closed first
  }

  #answer(message) {
    switch (message.op) {
      case "handles": return this.#handles(message.hashes, message.options ?? {});
      case "getFile": return this.#getFile(message.handle, message.hash);
      case "createWritable": return this.#createWritable(message.handle);
      case "close": return this.#finish(message.writable, (target) => target.close());
      case "abort": {
        // Built before the writable leaves the table (errorFrom never throws, whatever the reason).
        const reason = message.reason == null ? undefined : errorFrom(message.reason);
        return this.#finish(message.writable, (target) => target.abort(reason));
      }
      default: return Promise.reject(new TypeError(`unknown bridge call ${typeof message.op === "string" ? JSON.stringify(message.op.slice(0, 64)) : typeof message.op}`));
    }
  }

  async #handles(hashes, options) {
    if (!Array.isArray(hashes)) throw new TypeError("a handle request through the bridge takes an array of hashes");
    if (options.create) {
      // One create per call: a second would wait for a turn the first holds until its createWritable().
      if (hashes.length !== 1) throw new TypeError("create handles are requested one at a time through the bridge");
      const release = await this.#turns.take();
      try {
        const handle = await requestHandle(this.#manager, hashes[0], options);
        if (this.closed) throw bridgeGone();  // the turn is not kept for a worker that is gone
        const id = this.#nextId++;
        // A handle dropped before its createWritable() gives its create turn back.
        keep(this.#createHandles, id, { handle, release }, (entry) => entry.release?.());
        return [this.#describe(id, handle)];
      } catch (error) {
        release();
        throw error;
      }
    }
    const handles = hashes.length > 1 && typeof this.#manager.requestFileHandles === "function"
      ? await this.#manager.requestFileHandles(hashes, options)
      : await Promise.all(hashes.map((hash) => requestHandle(this.#manager, hash, options)));
    return handles.map((handle) => {
      const id = this.#nextId++;
      keep(this.#readHandles, id, handle);
      return this.#describe(id, handle);
    });
  }

  #describe(id, handle) {
    return {
      id,
      kind: handle.kind ?? "file",
      name: handle.name,
      readable: typeof handle.getFile === "function",
      writable: typeof handle.createWritable === "function",
    };
  }

  // The File is posted as it is: a structured clone of a File shares its bytes, never copies them.
  async #getFile(id, hash) {
    const handle = this.#readHandles.get(id) ?? this.#createHandles.get(id)?.handle ?? await requestHandle(this.#manager, hash, {});
    return handle.getFile();
  }

  async #createWritable(id) {
    const entry = this.#createHandles.get(id);
    if (!entry) throw new DOMException("no such create handle", "InvalidStateError");
    // The turn taken with the handle; a second createWritable() of the same handle takes a new one.
    const release = entry.release ?? await this.#turns.take();
    entry.release = null;
    try {
      const writable = await entry.handle.createWritable();
      let target;
      try {
        target = writeTarget(writable);
        // Created after the worker went: close() could not abort it, so it is aborted here.
        if (this.closed) throw bridgeGone();
      } catch (error) {
        abortQuietly(target ?? { abort: (reason) => writable.abort?.(reason) }, error);
        throw error;
      }
      const writableId = this.#nextId++;
      this.#writables.set(writableId, target);
      return writableId;
    } finally {
      release();
    }
  }

  // Each chunk is acknowledged once the storage has taken it: the worker keeps a bounded number
  // unacknowledged (WRITE_WINDOW), which is the back-pressure.
  // A write that fails ends the write: the worker is told with the chunk's acknowledgement, and the
  // storage's writable is aborted and forgotten, so it is not left open until the worker goes away.
  #write(id, data) {
    const target = this.#writables.get(id);
    let written;
    try {
      written = target ? Promise.resolve(target.write(data)) : Promise.reject(new DOMException("the writable is closed", "InvalidStateError"));
    } catch (error) {
      written = Promise.reject(error);
    }
    written.then(
      () => this.#post({ op: "ack", writable: id }),
      (error) => {
        if (target && this.#writables.get(id) === target) {
          this.#writables.delete(id);
          abortQuietly(target, error);
        }
        this.#post({ op: "ack", writable: id, error: errorInfo(error) });
      },
    );
  }

  // The writable leaves the table before its last step, so no second close or abort reaches it; a
  // step that fails (or throws) is followed by an abort, so it is never left open.
  async #finish(id, step) {
    const target = this.#writables.get(id);
    if (!target) throw new DOMException("the writable is closed", "InvalidStateError");
    this.#writables.delete(id);
    try {
      await step(target);
    } catch (error) {
      abortQuietly(target, error);
      throw error;
    }
  }

  /** Ends the connection: writes left open are aborted (no entry), create turns released. */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.#stopWatching.abort();
    for (const stop of this.#stopListening) stop();
    const gone = bridgeGone();
    for (const target of this.#writables.values()) abortQuietly(target, gone);
    for (const entry of this.#createHandles.values()) entry.release?.();
    this.#writables.clear();
    this.#createHandles.clear();
    this.#readHandles.clear();
    this.#port.close();
    this.#onClosed?.(this);
  }
}
