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

// Clock ticks per second of /proc/<pid>/stat times: USER_HZ, 100 on every Linux we run on.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, or 0 when it is gone. */
export function cpuSecondsSync(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
