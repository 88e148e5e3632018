// Serves the README's Use snippets as they are, for readme-snippets.test.js (not a test file): each
// snippet gets a folder with an HTML page carrying an import map, its page block as page.js and its
// worker block as worker.js (the page blocks create "./worker.js"); and routes send the
// README's https://huggingface.co URLs to the local hub (and onnxruntime-web's CDN files, which
// transformers.js fetches by default, to the installed package).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { REPO_ROOT } from "../support/browser.js";
import { rewriteImportSpecifiers } from "./readme-blocks.js";

/** What each bare specifier the README imports is, on the test site. */
export const MODULES = {
  "cross-origin-cache": "/js/index.js",
  "@huggingface/transformers": "/node_modules/@huggingface/transformers/dist/transformers.js",
  "@wllama/wllama": "/node_modules/@wllama/wllama/esm/index.js",
  "@mlc-ai/web-runtime": "/tests/browser/readme-tvmjs-module.js",
  "@mlc-ai/web-llm": "/node_modules/@mlc-ai/web-llm/lib/index.js",
};

/** The global the prelude reads a snippet's free variables from (set by the test before the import). */
export const FREE_VARIABLES_GLOBAL = "readmeFreeVariables";

/** The one line added before a block: its free variables, taken from the test's global. */
export function prelude(freeVariables) {
  return freeVariables.length ? `const { ${freeVariables.join(", ")} } = globalThis.${FREE_VARIABLES_GLOBAL};\n` : "";
}

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports: MODULES })}</script>
<title>a README snippet</title>
</head>
<body></body>
</html>
`;

/**
 * Writes `dir/<slug>/` with index.html (the import map), page.js (the prelude, then the page block
 * verbatim) and, with a worker block, worker.js (the block with its import specifiers mapped, since
 * import maps do not reach module workers). Returns the folder's URL path.
 * @param {string} dir served at "/readme/"
 * @param {{slug: string, page: string, freeVariables?: string[], worker?: string}} snippet
 */
export async function writeSnippet(dir, { slug, page, freeVariables = [], worker }) {
  const folder = path.join(dir, slug);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, "index.html"), html);
  await writeFile(path.join(folder, "page.js"), prelude(freeVariables) + page);
  if (worker !== undefined) await writeFile(path.join(folder, "worker.js"), rewriteImportSpecifiers(worker, MODULES));
  return `/readme/${slug}/`;
}

const HUB = "https://huggingface.co/";
const ORT_CDN = /^https:\/\/cdn\.jsdelivr\.net\/npm\/onnxruntime-web@[^/]+\/dist\/([\w.-]+)$/;
const ortFile = (file) => ({
  path: path.join(REPO_ROOT, "node_modules/onnxruntime-web/dist", file),
  contentType: file.endsWith(".wasm") ? "application/wasm" : "text/javascript",
});

/**
 * Sends every https://huggingface.co request of the browser's pages and workers to `hub` (which
 * counts it), and onnxruntime-web's jsDelivr files to the installed package's dist/. Chromium:
 * Playwright's context routes. Firefox: puppeteer's request interception (WebDriver BiDi), set
 * on each page `browser.open()` gives before it navigates.
 * @param {import("../support/browser.js").TestBrowser} browser
 */
export async function routeToLocal(browser, hub) {
  if (browser.name === "chromium") {
    await browser.context.route(`${HUB}**`, async (route) => {
      const { pathname, search } = new URL(route.request().url());
      const response = await route.fetch({ url: `${hub.url}${pathname}${search}` });
      await route.fulfill({ response });
    });
    await browser.context.route(ORT_CDN, async (route) => {
      const { path: file, contentType } = ortFile(ORT_CDN.exec(route.request().url())[1]);
      await route.fulfill({ path: file, contentType, headers: { "Access-Control-Allow-Origin": "*" } });
    });
    return;
  }
  const open = browser.open.bind(browser);
  browser.open = async (url, options) => {
    const page = await open(undefined, options);
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      answerInFirefox(request, hub).catch(() => request.abort().catch(() => {}));  // the page sees a network error
    });
    if (url) await page.goto(url);
    return page;
  };
}

// puppeteer over BiDi cannot read a request body (postData throws): only GET and HEAD are answered.
const hasBody = (request) => !["GET", "HEAD"].includes(request.method());
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"]);

async function answerInFirefox(request, hub) {
  const url = request.url();
  if (url.startsWith(HUB)) {
    const { pathname, search } = new URL(url);
    const headers = Object.fromEntries(Object.entries(request.headers()).filter(([name]) => !["host", "origin", "referer"].includes(name.toLowerCase())));
    const response = await fetch(`${hub.url}${pathname}${search}`, { method: request.method(), headers, body: hasBody(request) ? request.postData() : undefined });
    // Hop-by-hop headers describe the hub's connection, not this answer.
    const answer = Object.fromEntries([...response.headers].filter(([name]) => !HOP_BY_HOP.has(name)));
    await request.respond({ status: response.status, headers: answer, body: Buffer.from(await response.arrayBuffer()) });
    return;
  }
  const cdn = ORT_CDN.exec(url);
  if (cdn) {
    const { path: file, contentType } = ortFile(cdn[1]);
    await request.respond({ status: 200, contentType, headers: { "access-control-allow-origin": "*" }, body: await readFile(file) });
    return;
  }
  await request.continue();
}
