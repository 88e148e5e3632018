// Small helpers shared by the Cross-Origin Storage parts (store, warm, cold).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import os from "node:os";
import { fixed } from "./markdown.js";
import { summarize } from "./stats.js";

export const MiB = 1 << 20;

/** A positive integer from the environment, or the default. */
export function positiveIntegerFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** A comma-separated list of positive integers from the environment, or the default. */
export function integerListFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const values = raw.split(",").map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new Error(`${name} must be a comma-separated list of positive integers, got ${JSON.stringify(raw)}`);
  }
  return values;
}

/** The version of an installed package (or of this package for "../../package.json"). */
export function packageVersion(relativeToLib) {
  try {
    return JSON.parse(readFileSync(new URL(relativeToLib, import.meta.url), "utf8")).version;
  } catch {
    return null;
  }
}

/**
 * The repository's HEAD commit and whether js/, src/ or bindings/ differ from it (read-only git
 * commands; null outside a git checkout). dist/ is built output and not tracked.
 */
export function sourceState() {
  const cwd = fileURLToPath(new URL("../..", import.meta.url));
  const git = (...args) => execFileSync("git", ["--no-optional-locks", ...args], { cwd, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  try {
    const commit = git("rev-parse", "--short=12", "HEAD");
    let modified;
    try {
      git("diff", "--quiet", "HEAD", "--", "js", "src", "bindings");
      modified = false;
    } catch {
      modified = true;
    }
    return { commit, uncommittedChangesInSources: modified };
  } catch {
    return null;
  }
}

export function versions() {
  return {
    source: sourceState(),
    ours: packageVersion("../../package.json"),
    tvmjs: packageVersion("../../node_modules/@mlc-ai/web-runtime/package.json"),
    playwright: packageVersion("../../node_modules/playwright-core/package.json"),
  };
}

/** "cross-origin-cache 0.1.0 (HEAD abc…, dist/ as built)" for the reports. */
export function oursText(v) {
  const source = v.source
    ? `HEAD ${v.source.commit}${v.source.uncommittedChangesInSources ? " plus uncommitted changes in js/, src/ or bindings/" : ""}, dist/ as built`
    : "dist/ as built";
  return `cross-origin-cache ${v.ours} (${source})`;
}

/** {n, median, min, max} or null for an empty list. */
export function summary(values) {
  return values.length > 0 ? summarize(values) : null;
}

/** "median (min–max)" with `decimals`, for a table cell pair. */
export function medianCell(s, decimals = 0) {
  return s ? fixed(s.median, decimals) : "—";
}

export function rangeCell(s, decimals = 0) {
  return s ? `${fixed(s.min, decimals)}–${fixed(s.max, decimals)}` : "—";
}

/** The 1-minute load average, for the noise note. */
export function loadAverage() {
  return os.loadavg()[0];
}

export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Rounds candidates are run in: round r runs them in order, reversed on odd rounds (ABBA). */
export function roundOrder(candidates, round) {
  return round % 2 === 0 ? [...candidates] : [...candidates].reverse();
}

/** SHA-256 (hex) of `size` bytes from a hub generator, computed 4 MiB at a time (never held whole). */
export function generatedSha256(generate, size) {
  const hasher = createHash("sha256");
  for (let offset = 0; offset < size; offset += 4 * MiB) hasher.update(generate(offset, Math.min(4 * MiB, size - offset)));
  return hasher.digest("hex");
}
