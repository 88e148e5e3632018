// Small DOM and formatting helpers for the demo page.

export const $ = (id) => document.getElementById(id);

/** Creates an element with attributes and children (strings or nodes). */
export function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...(Array.isArray(children) ? children : [children]));
  return node;
}

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return "–";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return "–";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Decimal megabytes per second, as storage and network speeds are usually given. */
export function formatSpeed(bytes, ms) {
  if (!(ms > 0) || !(bytes > 0)) return "–";
  return `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
}

export const shortHash = (hex) => `${hex.slice(0, 10)}…${hex.slice(-6)}`;
