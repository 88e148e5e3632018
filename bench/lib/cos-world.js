// The setting of the Cross-Origin Storage benchmarks (store, warm, cold): the local hub of the
// tests (local-hub/, which also serves the repository as static files, so the
// page, /js/ and tvmjs come from the hub's origin), the shared COS backend
// (tests/support/cos-page-backend.js, on a thread of its own) and a headless Chromium on a
// persistent profile whose pages get `navigator.crossOriginStorage` from the polyfill
// (tests/support/cos-page-polyfill.js): the same COS manager for every candidate.
//
// Chromium is Debian's (bench/lib/browser.js's CHROMIUM_PATH and flags), driven by playwright-core.
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { startHub } from "../../local-hub/index.js";
import { cosInitScript } from "../../tests/support/cos-page-polyfill.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./browser.js";
import { startCosBackendThread } from "./cos-backend-thread.js";
import { chromiumBrowserChildren, isPageRenderer, processTree, rssBytesSync } from "./proc.js";

export const COS_PAGE = "/bench/page/cos.html";
export const TVMJS_PACKAGE = "node_modules/@mlc-ai/web-runtime/package.json";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts hub + COS backend + Chromium (`cos: false`: no COS backend and no polyfill, as almost
 * every visitor has today). Returns
 * {hub, cos (getter: the current backend), version, browserPid, context, openPage(), resetCos(),
 *  pageRenderers(), close()}.
 */
export async function openCosWorld({ root, log = () => {}, hubOptions = {}, cos: withCos = true }) {
  const hub = await startHub({ shards: 1, shardSize: 1024, ...hubOptions, static: [{ prefix: "/", dir: path.resolve(root) }] });
  let cos;
  let context;
  let profile;
  let closing;
  // On an abrupt exit (Ctrl-C: bench/run.js exits after closing only its own browser), at least
  // remove the temporary profile and the COS backend's spool directory.
  const onExit = () => {
    for (const dir of [profile, cos?.dir]) {
      try {
        if (dir) rmSync(dir, { recursive: true, force: true });
      } catch {
        // Chromium may still be writing into it
      }
    }
  };
  process.once("exit", onExit);
  const close = () => {
    closing ??= (async () => {
      process.off("exit", onExit);
      try {
        await context?.close();
      } catch {
        // the browser may already be gone
      }
      await cos?.close().catch(() => {});
      await hub.close().catch(() => {});
      if (profile) await rm(profile, { recursive: true, force: true });
    })();
    return closing;
  };
  let browserPid;
  try {
    if (withCos) cos = await startCosBackendThread();
    profile = await mkdtemp(path.join(os.tmpdir(), "coc-bench-profile-"));
    const before = new Set((await chromiumBrowserChildren()).map((proc) => proc.pid));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    browserPid = (await chromiumBrowserChildren()).find((proc) => !before.has(proc.pid))?.pid;
    if (!browserPid) throw new Error("could not find the Chromium browser process among this process' children");
    if (withCos) await context.addInitScript(cosInitScript({ backend: cos.url }));
  } catch (error) {
    await close();
    throw error;
  }
  const version = context.browser()?.version() ?? null;
  log(`chromium ${version ?? ""} (pid ${browserPid}) on a persistent profile; hub ${hub.url}; ${cos ? `COS backend ${cos.url}` : "no COS"}`);

  const pageRenderers = async () => (await processTree(browserPid)).filter(isPageRenderer);

  /**
   * Finds the renderer process hosting `page`: among the page renderers (Chromium keeps a spare
   * renderer ready, and a navigation may take it, so "the new process" is not a reliable answer),
   * the one whose RSS grows while the page fills a 64 MiB array it then drops (and a forced
   * garbage collection frees: large ArrayBuffers are unmapped when collected).
   */
  async function findRenderer(page, collectGarbage) {
    const candidates = await pageRenderers();
    if (candidates.length === 0) throw new Error("no page renderer process found");
    if (candidates.length === 1) return { pid: candidates[0].pid, how: "the only page renderer" };
    const rssBefore = new Map(candidates.map((proc) => [proc.pid, rssBytesSync(proc.pid) ?? 0]));
    await page.evaluate(() => {
      window.__rendererProbe = new Uint8Array(64 << 20).fill(7);
    });
    await sleep(50);
    const growth = candidates.map((proc) => ({ pid: proc.pid, grew: (rssBytesSync(proc.pid) ?? 0) - rssBefore.get(proc.pid) }));
    growth.sort((a, b) => b.grew - a.grew);
    await page.evaluate(() => {
      delete window.__rendererProbe;
    });
    await collectGarbage();
    if (growth[0].grew < 32 << 20) throw new Error(`no renderer grew by 32 MiB while the page filled 64 MiB: ${JSON.stringify(growth)}`);
    return { pid: growth[0].pid, how: `RSS probe among ${candidates.length} page renderers` };
  }

  return {
    hub,
    get cos() {
      return cos;
    },
    version,
    browserPid,
    context,
    pageRenderers,
    /**
     * A new page (a "reload": same profile) on `pathname` of the hub's origin, once `ready`
     * (a predicate source evaluated in the page) holds. Returns {page, rendererPid, rendererHow,
     * errors, devtools (a CDP session), collectGarbage()}.
     */
    async openPage(pathname = COS_PAGE, { ready = "window.cosBench !== undefined" } = {}) {
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (error) => {
        errors.push(error.message);
        log(`page error: ${error.message}`);
      });
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") log(`page console ${message.type()}: ${message.text()}`);
      });
      const response = await page.goto(`${hub.url}${pathname}`);
      if (!response?.ok()) throw new Error(`${pathname} answered ${response?.status()}`);
      // A module that fails to load (a page error) fails this at once instead of after the timeout.
      let pageFailed;
      const failed = new Promise((_, reject) => {
        pageFailed = (error) => reject(new Error(`${pathname} failed to load: ${error.message}`));
        page.once("pageerror", pageFailed);
      });
      failed.catch(() => {});
      try {
        await Promise.race([page.waitForFunction(ready, null, { timeout: 60_000 }), failed]);
      } finally {
        page.off("pageerror", pageFailed);
      }
      const devtools = await context.newCDPSession(page);
      const collectGarbage = () => devtools.send("HeapProfiler.collectGarbage");
      const renderer = await findRenderer(page, collectGarbage);
      return { page, rendererPid: renderer.pid, rendererHow: renderer.how, errors, devtools, collectGarbage };
    },
    /** A fresh COS backend (nothing stored) on the same port, so the pages' polyfill still reaches it. */
    async resetCos() {
      const port = cos.port;
      await cos.close();
      cos = undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          cos = await startCosBackendThread({ port });
          return cos;
        } catch (error) {
          if (error?.code !== "EADDRINUSE" || attempt >= 50) throw error;
          await sleep(100);
        }
      }
    },
    close,
  };
}

/** Closes every page of the context except those given (a reload starts from one page). */
export async function closePages(context, keep = []) {
  for (const page of context.pages()) {
    if (!keep.includes(page)) await page.close().catch(() => {});
  }
}
