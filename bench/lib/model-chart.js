// The SVG chart of bench part "model": per network profile, horizontal bars of the median wall
// time of each load (cold, warm, another origin), without and with COS, one bar per candidate,
// labelled with the seconds and the ratio to tvmjs's own cache. One time scale per profile.

export const cellKey = (profile, cos, scenario, candidate) => `${profile}|${cos ? "cos" : "nocos"}|${scenario}|${candidate}`;

const COLORS = { tvmjs: "#8c8c8c", ours: "#1f6fd1", webllm: "#2e9b4f" };
const NAMES = { tvmjs: "tvmjs's own cache", ours: "ours as artifactCache", webllm: "prepareWebLLMModel, then tvmjs" };
const SCENARIOS = [["cold", "cold"], ["warm", "warm (new page)"], ["other", "another origin"]];

const escape = (text) => String(text).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

function seconds(ms) {
  const s = ms / 1000;
  return s >= 10 ? `${s.toFixed(0)} s` : s >= 1 ? `${s.toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

/** The chart as SVG text. */
export function writeModelChart({ cells, profiles, cosModes, date, shape }) {
  const width = 900;
  const labelWidth = 210;
  const barMax = width - labelWidth - 150;
  const bar = 14;
  const gap = 3;
  const out = [];
  let y = 28;
  out.push(`<text x="12" y="20" font-size="15" font-weight="bold">Whole-model load through tvmjs (${escape(shape)}), median wall time — ${escape(date)}</text>`);
  y += 8;
  // Legend.
  let x = 12;
  for (const id of ["tvmjs", "ours", "webllm"]) {
    out.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${COLORS[id]}"/><text x="${x + 16}" y="${y + 10}" font-size="12">${escape(NAMES[id])}</text>`);
    x = Math.round(x + 24 + NAMES[id].length * 6.6);
  }
  out.push(`<text x="${x + 6}" y="${y + 10}" font-size="12" fill="#555">label: time · ratio to tvmjs (shorter is better)</text>`);
  y += 26;
  for (const profile of profiles) {
    const inProfile = Object.entries(cells).filter(([key]) => key.startsWith(`${profile}|`)).map(([, cell]) => cell.ms?.median ?? 0);
    const scale = Math.max(1, ...inProfile);
    out.push(`<text x="12" y="${y + 12}" font-size="14" font-weight="bold">${escape(profile)}</text>`);
    y += 20;
    for (const cos of cosModes) {
      out.push(`<text x="24" y="${y + 11}" font-size="12" font-style="italic">${cos ? "with COS (test polyfill)" : "no COS"}</text>`);
      y += 16;
      for (const [scenario, text] of SCENARIOS) {
        const candidates = ["tvmjs", "ours", "webllm"].filter((id) => cells[cellKey(profile, cos, scenario, id)]?.ms);
        if (candidates.length === 0) continue;
        const base = cells[cellKey(profile, cos, scenario, "tvmjs")]?.ms?.median;
        const groupHeight = candidates.length * (bar + gap);
        out.push(`<text x="${labelWidth - 8}" y="${y + groupHeight / 2 + 4}" font-size="12" text-anchor="end">${escape(text)}</text>`);
        for (const id of candidates) {
          const ms = cells[cellKey(profile, cos, scenario, id)].ms.median;
          const length = Math.max(1, (ms / scale) * barMax);
          const ratio = id !== "tvmjs" && base ? ` · ${(ms / base).toFixed(2)}×` : "";
          out.push(`<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${bar}" fill="${COLORS[id]}"/>`);
          out.push(`<text x="${(labelWidth + length + 5).toFixed(1)}" y="${y + bar - 3}" font-size="11">${escape(seconds(ms) + ratio)}</text>`);
          y += bar + gap;
        }
        y += 6;
      }
      y += 4;
    }
    y += 8;
  }
  const height = y + 4;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...out,
    `</svg>`,
    "",
  ].join("\n");
}
