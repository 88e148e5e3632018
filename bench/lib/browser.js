// Headless Chromium for the browser benchmarks: Debian's /usr/bin/chromium (never a downloaded
// browser) driven by playwright-core, in a fresh browser context, plus the static server that
// serves the repository to it.
import path from "node:path";
import { chromium } from "playwright-core";
import { startStaticServer } from "./server.js";
import { CHROMIUM_ARGS } from "../../tests/support/browser.js";

export const CHROMIUM_PATH = process.env.BENCH_CHROMIUM ?? "/usr/bin/chromium";

export { CHROMIUM_ARGS };

/**
 * Starts the static server on `root` and headless Chromium with a fresh context (playwright's
 * launch() profiles live in a new temporary folder it removes on close).
 * Returns {origin, version, server, newPage(), close()}; close() is safe to call more than once.
 */
export async function openBrowser({ root, executablePath = CHROMIUM_PATH, log = () => {} }) {
  const server = await startStaticServer({ root: path.resolve(root) });
  let browser;
  let context;
  let closing;
  const close = () => {
    closing ??= (async () => {
      try {
        await context?.close();
      } catch {
        // the browser may already be gone
      }
      try {
        await browser?.close();
      } finally {
        await server.close();
      }
    })();
    return closing;
  };
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext();
  } catch (error) {
    await close();
    throw error;
  }
  const version = browser.version();
  log(`chromium ${version} at ${executablePath}, serving ${server.origin}`);
  return {
    origin: server.origin,
    version,
    server,
    /** A new page whose errors and console errors are logged. */
    async newPage() {
      const page = await context.newPage();
      page.on("pageerror", (error) => log(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") log(`page console ${message.type()}: ${message.text()}`);
      });
      return page;
    },
    close,
  };
}
