// The README's web-llm worker (web-llm-readme.js says what differs from it: the import specifiers).
import { WebWorkerMLCEngineHandler } from "/web-llm-under-test/index.js";
import { installCrossOriginStorage } from "/js/index.js";

const cosReady = installCrossOriginStorage(); // the page's COS, with getFileHandle
const handler = new WebWorkerMLCEngineHandler();
self.onmessage = async (message) => {
  await cosReady; // web-llm looks for COS when it loads a model
  handler.onmessage(message);
};
