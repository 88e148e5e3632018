// The hub's shaped network: a first-byte latency per request, and body bytes capped per connection
// and for the whole link. Applied on the server, so Node and a browser see the same link.
import { setTimeout as sleep } from "node:timers/promises";

/** Size of the chunks bodies are written in (and a token bucket's burst). */
export const CHUNK_SIZE = 64 * 1024;

/**
 * @typedef {object} NetworkProfile
 * @property {number} latencyMs Wait before the first byte of every reply.
 * @property {number} connectionBytesPerSecond Body bytes a connection may send a second (Infinity: no cap).
 * @property {number} linkBytesPerSecond Body bytes all connections together may send a second (Infinity: no cap).
 */

/** Named network profiles (1 MB = 10^6 bytes, as links are rated). @type {Record<string, NetworkProfile>} */
export const NETWORK_PROFILES = Object.freeze({
  loopback: Object.freeze({ latencyMs: 0, connectionBytesPerSecond: Infinity, linkBytesPerSecond: Infinity }),
  // A home line of 400 Mbit/s, each connection held to 100 Mbit/s by the path to the CDN.
  broadband: Object.freeze({ latencyMs: 30, connectionBytesPerSecond: 12.5e6, linkBytesPerSecond: 50e6 }),
  // A CDN on another continent: long round trips hold each connection far below the line's rate.
  far: Object.freeze({ latencyMs: 150, connectionBytesPerSecond: 4e6, linkBytesPerSecond: 20e6 }),
});

/** A profile from a name in NETWORK_PROFILES or a partial profile. @param {string|Partial<NetworkProfile>|undefined} network */
export function networkProfile(network) {
  if (network === undefined) return NETWORK_PROFILES.loopback;
  if (typeof network === "string") {
    const profile = NETWORK_PROFILES[network];
    if (!profile) throw new RangeError(`unknown network profile ${network}: use ${Object.keys(NETWORK_PROFILES).join(", ")}`);
    return profile;
  }
  const profile = { ...NETWORK_PROFILES.loopback, ...network };
  for (const [name, value] of Object.entries(profile)) {
    if (typeof value !== "number" || !(value >= 0)) throw new RangeError(`network.${name} must be a number >= 0, got ${value}`);
  }
  return profile;
}

/**
 * Hands out bytes at `bytesPerSecond`, saving up at most `burstBytes`. A taker that finds too few
 * waits, and takes them at once, so the bucket goes into debt: later takers wait behind it, and
 * connections sharing one bucket share its rate in turn.
 */
export class TokenBucket {
  constructor(bytesPerSecond, burstBytes = CHUNK_SIZE) {
    this.bytesPerSecond = bytesPerSecond;
    this.burstBytes = burstBytes;
    this.tokens = burstBytes;
    this.at = performance.now();
  }

  /** Resolves when `bytes` may be sent. */
  take(bytes) {
    if (!Number.isFinite(this.bytesPerSecond)) return Promise.resolve();
    const now = performance.now();
    this.tokens = Math.min(this.burstBytes, this.tokens + ((now - this.at) * this.bytesPerSecond) / 1000);
    this.at = now;
    this.tokens -= bytes;
    if (this.tokens >= 0) return Promise.resolve();
    return sleep((-this.tokens / this.bytesPerSecond) * 1000, undefined, { ref: false });
  }
}

/** One link: its profile, the link's bucket and one bucket per connection. */
export function shapedLink(profile) {
  const link = new TokenBucket(profile.linkBytesPerSecond);
  /** @type {WeakMap<import("node:net").Socket, TokenBucket>} */
  const connections = new WeakMap();
  return {
    profile,
    /** Before the first byte of a reply. */
    firstByte: () => (profile.latencyMs > 0 ? sleep(profile.latencyMs, undefined, { ref: false }) : Promise.resolve()),
    /** Resolves when `bytes` may go out on `socket`. */
    async take(socket, bytes) {
      if (!connections.has(socket)) connections.set(socket, new TokenBucket(profile.connectionBytesPerSecond));
      await connections.get(socket).take(bytes);
      await link.take(bytes);
    },
  };
}
