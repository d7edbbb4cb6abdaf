// The playground's engine: Pyodide (Python in WebAssembly) running pipespec, in a Web Worker,
// so that the page never waits for it. Everything comes from this site: Pyodide's files from
// ./pyodide/, pipespec's and PyYAML's wheels from ./wheels/ (listed in ./engine.json, which
// the site's build writes). docs/_ext/playground.py puts them there.
//
// Messages from the page: {type: "check", id, lang, files: [{name, text, kind, oversize}]}.
// Messages to the page: {type: "progress", step, of, text}, {type: "ready", ms},
// {type: "result", id, ms, answer} (pipespec.browser.check_json's answer) and
// {type: "failed", id, message} (the check raised: the page restarts the worker).
"use strict";

const here = new URL("./", self.location.href);

const began = performance.now();
//: milliseconds from the worker's start to the end of each step (the page records them)
const steps = {};
const mark = (name) => {
  steps[name] = Math.round(performance.now() - began);
};
const progress = (step, of, text) => self.postMessage({ type: "progress", step, of, text });

async function bytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

async function start() {
  progress(1, 3, "Python (Pyodide) を読み込んでいます");
  importScripts(new URL("pyodide/pyodide.js", here).href);
  const manifest = await (await fetch(new URL("engine.json", here))).json();
  const pyodide = await self.loadPyodide({
    indexURL: new URL("pyodide/", here).href,
    fullStdLib: false,
    stdout: () => {},
    stderr: () => {},
  });
  mark("python");
  progress(2, 3, "pipespec を準備しています");
  const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
  const wheels = await Promise.all(
    manifest.wheels.map((name) => bytes(new URL(`wheels/${name}`, here))),
  );
  wheels.forEach((buffer) => pyodide.unpackArchive(buffer, "wheel", { extractDir: site }));
  mark("wheels");
  const module = pyodide.pyimport("pipespec.browser");
  mark("import");
  const checkJson = module.check_json;
  // the first check imports the rules and the schemas: done now, not at the first keystroke
  progress(3, 3, "検査ルールを読み込んでいます");
  checkJson(JSON.stringify({ files: [{ name: "buildspec.yml", text: "version: 0.2\n" }] }));
  mark("rules");
  self.postMessage({ type: "ready", ms: Math.round(performance.now() - began), steps });
  return checkJson;
}

const engine = start();
engine.catch((error) => {
  // the page sees the worker's error event and reports it; rethrown so that it does
  setTimeout(() => {
    throw error;
  });
});

self.onmessage = async (event) => {
  const request = event.data;
  if (!request || request.type !== "check") return;
  const checkJson = await engine;
  const began = performance.now();
  try {
    const answer = JSON.parse(checkJson(JSON.stringify({ files: request.files, lang: request.lang })));
    self.postMessage({
      type: "result",
      id: request.id,
      ms: Math.round(performance.now() - began),
      answer,
    });
  } catch (error) {
    self.postMessage({ type: "failed", id: request.id, message: String(error && error.message || error) });
  }
};
