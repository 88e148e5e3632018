// A dedicated module worker for web-llm.test.js: it has no navigator.crossOriginStorage of its own
// (its page exposes its COS with exposeCrossOriginStorage), runs web-llm-app.js on each message
// {id, command: "web-llm", arg} and posts {id, value} or {id, error}.
import { runWebLLM } from "/tests/browser/web-llm-app.js";

addEventListener("message", async ({ data }) => {
  if (!data || typeof data.id !== "number" || data.command !== "web-llm") return;
  try {
    postMessage({ id: data.id, value: await runWebLLM({ ...data.arg, worker: true }) });
  } catch (error) {
    postMessage({ id: data.id, error: String(error?.stack ?? error) });
  }
});
