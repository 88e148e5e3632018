// Bench part "model": a whole model shaped like a small web-llm model (bench/lib/model-repo.js:
// 24 shards of 32 MiB, tensor-cache.json, configs, a tokenizer of a few MiB, a model library)
// loaded in Chromium through tvmjs's loading flow (bench/page/model.js), per hub network profile,
// without and with the COS test polyfill: tvmjs's own caches against ours passed as
// `artifactCache`, and with COS the web-llm one-call preparation (prepareWebLLMModel) then the
// tvmjs load. Per candidate and round, from nothing: a cold load on the app's origin, a warm load
// (a new page), then a load from another origin (a second localhost port).
//
// Env: BENCH_MODEL_PROFILES (default "loopback,broadband"), BENCH_MODEL_COS ("off,on"),
// BENCH_MODEL_ROUNDS (default 3, or BENCH_ROUNDS when set), BENCH_MODEL_SHARDS,
// BENCH_MODEL_SHARD_MIB, BENCH_MODEL_TOKENIZER_MIB, BENCH_MODEL_LIB_MIB (model-repo.js).
import { readFileSync } from "node:fs";
import path from "node:path";
import { NETWORK_PROFILES } from "../local-hub/index.js";
import { MiB, loadAverage, oursText, positiveIntegerFromEnv, roundOrder, summary, versions } from "./lib/cos-bench.js";
import { machineLine } from "./lib/machine.js";
import { fixed, table, times } from "./lib/markdown.js";
import { cellKey, writeModelChart } from "./lib/model-chart.js";
import { linkShare, measureFloor, measureLoad, openModelWorld } from "./lib/model-flow.js";
import { addModelToHub, buildModel, modelShape, shapeText } from "./lib/model-repo.js";
import { RESULTS_DIR, isoDate, writeAtomically, writeResults } from "./lib/results.js";
import { verdict } from "./lib/verdicts.js";

export const description = "a whole web-llm-shaped model through tvmjs's loading flow: cold, warm, another origin; per network profile, without and with COS";

export const CANDIDATES = {
  tvmjs: { id: "tvmjs", label: "tvmjs's own cache", short: "tvmjs" },
  ours: { id: "ours", label: "ours as artifactCache", short: "ours" },
  webllm: { id: "webllm", label: "prepareWebLLMModel, then tvmjs", short: "web-llm prep" },
};
export const SCENARIOS = ["cold", "warm", "other"];
export const SCENARIO_TEXT = { cold: "cold", warm: "warm (new page)", other: "another origin" };

// Issue 14's targets.
const TARGETS = {
  noCosWall: 1.0,           // without COS: cold, warm and other-origin ≤ 1.0× tvmjs
  cosCold: { broadband: 0.6, far: 0.5 },  // with COS: cold ≤ 0.6× tvmjs (broadband), ≤ 0.5× (far)
  cosWarm: 0.5,             // with COS: warm ≤ 0.5× tvmjs, with 0 requests
  linkShare: 0.85,          // the download phase ≥ 85% of the link's cap
  memory: 0.2,              // renderer peak ≤ 0.2× tvmjs's increase
};

function listFromEnv(name, fallback, allowed) {
  const raw = process.env[name];
  const values = (raw === undefined || raw.trim() === "" ? fallback : raw).split(",").map((v) => v.trim()).filter(Boolean);
  const bad = values.filter((v) => !allowed.includes(v));
  if (bad.length > 0 || values.length === 0) throw new Error(`${name}: use a comma-separated list of ${allowed.join(", ")}, got ${JSON.stringify(raw)}`);
  return [...new Set(values)];
}

function summarizeCell(rows, linkCap) {
  const s = (pick) => summary(rows.map(pick).filter((v) => v !== null && v !== undefined && Number.isFinite(v)));
  return {
    n: rows.length,
    ms: s((r) => r.ms),
    requests: {
      total: s((r) => r.requests.total),
      resolve: s((r) => r.requests.resolve),
      raw: s((r) => r.requests.raw),
      listing: s((r) => r.requests.listing),
      other: s((r) => r.requests.other),
    },
    maxRequests: Math.max(...rows.map((r) => r.requests.total)),
    hubMiB: s((r) => r.bytes.total / MiB),
    shardMiB: s((r) => r.bytes.shards / MiB),
    shardDownloads: s((r) => r.shardDownloads),
    cosMiBWritten: s((r) => (r.cosBackend ? r.cosBackend.bytesWritten / MiB : null)),
    cosMiBRead: s((r) => (r.cosBackend ? r.cosBackend.bytesRead / MiB : null)),
    linkShare: Number.isFinite(linkCap) ? s((r) => r.linkShare) : null,
    downloadMBps: s((r) => r.downloadMBps),
    rendererMiB: s((r) => r.rendererPeakIncrease / MiB),
    rendererDownloadMiB: s((r) => (r.rendererDownloadPeakIncrease === null || r.rendererDownloadPeakIncrease === undefined ? null : r.rendererDownloadPeakIncrease / MiB)),
    storageKind: [...new Set(rows.map((r) => r.storageKind))].join(", "),
  };
}

/** Verdicts of one (profile, COS) block against issue 14's targets. */
function blockVerdicts(profile, cos, cells) {
  const out = [];
  const base = (scenario) => cells[cellKey(profile, cos, scenario, "tvmjs")];
  const id = (...parts) => ["model", profile, cos ? "cos" : "nocos", ...parts].join("-");
  const who = cos ? ["ours", "webllm"] : ["ours"];
  for (const candidate of who) {
    for (const scenario of SCENARIOS) {
      const mine = cells[cellKey(profile, cos, scenario, candidate)];
      const theirs = base(scenario);
      if (!mine?.ms || !theirs?.ms) continue;
      const ratio = mine.ms.median / theirs.ms.median;
      const label = `${profile}, ${cos ? "with COS" : "no COS"}, ${SCENARIO_TEXT[scenario]}: ${CANDIDATES[candidate].short} / tvmjs wall`;
      if (!cos) out.push({ key: cellKey(profile, cos, scenario, candidate), kind: "wall", v: verdict({ part: "model", id: id(scenario, candidate, "wall"), label, value: ratio, target: TARGETS.noCosWall }) });
      if (cos && scenario === "cold" && TARGETS.cosCold[profile] !== undefined) {
        out.push({ key: cellKey(profile, cos, scenario, candidate), kind: "wall", v: verdict({ part: "model", id: id(scenario, candidate, "wall"), label, value: ratio, target: TARGETS.cosCold[profile] }) });
      }
      if (cos && scenario === "warm") {
        out.push({ key: cellKey(profile, cos, scenario, candidate), kind: "wall", v: verdict({ part: "model", id: id(scenario, candidate, "wall"), label, value: ratio, target: TARGETS.cosWarm }) });
        out.push({ key: cellKey(profile, cos, scenario, candidate), kind: "requests", v: verdict({ part: "model", id: id(scenario, candidate, "requests"), label: `${profile}, with COS, warm: ${CANDIDATES[candidate].short} hub requests (most in any round)`, value: mine.maxRequests, target: 0, unit: "requests" }) });
      }
      if (cos && scenario === "cold" && mine.linkShare) {
        out.push({ key: cellKey(profile, cos, scenario, candidate), kind: "link", v: verdict({ part: "model", id: id(scenario, candidate, "link"), label: `${profile}, with COS, cold: ${CANDIDATES[candidate].short} download phase, share of the link cap`, value: mine.linkShare.median, target: TARGETS.linkShare, comparator: ">=" }) });
      }
      if (cos && scenario === "cold" && theirs.rendererMiB && mine.rendererMiB) {
        // The download phase's peak where it was sampled apart (the store's cost; the loading
        // phase that follows holds the same shard buffers for every candidate), else the whole load's.
        const phase = theirs.rendererDownloadMiB && mine.rendererDownloadMiB;
        const value = phase ? mine.rendererDownloadMiB.median / Math.max(theirs.rendererDownloadMiB.median, 1) : mine.rendererMiB.median / Math.max(theirs.rendererMiB.median, 1);
        out.push({ key: cellKey(profile, cos, scenario, candidate), kind: "memory", v: verdict({ part: "model", id: id(scenario, candidate, "memory"), label: `${profile}, with COS, cold: ${CANDIDATES[candidate].short} renderer peak increase${phase ? " in the download phase" : " (whole load)"} / tvmjs's`, value, target: TARGETS.memory }) });
      }
    }
  }
  return out;
}

const pct = (share) => (share === null || share === undefined ? "—" : `${fixed(share * 100, 0)}%`);
/** A ratio with two decimals, three where two would hide which side of 1 it is on. */
function ratioText(ratio) {
  let decimals = 2;
  while (decimals < 5 && ratio !== 1 && Number(ratio.toFixed(decimals)) === 1) decimals++;
  return times(ratio, decimals);
}

function floorText(floor) {
  const what = floor.kind === "fetch" ? "the shards fetched 4 at a time, no cache, nothing kept" : "the shards read back from COS one at a time";
  return `${what}: ${fixed(floor.ms, 0)} ms (${fixed(floor.mbps, 0)} MB/s)`;
}

function mark(v) {
  if (!v) return "";
  const target = v.unit === "requests" ? `${v.target} requests` : v.id.endsWith("-link") ? `≥ ${fixed(v.target * 100, 0)}% of cap` : v.targetText;
  return `${target}: ${v.met ? "met" : "**missed**"}`;
}

function blockTable(profile, cos, cells, verdicts, candidates) {
  const rows = [];
  for (const scenario of SCENARIOS) {
    const theirs = cells[cellKey(profile, cos, scenario, "tvmjs")];
    for (const candidate of candidates) {
      const c = cells[cellKey(profile, cos, scenario, candidate)];
      if (!c?.ms) continue;
      const key = cellKey(profile, cos, scenario, candidate);
      const find = (kind) => verdicts.find((entry) => entry.key === key && entry.kind === kind)?.v;
      const wallTarget = [find("wall"), find("requests")].filter(Boolean).map(mark).join("; ");
      const r = c.requests;
      rows.push([
        SCENARIO_TEXT[scenario],
        CANDIDATES[candidate].short,
        fixed(c.ms.median, 0),
        `${fixed(c.ms.min, 0)}–${fixed(c.ms.max, 0)}`,
        candidate === "tvmjs" ? "1.00×" : ratioText(c.ms.median / theirs.ms.median),
        wallTarget || "—",
        `${fixed(r.total.median, 0)} (${fixed(r.resolve.median, 0)}/${fixed(r.raw.median, 0)}/${fixed(r.listing.median, 0)}/${fixed(r.other.median, 0)})`,
        fixed(c.hubMiB.median, 1),
        c.linkShare ? pct(c.linkShare.median) : c.downloadMBps ? `${fixed(c.downloadMBps.median, 0)} MB/s` : "—",
        mark(find("link")) || "—",
        fixed(c.rendererMiB.median, 0),
        c.rendererDownloadMiB ? fixed(c.rendererDownloadMiB.median, 0) : "—",
        candidate === "tvmjs" ? "" : c.rendererDownloadMiB && theirs.rendererDownloadMiB
          ? times(c.rendererDownloadMiB.median / Math.max(theirs.rendererDownloadMiB.median, 1))
          : times(c.rendererMiB.median / Math.max(theirs.rendererMiB.median, 1)),
        mark(find("memory")) || "—",
      ]);
    }
  }
  return table([
    { title: "load" },
    { title: "candidate" },
    { title: "wall ms (median)", align: "right" },
    { title: "min–max", align: "right" },
    { title: "× tvmjs", align: "right" },
    { title: "target (issue 14)" },
    { title: "hub requests (resolve/raw/listing/other)", align: "right" },
    { title: "hub MiB", align: "right" },
    { title: "download: link used", align: "right" },
    { title: "target" },
    { title: "renderer +MiB", align: "right" },
    { title: "of it download phase", align: "right" },
    { title: "× tvmjs", align: "right" },
    { title: "target" },
  ], rows);
}

/** Where a load's time goes: medians of its phases on the load's clock (the page's `phases`). */
function phaseTable(profile, cos, measured, candidates) {
  const med = (values) => {
    const kept = values.filter((v) => v !== null && v !== undefined && Number.isFinite(v));
    return kept.length > 0 ? fixed(summary(kept).median, 0) : "—";
  };
  const rows = [];
  for (const scenario of SCENARIOS) {
    for (const candidate of candidates) {
      const mine = measured.filter((r) => r.profile === profile && r.cos === cos && r.scenario === scenario && r.candidate === candidate && r.phases);
      if (mine.length === 0) continue;
      const phase = (pick) => med(mine.map((r) => pick(r.phases, r)));
      rows.push([
        SCENARIO_TEXT[scenario],
        CANDIDATES[candidate].short,
        phase((p) => p.prepareMs ?? null),
        phase((p) => p.createdMs - (p.prepareMs ?? 0)),
        phase((p) => p.configMs - p.createdMs),
        phase((p) => p.libraryMs - p.configMs),
        phase((p) => p.tensorsMs - p.libraryMs),
        phase((p, r) => (r.download?.start === null || r.download?.start === undefined ? null : r.download.end - r.download.start)),
        phase((p) => p.tokenizerMs - p.tensorsMs),
        phase((p) => p.tokenizerMs),
      ]);
    }
  }
  return table([
    { title: "load" },
    { title: "candidate" },
    { title: "web-llm prep", align: "right" },
    { title: "create caches", align: "right" },
    { title: "mlc-chat-config.json", align: "right" },
    { title: "model library", align: "right" },
    { title: "fetchTensorCache", align: "right" },
    { title: "of it download loops", align: "right" },
    { title: "tokenizer files", align: "right" },
    { title: "wall", align: "right" },
  ], rows);
}

export async function run(context) {
  const { root, log } = context;
  const date = new Date();
  // "none": measure nothing, only report BENCH_MODEL_MERGE's runs again (with this code's tables).
  const profiles = process.env.BENCH_MODEL_PROFILES === "none" ? [] : listFromEnv("BENCH_MODEL_PROFILES", "loopback,broadband", Object.keys(NETWORK_PROFILES));
  if (profiles.length === 0 && !process.env.BENCH_MODEL_MERGE) throw new Error("BENCH_MODEL_PROFILES=none reports an earlier run again: give it with BENCH_MODEL_MERGE");
  const cosModes = listFromEnv("BENCH_MODEL_COS", "off,on", ["off", "on"]).map((mode) => mode === "on");
  const rounds = positiveIntegerFromEnv("BENCH_MODEL_ROUNDS", process.env.BENCH_ROUNDS ? context.rounds : 3);
  const shape = modelShape();
  log(`model: ${shapeText(shape)}, hashing the shards`);
  const model = buildModel(shape);
  log(`model: ${fixed(model.totalBytes / MiB, 1)} MiB in all; ${rounds} round(s); profiles ${profiles.join(", ")}; COS ${cosModes.map((on) => (on ? "on" : "off")).join(", ")}`);
  // BENCH_MODEL_MERGE=<an earlier results JSON>: its runs of the profiles this run does not
  // measure are reported with this run's (e.g. a later run of "far" alone beside loopback and broadband).
  const merged = process.env.BENCH_MODEL_MERGE ? JSON.parse(readFileSync(process.env.BENCH_MODEL_MERGE, "utf8")) : null;
  if (merged) {
    if (merged.part !== "model" || JSON.stringify(merged.shape) !== JSON.stringify(shape)) throw new Error(`BENCH_MODEL_MERGE: ${process.env.BENCH_MODEL_MERGE} is not a model run of ${shapeText(shape)}`);
    if (JSON.stringify(merged.cos) !== JSON.stringify(cosModes)) throw new Error("BENCH_MODEL_MERGE: the earlier run measured other COS modes");
  }
  const earlier = merged ? merged.runs.filter((r) => !profiles.includes(r.profile)) : [];
  const earlierProfiles = [...new Set(earlier.map((r) => r.profile))];
  // Which run measured which profiles, with its load averages (kept through later merges).
  const earlierSources = !merged ? [] : (merged.sources ?? [
    { date: merged.date, profiles: merged.profiles.filter((name) => !(merged.mergedFrom?.profiles ?? []).includes(name)), loadAverage: merged.loadAverage, commit: merged.versions?.source?.commit ?? null },
    ...(merged.mergedFrom ? [{ date: merged.mergedFrom.date, profiles: merged.mergedFrom.profiles, loadAverage: merged.mergedFrom.loadAverage, commit: merged.mergedFrom.versions?.source?.commit ?? null }] : []),
  ]).map((source) => ({ ...source, profiles: source.profiles.filter((name) => earlierProfiles.includes(name)) })).filter((source) => source.profiles.length > 0);
  const loadBefore = loadAverage();
  const loads = [];
  const rows = [];
  const floors = Object.fromEntries(Object.entries(merged?.floors ?? {}).filter(([block]) => !profiles.includes(block.split("|")[0])));
  const report = async (partial) => {
    const loadAfter = loadAverage();
    const measured = [...earlier, ...rows];
    const allProfiles = Object.keys(NETWORK_PROFILES).filter((name) => measured.some((r) => r.profile === name));
    const done = new Set(measured.map((r) => `${r.profile}|${r.cos}`));

    const cells = {};
    for (const profile of allProfiles) {
      for (const cos of cosModes) {
        for (const scenario of SCENARIOS) {
          for (const candidate of Object.keys(CANDIDATES)) {
            const mine = measured.filter((r) => r.profile === profile && r.cos === cos && r.scenario === scenario && r.candidate === candidate);
            if (mine.length > 0) cells[cellKey(profile, cos, scenario, candidate)] = summarizeCell(mine, NETWORK_PROFILES[profile].linkBytesPerSecond);
          }
        }
      }
    }
    const verdicts = [];
    for (const profile of allProfiles) for (const cos of cosModes) verdicts.push(...blockVerdicts(profile, cos, cells));

    const machine = await context.machine();
    const v = versions();
    const profileText = (name) => {
      const p = NETWORK_PROFILES[name];
      return name === "loopback" ? "loopback (no shaping: the CPU a load costs here)" : `${name} (${p.latencyMs} ms first byte, ${p.connectionBytesPerSecond / 1e6} MB/s per connection, ${p.linkBytesPerSecond / 1e6} MB/s link cap)`;
    };
    const met = verdicts.filter((entry) => entry.v.met).length;
    const sources = [
      ...(rows.length > 0 ? [{ date: date.toISOString(), profiles: [...new Set(rows.map((r) => r.profile))], loadAverage: { before: loadBefore, afterBlocks: loads, after: loadAfter }, commit: v.source?.commit ?? null }] : []),
      ...earlierSources,
    ];
    const sourceText = (source) => `${source.profiles.join(", ")} (run of ${source.date}${source.commit ? `, HEAD ${source.commit}` : ""}): ${fixed(source.loadAverage.before, 2)} before, ${(source.loadAverage.afterBlocks ?? []).map((l) => fixed(l, 2)).join(" → ")} after each block`;
    const warmReads = measured.filter((r) => r.cos && r.scenario === "warm" && r.cosBackend).map((r) => ({ candidate: r.candidate, mib: r.cosBackend.bytesRead / MiB }));
    const readOf = (candidate) => summary(warmReads.filter((r) => r.candidate === candidate).map((r) => r.mib));
    const cosReadText = ["tvmjs", "ours"].filter((c) => readOf(c)).map((c) => `${CANDIDATES[c].short} ${fixed(readOf(c).median, 0)} MiB`).join(", ") || "n/a";
    const markdown = [
      `## Whole-model load through tvmjs — \`node bench/run.js model\` (${date.toISOString()})`,
      ...(rows.length === 0 ? ["", "Reported again from the results of earlier runs (their dates below), with this version's tables."] : []),
      ...(partial ? ["", `**Partial:** written after ${rows.length > 0 ? new Set(rows.map((r) => `${r.profile}|${r.cos}`)).size : 0} of ${profiles.length * cosModes.length} blocks of this run; the run did not finish.`] : []),
      "",
      machineLine(machine),
      "",
      `Model: ${shapeText(shape)} (Git LFS), tensor-cache.json (8 records per shard), mlc-chat-config.json, tokenizer.json (LFS, ${fixed(shape.tokenizerBytes / MiB, 0)} MiB) + tokenizer_config.json, ` +
        `and a ${fixed(shape.libBytes / MiB, 0)} MiB model library (a plain file: no listing gives its SHA-256, as on GitHub raw): ${fixed(model.totalBytes / MiB, 1)} MiB, from the local hub.`,
      "",
      `Flow, in Chromium, as web-llm drives tvmjs (@mlc-ai/web-runtime ${v.tvmjs}): mlc-chat-config.json as JSON, the model library, tvmjs's own \`Instance.prototype.fetchTensorCache\` ` +
        `(tensor-cache.json, hasAllKeys, addToCache of every shard in tvmjs's 4 parallel loops, then fetchWithCache of each shard and its records loaded), then the tokenizer files. ` +
        `**Stand-ins:** no TVM runtime or device can be driven here (the package ships no runtime wasm, no model library can be built), so fetchTensorCache runs on a stand-in Instance ` +
        `on the CPU device whose upload of each record is a copy into one scratch ArrayBuffer; the library is not compiled and the tokenizer not parsed (both read whole). ` +
        `Every record's first bytes are checked against the model after each load.`,
      "",
      `Candidates: tvmjs = tvmjs's own caches as web-llm creates them (createArtifactCache per scope): ArtifactCache (Cache API by URL) without COS, ArtifactCrossOriginStorageCache with COS; ` +
        `ours = ${oursText(v)}, \`createCrossOriginCache({scope: "tvmjs"})\` passed as \`artifactCache\`; web-llm prep (with COS only) = \`prepareWebLLMModel(record)\` then the same flow with tvmjs's cross-origin cache.`,
      "",
      `Loads: per candidate and round, from nothing (new repo URLs, COS backend emptied, Cache API of both origins cleared): cold on the app's origin, warm in a new page there, then another origin ` +
        `(a second \`http://localhost\` port: a different origin, the same site; the COS polyfill keeps entries per exact origin unless stored for others, and both tvmjs and ours store for all origins). ` +
        `Wall = performance.now() in the page from creating the caches to the last tokenizer byte. Hub requests are counted by the hub (pages and scripts come from two other servers): ` +
        `resolve (file bodies), raw (pointers), listing (tree/paths-info), other. Link used = bytes of the download phase / its duration / the link cap (download phase: tvmjs's addToCache loops, first call to last return; for web-llm prep the whole preparation with all its bytes); on loopback the MB/s instead. ` +
        `Renderer +MiB = peak VmRSS of the page's renderer (sampled every 20 ms) minus its value before the load, after a forced GC; "of it download phase" = the peak until the download phase ends (the page tells Node and waits for its sample, time left out of the figures), ` +
        `the cost of storing: the loading phase after it reads every shard into an ArrayBuffer for every candidate alike, which the whole-load peak includes. The memory target uses the download phase where it was sampled. ${rows.length > 0 ? rounds : merged?.rounds ?? rounds} round(s), candidates in ABBA order; medians.`,
      "",
      ...allProfiles.flatMap((profile) => cosModes.filter((cos) => done.has(`${profile}|${cos}`)).flatMap((cos) => [
        `### ${profileText(profile)}, ${cos ? "with the COS test polyfill" : "no COS (what almost every visitor has today)"}`,
        "",
        blockTable(profile, cos, cells, verdicts, cos ? ["tvmjs", "ours", "webllm"] : ["tvmjs", "ours"]),
        "",
        "Where the time goes (ms, medians of each phase: web-llm's preparation, creating the caches, each file in the flow's order; fetchTensorCache holds tensor-cache.json, hasAllKeys, the download loops and the shard reads):",
        "",
        phaseTable(profile, cos, measured, cos ? ["tvmjs", "ours", "webllm"] : ["tvmjs", "ours"]),
        "",
        ...(floors[`${profile}|${cos}`]?.length ? [`Floors here (one run each, not a candidate): ${floors[`${profile}|${cos}`].map(floorText).join("; ")}.`, ""] : []),
      ])),
      `Targets met: ${met} of ${verdicts.length}. Issue 14's targets: without COS cold, warm and other-origin ≤ 1.0× tvmjs; with COS cold ≤ 0.6× tvmjs under broadband (≤ 0.5× under far), ` +
        `warm ≤ 0.5× with 0 requests, the download phase ≥ 85% of the link cap, renderer peak ≤ 0.2× tvmjs's increase (cold). No target is set for loopback's COS cold load.`,
      "",
      `Caveats: one machine with ${machine.coresUsable} usable cores shared with other work; the hub, the COS backend and Chromium share those cores, so loopback figures are CPU-bound and every figure is noisy (see the min–max). ` +
        `1-minute load average: ${sources.map(sourceText).join("; ")}. ` +
        `The COS is the test polyfill, not the browser extension or a browser's own: every call goes to a Node backend over HTTP, and its \`getFile()\` transfers the whole entry, so each existence check that reads a File costs a full read ` +
        `(tvmjs's hasAllKeys and match do: in a warm load of the ${fixed(model.totalBytes / MiB, 0)} MiB model COS served ${cosReadText}), and a cold load with COS is bound by the polyfill's write path, not by the link. ` +
        `Ratios near 1 show more decimals, so the side of a ≤ 1.00× target reads right; differences that small are far inside the noise. The device upload, library compile and tokenizer parse are stand-ins (above).`,
    ].join("\n");

    const json = {
      part: "model",
      date: date.toISOString(),
      machine,
      versions: v,
      shape,
      totalBytes: model.totalBytes,
      rounds,
      profiles: allProfiles,
      cos: cosModes,
      sources,
      partial,
      loadAverage: { before: loadBefore, afterBlocks: loads, after: loadAfter },
      cells,
      floors,
      verdicts: verdicts.map((entry) => entry.v),
      runs: measured,
    };
    const files = await writeResults("model", { json, markdown, date });
    const svgFile = path.join(RESULTS_DIR, "latest-model.svg");
    await writeAtomically(svgFile, writeModelChart({ cells, profiles: allProfiles, cosModes, date: isoDate(date), shape: shapeText(shape) }));
    files.push(svgFile);
    return { markdown, files };
  };
  for (const profile of profiles) {
    const linkCap = NETWORK_PROFILES[profile].linkBytesPerSecond;
    for (const cos of cosModes) {
      const candidates = cos ? ["tvmjs", "ours", "webllm"] : ["tvmjs", "ours"];
      const setting = await openModelWorld({ root, log, profile, cos });
      try {
        for (let round = 0; round < rounds; round++) {
          const line = [];
          for (const candidate of roundOrder(candidates, round)) {
            await setting.resetCos();
            const tag = `${profile}-${cos ? "cos" : "nocos"}-r${round}-${candidate}`;
            const placed = addModelToHub(setting.hub, model, tag);
            const plan = [
              ["cold", setting.origins.home, true],
              ["warm", setting.origins.home, false],
              ["other", setting.origins.other, true],
            ];
            const parts = [];
            for (const [scenario, origin, clear] of plan) {
              const row = await measureLoad(setting, { model, placed, candidate, origin, clear, cos, tag: `${tag}-${scenario}`, log });
              row.linkShare = linkShare(row, candidate, linkCap);
              const seconds = candidate === "webllm" ? (row.phases.prepareMs ?? 0) / 1000 : row.download.start === null ? 0 : (row.download.end - row.download.start) / 1000;
              // A figure for real downloads only (another origin with COS fetches a few small files).
              const real = row.bytes.total >= model.totalBytes / 4;
              row.downloadMBps = real && seconds > 0 ? row.bytes.total / 1e6 / seconds : null;
              if (!real) row.linkShare = null;
              rows.push({ profile, cos, scenario, candidate, round, ...row });
              parts.push(`${scenario} ${fixed(row.ms, 0)} ms ${row.requests.total} req +${fixed(row.rendererPeakIncrease / MiB, 0)} MiB`);
            }
            line.push(`${candidate}: ${parts.join(", ")}`);
          }
          log(`model ${profile} ${cos ? "COS" : "no COS"} round ${round + 1}/${rounds}: ${line.join(" | ")}`);
        }
        // Floors of this setting, once (BENCH_MODEL_FLOORS=0 skips them): the shards fetched with
        // no cache (new URLs); with COS, the shards read back from it (the last load stored them).
        if (process.env.BENCH_MODEL_FLOORS !== "0") {
          const block = `${profile}|${cos}`;
          floors[block] = [];
          if (cos) floors[block].push(await measureFloor(setting, { kind: "cos-read", origin: setting.origins.home, hashes: model.shardHashes, log }));
          const placed = addModelToHub(setting.hub, model, `${profile}-${cos ? "cos" : "nocos"}-floor`);
          floors[block].push(await measureFloor(setting, { kind: "fetch", origin: setting.origins.home, urls: placed.shardPaths.map((name) => new URL(name, placed.modelUrl).href), log }));
          log(`model ${profile} ${cos ? "COS" : "no COS"} floors: ${floors[block].map((f) => `${f.kind} ${fixed(f.ms, 0)} ms ${fixed(f.mbps, 0)} MB/s`).join(", ")}`);
        }
      } finally {
        await setting.close();
      }
      loads.push(loadAverage());
      // Results so far, in case the run is cut short; the last block's call below replaces them.
      if (loads.length < profiles.length * cosModes.length) await report(true);
    }
  }
  return report(false);
}

