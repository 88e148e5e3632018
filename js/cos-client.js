// Talks to a Cross-Origin Storage manager (navigator.crossOriginStorage or the fallback store):
// picks the newest API it offers, sorts its errors by name, and runs as many creates at once as
// the core allows (core.createsInFlight).
import { untilAborted } from "./errors.js";
import { Limiter } from "./limiter.js";

const hashOf = (value) => ({ algorithm: "SHA-256", value });

/** The newest of the three draft methods a COS manager offers, or "none". */
export function managerApi(manager) {
  if (typeof manager?.getFileHandle === "function") return "getFileHandle";
  if (typeof manager?.requestFileHandle === "function") return "requestFileHandle";
  if (typeof manager?.requestFileHandles === "function") return "requestFileHandles";
  return "none";
}

/** One handle for a hash descriptor, through the newest method the manager offers. */
export async function requestHandle(manager, hash, options) {
  switch (managerApi(manager)) {
    case "getFileHandle": return manager.getFileHandle(hash, options);
    case "requestFileHandle": return manager.requestFileHandle(hash, options);
    case "requestFileHandles": return (await manager.requestFileHandles([hash], options))[0];
    default: throw new TypeError("the storage object offers no Cross-Origin Storage API");
  }
}

/** A storage step of a write failed; `step` says which and `kind` the storage's error name. */
export class StorageWriteError extends Error {
  constructor(step, cause) {
    super(`storage ${step} failed: ${cause?.message ?? cause}`, { cause });
    this.name = "StorageWriteError";
    this.step = step;
    this.kind = cause?.name ?? "Error";
  }
}

// A storage call that should answer at once, bounded: past timeoutMs it rejects with a
// TimeoutError (the call itself is left to settle unheard).
export function answered(what, timeoutMs, action) {
  const call = Promise.resolve().then(action);
  if (!Number.isFinite(timeoutMs)) return call;
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new DOMException(`the storage did not answer ${what} within ${timeoutMs} ms`, "TimeoutError")), timeoutMs);
  });
  call.catch(() => {});  // a rejection after the timeout is nobody's
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

async function storageStep(step, action) {
  try {
    return await action();
  } catch (error) {
    throw new StorageWriteError(step, error);
  }
}

// Aborts a writable (or its writer) that will not be written to its end; settles once the storage
// took the abort, never rejects.
function abandon(writable, reason) {
  return Promise.resolve().then(() => writable.abort?.(reason)).catch(() => {});
}

function missOrError(error) {
  if (error?.name === "NotFoundError") return { status: "miss" };
  if (error?.name === "NotAllowedError") return { status: "not-allowed", error };
  return { status: "error", error };
}

export class CosClient {
  #manager;
  #creates;
  #timeoutMs;

  /**
   * createsInFlight: how many handle requests with create: true may overlap (the core's);
   * timeoutMs: how long a handle request, createWritable or getFile may go unanswered.
   */
  constructor(manager, { createsInFlight, timeoutMs = Infinity }) {
    this.#manager = manager;
    this.#creates = new Limiter(createsInFlight);
    this.#timeoutMs = timeoutMs;
  }

  get api() {
    return managerApi(this.#manager);
  }

  #handle(value, options) {
    return answered("a handle request", this.#timeoutMs, () => requestHandle(this.#manager, hashOf(value), options));
  }

  /** {status: "hit", file} | {status: "miss"} | {status: "not-allowed", error} | {status: "error", error} */
  read(value) {
    return this.#lookup(value, async (handle) => ({
      status: "hit",
      file: await answered("getFile()", this.#timeoutMs, () => handle.getFile()),
    }));
  }

  /** As read(), without opening the file: a handle is enough to know the bytes are there. */
  has(value) {
    return this.#lookup(value, async () => ({ status: "hit" }));
  }

  /**
   * Whether every value is stored: {status: "hit"} when all are, else as has() answers for the
   * first that is not. Asked once per value, in parallel; only a manager that offers nothing but
   * requestFileHandles (an older draft shape, deprecated: the extension warns on every call) is
   * asked once for all of them (it rejects when any is missing).
   */
  async hasAll(values) {
    if (values.length > 1 && this.api === "requestFileHandles") return this.#lookupMany(values);
    const results = await Promise.all(values.map((value) => this.has(value)));
    return results.find((result) => result.status !== "hit") ?? { status: "hit" };
  }

  async #lookupMany(values) {
    try {
      await answered("a handle request", this.#timeoutMs, () => this.#manager.requestFileHandles(values.map(hashOf), {}));
      return { status: "hit" };
    } catch (error) {
      return missOrError(error);
    }
  }

  async #lookup(value, onHandle) {
    try {
      return await onHandle(await this.#handle(value, {}));
    } catch (error) {
      return missOrError(error);
    }
  }

  /**
   * Runs write(sink) for a new entry. Only the create (the handle request with create: true and
   * createWritable) waits for earlier creates to finish; the writes and close of different entries
   * overlap, and so do two writes of one entry (two URLs with the same bytes): a load never waits
   * on another load's storage, which may never answer. sink.write(data) hands data over for good:
   * a writable may keep it until close (the COS extension's does), so it must never be written
   * into again. sink.queues: writes may be issued before earlier ones settle. sink.vouch(hex): the
   * SHA-256 the writer computed over all it wrote, given before the write callback returns.
   * `signal` (the load's): once it aborts, nothing here waits on the storage any more; a writable
   * created meanwhile is aborted, unheard.
   */
  async write(value, origins, write, signal) {
    const creating = this.#create(value, origins, signal);
    let writable;
    try {
      writable = await untilAborted(creating, signal);
    } catch (error) {
      creating.then((late) => abandon(late, error), () => {});
      throw error;
    }
    // A WritableStream is written through one writer held to the end, so its writes queue in
    // order whatever its own write() shortcut does (the COS extension's holds the lock until
    // its write settles: a second write() before then throws). Anything else, one at a time.
    const writer = typeof writable.getWriter === "function" ? writable.getWriter() : null;
    // vouch(hex): the writer's own hash of what it wrote, for a store that takes it instead of
    // hashing again (the fallback store); COS hashes the bytes itself.
    const vouch = (hex) => writable.vouch?.(hex);
    const sink = writer
      ? { write: (data) => writer.write(data), queues: true, vouch }
      : { write: (data) => writable.write(data), queues: false, vouch };
    try {
      // Errors of the writer pass through as they are: it knows which are the storage's.
      await write(sink);
    } catch (error) {
      const aborting = abandon(writer ?? writable, error);
      // An aborted load does not wait for the storage to take the abort: an abort waits for the
      // write in flight, which a storage that stopped answering never settles.
      if (!signal?.aborted) await aborting;
      throw error;
    }
    await storageStep("close", () => untilAborted(Promise.resolve(writer ? writer.close() : writable.close()), signal));
  }

  #create(value, origins, signal) {
    const options = origins === undefined ? { create: true } : { create: true, origins };
    return this.#creates.run(async () => {
      const handle = await storageStep("request", () => this.#handle(value, options));
      return storageStep("createWritable", () => answered("createWritable()", this.#timeoutMs, () => handle.createWritable()));
    }, signal);
  }
}
