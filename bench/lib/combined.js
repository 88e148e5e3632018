// The combined report of every part's latest results: bench/results/latest.md (machine, a table of
// all targets with MET/MISSED, then each part's own report) and bench/results/latest.svg (a chart
// of measured / target per target). Each COS part rewrites both after writing its own results;
// `node bench/lib/combined.js` rewrites them from what bench/results/ holds.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { machineLine } from "./machine.js";
import { table } from "./markdown.js";
import { RESULTS_DIR, writeAtomically } from "./results.js";
import { budgetUsed, verdict } from "./verdicts.js";

/** Parts in report order; parts not listed follow in name order. */
const ORDER = ["hash", "store", "warm", "cold", "footprint"];

/** The newest `<YYYY-MM-DD>-<part>.json` of each part, parsed: Map part → json. */
async function latestJsonByPart(dir) {
  const newest = new Map();
  for (const name of await readdir(dir).catch(() => [])) {
    const match = /^(\d{4}-\d{2}-\d{2})-([a-z][a-z0-9-]*)\.json$/.exec(name);
    if (!match) continue;
    const [, date, part] = match;
    if (!newest.has(part) || newest.get(part).date < date) newest.set(part, { date, name });
  }
  const out = new Map();
  for (const [part, { name }] of newest) {
    try {
      out.set(part, JSON.parse(await readFile(path.join(dir, name), "utf8")));
    } catch {
      // a half-written or foreign file: skip it
    }
  }
  return out;
}

/** The hash part writes no verdict list: derive its targets (ours ≥ 1.0× hash-wasm per environment). */
function hashVerdicts(json) {
  return (json.environments ?? []).map((env) =>
    verdict({
      part: "hash",
      id: `hash-${String(env.environment).toLowerCase()}`,
      label: `${env.environment}: SHA-256 MB/s, ours / hash-wasm`,
      value: env.ratioOursOverHashWasm,
      target: env.target ?? 1,
      comparator: ">=",
      unit: "×",
    }),
  );
}

function verdictsOf(part, json) {
  if (Array.isArray(json.verdicts)) return json.verdicts;
  if (part === "hash") return hashVerdicts(json);
  return [];
}

function sortParts(parts) {
  const rank = (part) => (ORDER.includes(part) ? ORDER.indexOf(part) : ORDER.length);
  return [...parts].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const escapeXml = (text) =>
  String(text).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/**
 * A hand-written SVG chart: one row per target, a bar from the target line (measured = target) to
 * measured / target (for "≥" targets: target / measured), on a log scale from 1/100 to 100;
 * green when met, red when missed.
 */
export function chartSvg(rows, { title, subtitle }) {
  const width = 1180;
  const labelWidth = 440;
  const plotLeft = labelWidth + 10;
  const plotWidth = 400;
  const plotRight = plotLeft + plotWidth;
  const top = 94;
  const rowHeight = 24;
  const headerHeight = 26;
  const [minLog, maxLog] = [-2, 2];
  const x = (ratio) => {
    const clamped = Math.min(Math.max(Math.log10(ratio), minLog), maxLog);
    return plotLeft + ((clamped - minLog) / (maxLog - minLog)) * plotWidth;
  };
  const parts = [];
  let y = top;
  const body = [];
  let lastPart;
  for (const row of rows) {
    if (row.part !== lastPart) {
      lastPart = row.part;
      y += 6;
      body.push(`<text x="10" y="${y + 17}" class="part">${escapeXml(row.part)}</text>`);
      y += headerHeight;
      parts.push(row.part);
    }
    const used = budgetUsed(row);
    const colour = row.met ? "#2e7d32" : "#c62828";
    const mid = y + rowHeight / 2;
    body.push(`<text x="22" y="${mid + 4}" class="label">${escapeXml(row.label)}</text>`);
    if (Number.isNaN(used)) {
      body.push(`<text x="${plotLeft + 4}" y="${mid + 4}" class="value">no measurement</text>`);
    } else {
      const from = x(1);
      const ratio = used === 0 ? 10 ** minLog : used;
      const to = x(ratio);
      const left = Math.min(from, to);
      const barWidth = Math.max(Math.abs(to - from), 2);
      body.push(`<rect x="${left.toFixed(1)}" y="${y + 5}" width="${barWidth.toFixed(1)}" height="${rowHeight - 10}" fill="${colour}" opacity="0.85"/>`);
      if (!Number.isFinite(ratio) || Math.log10(ratio) > maxLog || Math.log10(ratio) < minLog) {
        const edge = Math.log10(ratio) > 0 ? plotRight + 2 : plotLeft - 10;
        body.push(`<text x="${edge}" y="${mid + 4}" class="clip">${Math.log10(ratio) > 0 ? "▶" : "◀"}</text>`);
      }
    }
    const verdictText = `${row.text} (target ${row.targetText}) ${row.met ? "MET" : "MISSED"}`;
    body.push(`<text x="${plotRight + 14}" y="${mid + 4}" class="value" fill="${colour}">${escapeXml(verdictText)}</text>`);
    y += rowHeight;
  }
  const height = y + 48;
  const ticks = [];
  for (let exponent = minLog; exponent <= maxLog; exponent++) {
    const tickX = x(10 ** exponent);
    ticks.push(`<line x1="${tickX}" y1="${top - 4}" x2="${tickX}" y2="${y}" class="${exponent === 0 ? "target" : "grid"}"/>`);
    ticks.push(`<text x="${tickX}" y="${y + 16}" class="tick" text-anchor="middle">${10 ** exponent}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    "<style>",
    "  .title { font-size: 17px; font-weight: bold; }",
    "  .subtitle, .tick, .axis { font-size: 11px; fill: #444; }",
    "  .part { font-size: 13px; font-weight: bold; }",
    "  .label, .value { font-size: 12px; }",
    "  .clip { font-size: 10px; fill: #444; }",
    "  .grid { stroke: #ccc; stroke-width: 1; }",
    "  .target { stroke: #222; stroke-width: 1.5; stroke-dasharray: 4 3; }",
    "</style>",
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="24" class="title">${escapeXml(title)}</text>`,
    `<text x="10" y="44" class="subtitle">${escapeXml(subtitle)}</text>`,
    `<text x="10" y="60" class="subtitle">Bar: from the target (dashed line at 1) to measured / target (for "≥" targets: target / measured), log scale; left of the line = within the target.</text>`,
    `<text x="10" y="76" class="subtitle">Green MET, red MISSED; ◀ ▶ = beyond the axis (a target of 0 met exactly is drawn at the left edge). Ratios are against the baseline measured in the same run.</text>`,
    ...ticks,
    ...body,
    `<text x="${(plotLeft + plotRight) / 2}" y="${y + 34}" class="axis" text-anchor="middle">share of the target used (1 = exactly on target)</text>`,
    "</svg>",
    "",
  ].join("\n");
}

/**
 * Rewrites bench/results/latest.md and latest.svg from the latest results of every part.
 * `machine` (describeMachine()) overrides the machine of the newest result.
 */
export async function writeCombined({ dir = RESULTS_DIR, machine } = {}) {
  const jsonByPart = await latestJsonByPart(dir);
  const markdownParts = new Set();
  for (const name of await readdir(dir).catch(() => [])) {
    const match = /^latest-([a-z][a-z0-9-]*)\.md$/.exec(name);
    if (match) markdownParts.add(match[1]);
  }
  const parts = sortParts(new Set([...jsonByPart.keys(), ...markdownParts]));
  const newest = [...jsonByPart.values()].sort((a, b) => String(b.date).localeCompare(String(a.date)))[0];
  const machineUsed = machine ?? newest?.machine;

  const rows = [];
  for (const part of parts) {
    const json = jsonByPart.get(part);
    if (json) for (const v of verdictsOf(part, json)) rows.push({ ...v, part, date: json.date });
  }
  const summary = table(
    [{ title: "Part" }, { title: "Target" }, { title: "Measured", align: "right" }, { title: "Target value", align: "right" }, { title: "Verdict" }, { title: "Run" }],
    rows.map((row) => [row.part, row.label, row.text, row.targetText, row.met ? "MET" : "MISSED", row.date ?? ""]),
  );
  const sections = [];
  for (const part of parts) {
    if (!markdownParts.has(part)) continue;
    const text = (await readFile(path.join(dir, `latest-${part}.md`), "utf8")).trimEnd();
    sections.push(text.replace(/^## /, `## ${part}: `));
  }
  const met = rows.filter((row) => row.met).length;
  const markdown = [
    "# cross-origin-cache benchmarks — latest results",
    "",
    machineUsed ? machineLine(machineUsed) : "Machine: unknown",
    "",
    `Each part's own report follows; this summary takes every part's newest \`bench/results/<date>-<part>.json\`. ` +
      `${met} of ${rows.length} targets MET. Chart: [latest.svg](latest.svg).`,
    "",
    summary,
    "",
    ...sections.flatMap((section) => [section, ""]),
  ].join("\n");
  const svg = chartSvg(rows, {
    title: "cross-origin-cache: measured vs target",
    subtitle: `${met} of ${rows.length} targets met. ${machineUsed ? machineLine(machineUsed).replace(/^Machine: /, "") : ""}`.slice(0, 190),
  });
  const markdownFile = path.join(dir, "latest.md");
  const svgFile = path.join(dir, "latest.svg");
  await writeAtomically(markdownFile, markdown);
  await writeAtomically(svgFile, svg);
  return [markdownFile, svgFile];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeCombined()
    .then((files) => process.stdout.write(`${files.join("\n")}\n`))
    .catch((error) => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exitCode = 1;
    });
}
