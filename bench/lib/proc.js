// Chromium's processes as Linux shows them in /proc. The process tree and --type= helpers are the
// browser tests' own (tests/support/browser.js); the benchmarks add a synchronous RSS read for the
// sampler thread and the lookup of the browser processes this Node process started.
import { readFileSync } from "node:fs";
import { chromiumType, isPageRenderer, listProcesses, processTree } from "../../tests/support/browser.js";

export { chromiumType, isPageRenderer, listProcesses, processTree };

/** Chromium browser processes that are direct children of this Node process. */
export async function chromiumBrowserChildren() {
  const all = await listProcesses();
  return all.filter((proc) => proc.ppid === process.pid && /--remote-debugging-pipe/.test(proc.cmdline.join(" ")) && chromiumType(proc.cmdline) === "");
}

/** VmRSS of a process in bytes (synchronous, for the sampler), or undefined when it is gone. */
export function rssBytesSync(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
