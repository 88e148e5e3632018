// The URL→hash records kept in a Cache API cache, so a reload skips resolution. Opening is lazy,
// and a store whose cache cannot be opened reports it once and behaves as empty. Entries are read
// as bytes, at most `limit + 1` of them (the core's limit for what the entry holds).
import { readBounded } from "./bounded-body.js";

export class PersistedStore {
  #caches;
  #opening;

  constructor(caches, name, { mustExist = false } = {}) {
    this.#caches = caches;
    this.name = name;
    this.mustExist = mustExist;
  }

  #open() {
    this.#opening ??= (async () => {
      // Reading another library's store must not create it.
      if (this.mustExist && !(await this.#caches.has(this.name))) return null;
      return this.#caches.open(this.name);
    })();
    return this.#opening;
  }

  async read(key, limit) {
    const cache = await this.#open();
    if (!cache) return { found: false, body: new Uint8Array(0) };
    const response = await cache.match(key);
    if (!response) return { found: false, body: new Uint8Array(0) };
    return { found: true, body: await readBounded(response.body, limit) };
  }

  async write(key, body) {
    const cache = await this.#open();
    await cache.put(key, new Response(body, { headers: { "Content-Type": "application/json" } }));
  }

  async delete(key) {
    const cache = await this.#open();
    return cache ? cache.delete(key) : false;
  }

  async *entries(limit) {
    const cache = await this.#open();
    if (!cache) return;
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      if (response) yield { key: request.url, body: await readBounded(response.body, limit) };
    }
  }
}
