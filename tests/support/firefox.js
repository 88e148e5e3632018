/**
 * Debian's Firefox ESR for the real-browser tests, driven by puppeteer-core over WebDriver BiDi
 * (Playwright cannot drive a stock Firefox). It offers the same small handle as launchBrowser()
 * does for Chromium: open(url) → a page with `errors`, processes(), rendererPids(), close().
 * Pages are puppeteer Pages: evaluate(fn, arg), goto, url, close work as the tests use them.
 * @module
 */

import puppeteer from "puppeteer-core";
import { collectErrors, processQueries } from "./browser.js";

/** Debian's Firefox ESR; override with FIREFOX_PATH. */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";

/**
 * The type of a Firefox child process ("tab", "socket", "rdd", "utility", ...): its last argument.
 * Firefox, like Chromium, rewrites a child's argv into one space-separated string.
 */
export function firefoxProcessType(proc) {
  const line = proc.cmdline.join(" ");
  return / -contentproc /.test(` ${line} `) ? (/\s(\S+)$/.exec(line)?.[1] ?? "") : "";
}

/** A Firefox content process that hosts web pages. */
export const isFirefoxPageProcess = (proc) => firefoxProcessType(proc) === "tab";

/**
 * Launches headless Firefox with a fresh profile (removed by puppeteer on close); every page gets
 * `initScripts` before its own scripts run.
 * @param {{initScripts?: string[]}} [options]
 */
export async function launchFirefox({ initScripts = [] } = {}) {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX_PATH,
    headless: true,
    protocol: "webDriverBiDi",
  });
  const pid = browser.process()?.pid;
  let closing;
  const handle = {
    name: "firefox",
    context: null,
    browser,
    pid,
    async open(url, options) {
      const page = await browser.newPage();
      for (const source of initScripts) await page.evaluateOnNewDocument(source);
      page.errors = collectErrors(page, options);
      if (url) await page.goto(url);
      return page;
    },
    ...processQueries(pid, isFirefoxPageProcess),
    close() {
      closing ??= browser.close().catch(() => {});
      return closing;
    },
  };
  return handle;
}
