// Runs a child process for the client tests and always cleans it up: output is collected, a
// timeout kills the child's whole process group (it is started detached for that), and a test's
// `t.after` can call `stop()` for long-running children such as servers.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Path of a locally installed package's bin script (e.g. binPath("typescript", "bin/tsc")). */
export function binPath(pkg, relative) {
  return path.join(REPO_ROOT, "node_modules", pkg, relative);
}

function killGroup(child, signal = "SIGKILL") {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try { child.kill(signal); } catch { /* gone */ }
  }
}

/**
 * Runs `command args` to completion. Resolves {code, signal, stdout, stderr, timedOut}; never
 * rejects for a non-zero exit.
 */
export function run(command, args, { cwd = REPO_ROOT, env, timeoutMs = 120_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      detached: true,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk) => { stdout += chunk; });
    child.stderr.setEncoding("utf8").on("data", (chunk) => { stderr += chunk; });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      killGroup(child); // grandchildren left in the group
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs node with the given arguments (same binary as the test runner). */
export function runNode(args, options) {
  return run(process.execPath, args, options);
}

/** Formats a finished run for an assertion message. */
export function describeRun(result) {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ""}${result.timedOut ? " after timeout" : ""}\n` +
    `--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}
