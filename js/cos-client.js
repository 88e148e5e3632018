// Talks to a Cross-Origin Storage manager (navigator.crossOriginStorage or the fallback store):
// picks the newest API it offers, sorts its errors by name, and runs creates one at a time (the
// extension loses entries when several are written at once).
const hashOf = (value) => ({ algorithm: "SHA-256", value });

export class CosClient {
  #manager;
  #queue = Promise.resolve();

  constructor(manager) {
    this.#manager = manager;
  }

  get api() {
    const m = this.#manager;
    if (typeof m.getFileHandle === "function") return "getFileHandle";
    if (typeof m.requestFileHandle === "function") return "requestFileHandle";
    if (typeof m.requestFileHandles === "function") return "requestFileHandles";
    return "none";
  }

  async #handle(value, options) {
    const m = this.#manager;
    switch (this.api) {
      case "getFileHandle": return m.getFileHandle(hashOf(value), options);
      case "requestFileHandle": return m.requestFileHandle(hashOf(value), options);
      case "requestFileHandles": return (await m.requestFileHandles([hashOf(value)], options))[0];
      default: throw new TypeError("the storage object offers no Cross-Origin Storage API");
    }
  }

  /** {status: "hit", file} | {status: "miss"} | {status: "not-allowed", error} | {status: "error", error} */
  async read(value) {
    try {
      const handle = await this.#handle(value, {});
      return { status: "hit", file: await handle.getFile() };
    } catch (error) {
      if (error?.name === "NotFoundError") return { status: "miss" };
      if (error?.name === "NotAllowedError") return { status: "not-allowed", error };
      return { status: "error", error };
    }
  }

  /** Runs write(writable) for a new entry, after every earlier write has finished. */
  write(value, origins, write) {
    const task = this.#queue.then(async () => {
      const options = origins === undefined ? { create: true } : { create: true, origins };
      const handle = await this.#handle(value, options);
      const writable = await handle.createWritable();
      try {
        await write(writable);
      } catch (error) {
        await writable.abort?.(error).catch(() => {});
        throw error;
      }
      await writable.close();
    });
    this.#queue = task.catch(() => {});
    return task;
  }
}
