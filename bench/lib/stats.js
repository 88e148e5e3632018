// Small statistics over benchmark samples.

function checked(values) {
  if (!Array.isArray(values) || values.length === 0) throw new RangeError("stats: expected a non-empty array");
  for (const value of values) {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new RangeError(`stats: not a finite number: ${value}`);
  }
  return values;
}

/** The median (mean of the two middle values for an even count). */
export function median(values) {
  const sorted = [...checked(values)].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function min(values) {
  return Math.min(...checked(values));
}

export function max(values) {
  return Math.max(...checked(values));
}

/** {n, median, min, max} of the values. */
export function summarize(values) {
  return { n: checked(values).length, median: median(values), min: min(values), max: max(values) };
}

/** Throughput in MB/s (10^6 bytes per second) of hashing `bytes` in `milliseconds`. */
export function megabytesPerSecond(bytes, milliseconds) {
  if (!(milliseconds > 0)) throw new RangeError(`stats: duration must be positive, got ${milliseconds} ms`);
  return bytes / 1e6 / (milliseconds / 1e3);
}
