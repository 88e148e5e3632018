// What the benchmark ran on: CPU, cores, memory, OS, Node and Chromium versions.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

function cpuinfo() {
  try {
    return readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return "";
  }
}

/** The CPU model name from /proc/cpuinfo (os.cpus() where there is none). */
export function cpuModel() {
  const match = /^model name\s*:\s*(.+)$/m.exec(cpuinfo());
  return (match?.[1] ?? os.cpus()[0]?.model ?? "unknown CPU").trim();
}

/** Logical CPUs: "processor" entries of /proc/cpuinfo, and what this process may use. */
export function cpuCounts() {
  const listed = (cpuinfo().match(/^processor\s*:/gm) ?? []).length || os.cpus().length;
  const usable = typeof os.availableParallelism === "function" ? os.availableParallelism() : listed;
  return { listed, usable };
}

/** The version a Chromium binary reports with --version, or null. */
export function chromiumVersionOf(executablePath) {
  return new Promise((resolve) => {
    execFile(executablePath, ["--version"], { timeout: 15_000 }, (error, stdout) => {
      const match = /(\d+\.\d+\.\d+\.\d+)/.exec(String(stdout ?? ""));
      resolve(error && !match ? null : match?.[1] ?? null);
    });
  });
}

/** A description of this machine; pass the Chromium version when a browser was used. */
export function describeMachine({ chromium = null } = {}) {
  const { listed, usable } = cpuCounts();
  return {
    cpu: cpuModel(),
    cores: listed,
    coresUsable: usable,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    chromium,
  };
}

/** One line for a report: "Machine: AMD EPYC, 2 cores, 23.5 GiB, Linux … x64; Node v20…; Chromium …". */
export function machineLine(machine) {
  const cores = machine.coresUsable !== machine.cores ? `${machine.cores} cores (${machine.coresUsable} usable)` : `${machine.cores} cores`;
  const parts = [`${machine.cpu}, ${cores}, ${machine.memoryGiB} GiB RAM, ${machine.os}`, `Node ${machine.node} (V8 ${machine.v8})`];
  if (machine.chromium) parts.push(`Chromium ${machine.chromium}`);
  return `Machine: ${parts.join("; ")}`;
}
