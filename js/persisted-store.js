// The URL→hash records kept in a Cache API cache, so a reload skips resolution. The cache is
// opened by name for every call: other code of the origin may delete it (a service worker's
// cleanup), and a Cache opened before keeps taking writes that no reload finds. Each call is
// bounded by timeoutMs (the cache's storageTimeout): past it, it rejects with a TimeoutError, a
// failed read or write like any other. Entries are read as bytes, at most `limit + 1` of them (the
// core's limit for what the entry holds).
import { readBounded } from "./bounded-body.js";
import { answered } from "./cos-client.js";
import { KeyedTurns } from "./keyed-turns.js";

export class PersistedStore {
  #caches;
  #timeoutMs;
  // A put or delete of a key is issued only once the last one of it has landed, even one its
  // caller stopped waiting for: a Cache API call cannot be taken back, and one landing late would
  // put older state over newer. Its wait counts against the new call's own bound.
  #changes = new KeyedTurns();

  /** mustExist: another library's store, which reading must not create; timeoutMs: Infinity, never. */
  constructor(caches, name, { mustExist = false, timeoutMs = Infinity } = {}) {
    this.#caches = caches;
    this.name = name;
    this.mustExist = mustExist;
    this.#timeoutMs = timeoutMs;
  }

  // The store as a reload finds it; null when it must exist and does not.
  async #open() {
    if (this.mustExist && !(await this.#caches.has(this.name))) return null;
    return this.#caches.open(this.name);
  }

  #bounded(what, call) {
    return answered(`${what} of ${this.name}`, this.#timeoutMs, call);
  }

  /** How long a call may go unanswered (the cache's storageTimeout). */
  get timeoutMs() {
    return this.#timeoutMs;
  }

  /** Settles once every put and delete of `key` asked for so far has landed (or failed). */
  settled(key) {
    return this.#changes.settled(key);
  }

  read(key, limit) {
    return this.#bounded("a read", async () => {
      const response = await (await this.#open())?.match(key);
      if (!response) return { found: false, body: new Uint8Array(0) };
      return { found: true, body: await readBounded(response.body, limit) };
    });
  }

  write(key, body) {
    return this.#bounded("a write", () => this.#changes.run(key, async () => {
      const cache = await this.#open();
      await cache.put(key, new Response(body, { headers: { "Content-Type": "application/json" } }));
    }));
  }

  delete(key) {
    return this.#bounded("a delete", () => this.#changes.run(key, async () => (await this.#open())?.delete(key) ?? false));
  }

  // One scan reads the store it opened at its start.
  async *entries(limit) {
    const cache = await this.#bounded("an open", () => this.#open());
    if (!cache) return;
    for (const request of await this.#bounded("a listing", () => cache.keys())) {
      const body = await this.#bounded("a read", async () => {
        const response = await cache.match(request);
        return response ? readBounded(response.body, limit) : null;
      });
      if (body) yield { key: request.url, body };
    }
  }
}
