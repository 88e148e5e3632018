// Writes a part's results: bench/results/<YYYY-MM-DD>-<part>.json and bench/results/latest-<part>.md.
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url));

/** The local calendar date as YYYY-MM-DD. */
export function isoDate(date = new Date()) {
  const two = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
}

// Written beside the target and renamed over it, so a reader never sees half a file
// (bench/results/*.tmp is git-ignored).
export async function writeAtomically(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes the JSON results and the Markdown report of `part`; returns the paths written. */
export async function writeResults(part, { json, markdown, date = new Date(), dir = RESULTS_DIR }) {
  await mkdir(dir, { recursive: true });
  const jsonFile = path.join(dir, `${isoDate(date)}-${part}.json`);
  const markdownFile = path.join(dir, `latest-${part}.md`);
  await writeAtomically(jsonFile, `${JSON.stringify(json, null, 2)}\n`);
  await writeAtomically(markdownFile, markdown.endsWith("\n") ? markdown : `${markdown}\n`);
  return [jsonFile, markdownFile];
}
