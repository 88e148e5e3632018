// The README's "Use" section as code: each heading with its ```js blocks, verbatim, for
// readme-snippets.test.js (not a test file: node --test picks only *.test.js).

/**
 * The headings of the `## Use` section (the section heading itself first, then each `###`), each
 * with the text of its ```js fenced blocks in order. The section ends at the next `## ` heading.
 * @param {string} markdown README.md's text
 * @returns {{heading: string, blocks: string[]}[]}
 */
export function useSectionBlocks(markdown) {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line === "## Use");
  if (start < 0) throw new Error("README.md has no '## Use' heading");
  const sections = [{ heading: "Use", blocks: [] }];
  let block = null;
  for (const line of lines.slice(start + 1)) {
    if (block) {
      if (line.startsWith("```")) {
        sections.at(-1).blocks.push(block.join("\n") + "\n");
        block = null;
      } else {
        block.push(line);
      }
      continue;
    }
    if (line.startsWith("## ")) break;
    if (line.startsWith("### ")) sections.push({ heading: line.slice(4).trim(), blocks: [] });
    else if (line === "```js") block = [];
  }
  if (block) throw new Error("README.md: a ```js block in the Use section is not closed");
  return sections;
}

/** Where a block runs: its first line says `// page` or `// worker.js ...`; otherwise a page module. */
export function blockRole(text) {
  const first = text.split("\n", 1)[0];
  if (/^\/\/ worker\.js\b/.test(first)) return "worker";
  return "page";
}

// A static import or re-export's module specifier: `import ... from "x"`, `import "x"`, `export ... from "x"`.
const IMPORT_SPECIFIER = /^(\s*(?:import|export)\b[^;"']*?(?:\bfrom\s*)?)(["'])([^"']+)\2/gm;

/** The bare module specifiers a block imports, in order. */
export function importSpecifiers(text) {
  return [...text.matchAll(IMPORT_SPECIFIER)].map((match) => match[3]);
}

/**
 * The block with each static import's specifier replaced by `map[specifier]` (a module worker has
 * no import map); nothing else of the text changes. Throws on a specifier the map lacks.
 * @param {string} text
 * @param {Record<string, string>} map
 */
export function rewriteImportSpecifiers(text, map) {
  return text.replace(IMPORT_SPECIFIER, (whole, head, quote, specifier) => {
    if (!(specifier in map)) throw new Error(`no mapping for the import of "${specifier}"`);
    return `${head}${quote}${map[specifier]}${quote}`;
  });
}
