// The README's web-llm snippets as web-llm.test.js runs them (not a test file). Only what a test
// must supply differs from the README: the import specifiers ("@mlc-ai/web-llm" is the bundle
// under test, "cross-origin-cache" is /js/index.js) and appConfig/modelId (the README's come from
// prebuiltAppConfig); each body below is the README's text.
import { CreateMLCEngine, CreateWebWorkerMLCEngine } from "/web-llm-under-test/index.js";
import { exposeCrossOriginStorage, prepareWebLLMModel } from "/js/index.js";

export async function mainThread(appConfig, modelId) {
  await prepareWebLLMModel(appConfig.model_list.find((m) => m.model_id === modelId), {
    onProgress: ({ loaded, total }) => console.log(`${loaded} of ${total} bytes`),
  });
  const engine = await CreateMLCEngine(modelId, { appConfig });
  return engine;
}

export async function inWorker(appConfig, modelId) {
  const worker = new Worker(new URL("./web-llm-readme-worker.js", import.meta.url), { type: "module" });
  exposeCrossOriginStorage(worker); // before web-llm's own listener
  await prepareWebLLMModel(appConfig.model_list.find((m) => m.model_id === modelId));
  const engine = await CreateWebWorkerMLCEngine(worker, modelId, { appConfig });
  return engine;
}
