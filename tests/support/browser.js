/**
 * Shared harness for the real-browser tests: Debian's Chromium (never a downloaded browser)
 * driven by playwright-core, pages served on `localhost` by the local hub, error collection,
 * module evaluation in a page, and process-tree / memory sampling from /proc.
 *
 * Typical use (node:test):
 *
 *   const site = await startSite();                       // hub + repo root on http://localhost:PORT
 *   const browser = await launchBrowser({ initScripts: [cosInitScript({ backend: cos.url })] });
 *   t.after(() => browser.close());
 *   const page = await browser.open(`${site.url}/tests/browser/blank.html`);
 *   const hex = await evaluateModule(page, "/js/index.js", (m, text) => m.sha256(new TextEncoder().encode(text)), "abc");
 *   page.errors.assertNone();
 *
 * Everything started here is stopped by the matching close(); temp profile dirs are removed.
 *
 * @module
 */

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startHub } from "../../local-hub/index.js";

/** The repository root (this file is tests/support/browser.js). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The browsers the suites that run in both take their turn in: Chromium and Firefox, or the
 * comma-separated list in TEST_BROWSERS (e.g. TEST_BROWSERS=chromium for a quick run).
 */
export const BROWSERS = (process.env.TEST_BROWSERS ?? "chromium,firefox").split(",").map((name) => name.trim()).filter(Boolean);

/** Debian's Chromium; override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags for a quiet, headless, CI-friendly Chromium. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A page that loads nothing (no favicon request either): a neutral place to run module code. */
export const BLANK_PAGE = "/tests/browser/blank.html";

/**
 * Starts the local hub (local-hub/) with the repository root served as static
 * files at "/", so one localhost origin serves both the hub routes and `/js/index.js`.
 * Hub routes win over static files: /api/..., /github-raw/..., and /<repo>/resolve|raw/... of a
 * repo the hub knows. (A /resolve/ URL of an unknown repo falls through to the static files and
 * answers a plain 404 without X-Error-Code.)
 * @param {Parameters<typeof startHub>[0] & {root?: string, extraStatic?: {prefix: string, dir: string}[]}} [options]
 *   `extraStatic` entries are matched before the root.
 * @returns {ReturnType<typeof startHub>}
 */
export function startSite({ root = REPO_ROOT, extraStatic = [], ...hubOptions } = {}) {
  return startHub({ ...hubOptions, static: [...extraStatic, { prefix: "/", dir: root }] });
}

// ---- processes (/proc) ------------------------------------------------------------------------

/** @returns {Promise<{pid: number, ppid: number, cmdline: string[]}|null>} */
async function procInfo(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").filter(Boolean);
    return { pid, ppid, cmdline };
  } catch {
    return null;  // gone, or not ours to read
  }
}

/** Every process now, as {pid, ppid, cmdline}. */
export async function listProcesses() {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
  return (await Promise.all(pids.map(procInfo))).filter(Boolean);
}

/**
 * The Chromium `--type=` of a process ("" for the browser process or a non-Chromium one).
 * Chromium child processes rewrite their argv into one space-separated string, so the joined
 * command line is searched.
 */
export function chromiumType(cmdline) {
  return /(?:^|\s)--type=(\S+)/.exec(cmdline.join(" "))?.[1] ?? "";
}

/** Whether a process is a renderer that can host web pages (not the headless UI's WebUI renderer). */
export function isPageRenderer(proc) {
  const line = proc.cmdline.join(" ");
  return chromiumType(proc.cmdline) === "renderer" && !/--top-chrome-webui|--extension-process/.test(line);
}

/**
 * The processes below `rootPid` (not including it), each with its Chromium `--type=` (or "" for
 * a process without one).
 * @returns {Promise<{pid: number, ppid: number, type: string, cmdline: string[]}[]>}
 */
export async function processTree(rootPid) {
  const all = await listProcesses();
  const children = new Map();
  for (const p of all) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p);
  }
  const out = [];
  const walk = (pid) => {
    for (const child of children.get(pid) ?? []) {
      out.push({ ...child, type: chromiumType(child.cmdline) });
      walk(child.pid);
    }
  };
  walk(rootPid);
  return out;
}

/** VmRSS of a process in bytes, or undefined when it is gone. */
export async function rssBytes(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return kib ? Number(kib[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples the RSS of a changing set of processes every `intervalMs` until stop().
 * `pids()` is called each round (so renderers that appear later are included).
 * stop() → Map pid → {first, peak, last, samples, label}.
 * @param {() => Promise<{pid: number, label?: string}[]>} pids
 * @param {number} [intervalMs=50]
 */
export function sampleRss(pids, intervalMs = 50) {
  const series = new Map();
  let running = true;
  const round = async () => {
    for (const { pid, label } of await pids()) {
      const rss = await rssBytes(pid);
      if (rss === undefined) continue;
      const s = series.get(pid) ?? { first: rss, peak: rss, last: rss, samples: 0, label };
      s.peak = Math.max(s.peak, rss);
      s.last = rss;
      s.samples++;
      series.set(pid, s);
    }
  };
  const loop = (async () => {
    while (running) {
      await round();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    await round();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return series;
    },
  };
}

// ---- browser ----------------------------------------------------------------------------------

/** A browser handle's process queries: its process tree, and the processes that host pages. */
export function processQueries(pid, isPageProcess) {
  const processes = async () => (pid ? processTree(pid) : []);
  return {
    processes,
    rendererPids: async () => (await processes()).filter(isPageProcess).map((p) => p.pid),
  };
}

/** Direct children of this Node process that run Chromium's browser process. */
async function chromiumChildren() {
  const all = await listProcesses();
  return all.filter((p) => p.ppid === process.pid && /--remote-debugging-pipe/.test(p.cmdline.join(" ")) && chromiumType(p.cmdline) === "");
}

/**
 * Collects a page's console errors and uncaught page errors.
 * @param {import("playwright-core").Page} page
 * @param {{ignore?: RegExp[]}} [options] Messages matching any pattern are dropped.
 */
export function collectErrors(page, { ignore = [] } = {}) {
  const keep = (text) => !ignore.some((pattern) => pattern.test(text));
  const errors = {
    /** console.error() texts (and failed-resource messages). */
    console: [],
    /** Uncaught exceptions and unhandled rejections. */
    page: [],
    /** Both lists, console first. */
    all() {
      return [...errors.console.map((t) => `console: ${t}`), ...errors.page.map((t) => `pageerror: ${t}`)];
    },
    /** Throws when anything was collected. */
    assertNone(what = "the page") {
      const found = errors.all();
      if (found.length) throw new Error(`${what} reported errors:\n  ${found.join("\n  ")}`);
    },
  };
  page.on("console", (message) => {
    if (message.type() === "error" && keep(message.text())) {
      const where = message.location()?.url;
      errors.console.push(where ? `${message.text()} (${where})` : message.text());
    }
  });
  page.on("pageerror", (error) => {
    const text = error?.stack ?? String(error);
    if (keep(text)) errors.page.push(text);
  });
  return errors;
}

/**
 * Imports `specifier` in the page and runs `fn(module, arg)` there; returns its (serializable)
 * result. `fn` is serialized, so it must not close over Node-side variables: pass them in `arg`.
 * @template A, R
 * @param {import("playwright-core").Page} page
 * @param {string} specifier e.g. "/js/index.js"
 * @param {(module: any, arg: A) => R | Promise<R>} fn
 * @param {A} [arg]
 * @returns {Promise<R>}
 */
export function evaluateModule(page, specifier, fn, arg) {
  return page.evaluate(
    async ({ specifier, source, arg }) => {
      const module = await import(specifier);
      // eslint-disable-next-line no-new-func
      const run = new Function(`return (${source});`)();
      return run(module, arg);
    },
    { specifier, source: fn.toString(), arg },
  );
}

/**
 * @typedef {object} TestBrowser
 * @property {import("playwright-core").BrowserContext} context
 * @property {import("playwright-core").Browser|null} browser null for a persistent context.
 * @property {string|undefined} userDataDir The profile dir of a persistent context.
 * @property {number|undefined} pid The Chromium browser process.
 * @property {(url?: string, options?: {ignore?: RegExp[]}) => Promise<import("playwright-core").Page & {errors: ReturnType<typeof collectErrors>}>} open
 *   A new page with `page.errors` collecting errors, navigated to `url` when given.
 * @property {() => Promise<{pid: number, ppid: number, type: string, cmdline: string[]}[]>} processes
 *   The browser's process tree.
 * @property {() => Promise<number[]>} rendererPids Renderers that can host pages (--type=renderer,
 *   without the headless UI's --top-chrome-webui one).
 * @property {() => Promise<void>} close Closes the browser and removes a temp profile; safe to call twice.
 */

/**
 * Launches a headless browser: Chromium (the default), or Firefox with `browser: "firefox"`
 * (tests/support/firefox.js; only `initScripts` applies to it).
 * @param {object} [options]
 * @param {"chromium"|"firefox"} [options.browser="chromium"]
 * @param {boolean} [options.persistent=true] A persistent context on a profile dir (kept across
 *   pages, so Cache API data survives a "reload" in a new page); false uses launch() +
 *   newContext() (Playwright's own temporary profile).
 * @param {string} [options.userDataDir] Profile dir for a persistent context; default: a fresh
 *   temp dir, removed by close(). A given dir is left in place.
 * @param {string[]} [options.initScripts] Sources added with context.addInitScript (e.g. the COS polyfill).
 * @param {string[]} [options.args] Extra Chromium flags.
 * @param {object} [options.contextOptions] Passed to newContext / launchPersistentContext (viewport, ...).
 * @returns {Promise<TestBrowser>}
 */
export async function launchBrowser({
  browser: name = "chromium",
  persistent = true,
  userDataDir,
  initScripts = [],
  args = [],
  contextOptions = {},
} = {}) {
  if (name === "firefox") {
    const { launchFirefox } = await import("./firefox.js");
    return launchFirefox({ initScripts });
  }
  if (name !== "chromium") throw new RangeError(`unknown browser ${name}: use chromium or firefox`);
  const ownDir = persistent && !userDataDir ? await mkdtemp(path.join(os.tmpdir(), "coc-profile-")) : undefined;
  const profile = userDataDir ?? ownDir;
  const launchOptions = { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...args] };
  const before = new Set((await chromiumChildren()).map((p) => p.pid));
  let browser = null;
  let context;
  try {
    if (persistent) {
      context = await chromium.launchPersistentContext(profile, { ...launchOptions, ...contextOptions });
    } else {
      browser = await chromium.launch(launchOptions);
      context = await browser.newContext(contextOptions);
    }
  } catch (error) {
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
    throw error;
  }
  const pid = (await chromiumChildren()).find((p) => !before.has(p.pid))?.pid;
  for (const source of initScripts) await context.addInitScript(source);

  let closing;
  const handle = {
    name: "chromium",
    context,
    browser,
    userDataDir: profile,
    pid,
    async open(url, options) {
      // A persistent context starts with one blank tab: use it for the first page.
      const blank = context.pages().find((p) => p.url() === "about:blank" && !p.errors);
      const page = blank ?? await context.newPage();
      page.errors = collectErrors(page, options);
      if (url) await page.goto(url);
      return page;
    },
    ...processQueries(pid, isPageRenderer),
    close() {
      closing ??= (async () => {
        try {
          await context.close();
        } catch {
          // already gone
        }
        try {
          await browser?.close();
        } catch {
          // already gone
        }
        if (ownDir) await rm(ownDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
  return handle;
}

/** MiB with one decimal, for reports. */
export const mib = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
