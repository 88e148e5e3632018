// Chromium's processes as Linux shows them in /proc: the process tree below the browser process,
// each process' Chromium --type=, and resident set sizes.
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";

async function procInfo(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").filter(Boolean).join(" ");
    return { pid, ppid, cmdline };
  } catch {
    return null; // gone meanwhile
  }
}

/** Every process now: [{pid, ppid, cmdline}] (cmdline joined with spaces). */
export async function listProcesses() {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
  return (await Promise.all(pids.map(procInfo))).filter(Boolean);
}

/** A Chromium process' --type= ("" for the browser process itself). */
export function chromiumType(cmdline) {
  return /(?:^|\s)--type=(\S+)/.exec(cmdline)?.[1] ?? "";
}

/** A renderer that can host web pages (not the headless shell's WebUI or an extension renderer). */
export function isPageRenderer(proc) {
  return chromiumType(proc.cmdline) === "renderer" && !/--top-chrome-webui|--extension-process/.test(proc.cmdline);
}

/** The processes below rootPid (not rootPid itself), each with its Chromium `type`. */
export async function processTree(rootPid) {
  const all = await listProcesses();
  const children = new Map();
  for (const proc of all) {
    if (!children.has(proc.ppid)) children.set(proc.ppid, []);
    children.get(proc.ppid).push(proc);
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

/** Chromium browser processes that are direct children of this Node process. */
export async function chromiumBrowserChildren() {
  const all = await listProcesses();
  return all.filter((proc) => proc.ppid === process.pid && /--remote-debugging-pipe/.test(proc.cmdline) && chromiumType(proc.cmdline) === "");
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
