// What the hub counts: requests by kind, bytes by kind, 404s, and the most requests of each kind
// in flight at once.

const KINDS = ["resolve", "raw", "pathsInfo", "tree", "revision", "wasm", "static", "preflight", "unknown"];

/** A zero for each request kind. */
export const byKind = () => Object.fromEntries(KINDS.map((kind) => [kind, 0]));

export const newCounters = () => ({
  requests: 0,
  ...byKind(),
  notFound: 0,
  bytes: { resolve: 0, raw: 0, pathsInfo: 0, tree: 0, revision: 0, wasm: 0, static: 0, other: 0 },
  /** The most requests of each kind in flight (received, reply not yet finished) at once. */
  maxInFlight: byKind(),
});

/** Requests in `log` that touched a file path (paths-info and tree answers listing it count too), by kind. */
export function countFor(log, filePath) {
  const out = { total: 0, resolve: 0, raw: 0, pathsInfo: 0, tree: 0, revision: 0, wasm: 0, static: 0 };
  for (const entry of log) {
    if (entry.path !== filePath && !entry.paths?.includes(filePath)) continue;
    out.total++;
    out[entry.kind] = (out[entry.kind] ?? 0) + 1;
  }
  return out;
}
