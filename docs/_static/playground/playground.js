// The playground page: tabs of files, an editor, a kind selector, and pipespec's findings,
// computed by ./worker.js (Pyodide running pipespec) as the reader types.
//
// The page starts the worker only when there is something to check: when it opens with files
// in its fragment (a 「試す」 link), or when the reader first focuses or types in the editor.
// Findings are shown as text (textContent), never as HTML. A fragment is "#z=" and the
// base64url of the raw-deflate of {"f": [[name, text], ...], "a": active, "n": note}
// (docs/_ext/playground.py writes it). What a link carries is bounded as pipespec's input:
// inflated to the CLI's size limit for one file at most, and as many files as the engine
// checks together; a link past either, or not of that shape, opens nothing, with a note.
"use strict";

(() => {
  const root = document.getElementById("pipespec-playground");
  if (!root || !window.Worker) return;
  const script = document.currentScript || document.querySelector("script[src*='playground.js']");
  const workerUrl = new URL("worker.js", script.src);
  const rulesPage = root.dataset.rules;
  const maxBytes = Number(root.dataset.maxBytes);
  const maxFiles = Number(root.dataset.maxFiles);
  const $ = (id) => document.getElementById(id);
  const editor = $("pipespec-playground-input");
  const nameField = $("pipespec-playground-name");
  const kindField = $("pipespec-playground-kind");
  const langField = $("pipespec-playground-lang");
  const results = $("pipespec-playground-results");
  const detected = $("pipespec-playground-detected");
  const note = $("pipespec-playground-note");
  const tabs = root.querySelector(".pg-tabs");
  const status = root.querySelector(".pg-status-text");
  const bar = root.querySelector(".pg-progress");
  const gutter = root.querySelector(".pg-gutter");
  const numbersBox = gutter.querySelector("pre");
  const DEBOUNCE_MS = 250;
  //: engine starts that fail in a row (no check answered between them) before the page gives up
  const MAX_RESTARTS = 3;
  //: the longest link the page makes (docs/_ext/playground.py: MAX_URL)
  const MAX_LINK = Number(root.dataset.maxUrl);
  const NAMES = ["buildspec.yml", "appspec.yml", "taskdef.json", "imagedefinitions.json",
    "imageDetail.json", "pipeline.json", "deployment-group.json", "codebuild-project.json"];
  const SEVERITY = { error: "エラー", warning: "警告", info: "情報" };
  //: the longest file name a tab shows whole (the name field holds all of it)
  const TAB_CHARS = 60;

  // a file name as the page shows it: control and format characters (line breaks, bidi
  // overrides) spelled out as U+XXXX, so that a name is read as it is written
  const visible = (name) => name.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu,
    (c) => `[U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}]`);

  const state = {
    files: [{ name: "buildspec.yml", text: "", kind: "" }],
    active: 0,
    answer: null,
  };
  const engine = {
    worker: null, ready: false, startedAt: 0, restarts: 0, failures: 0,
    nextId: 1, inflight: null, latest: null, timer: null, watchdog: null,
    //: a check still running after this long is taken for a hung engine: stopped, not retried
    hungMs: 30000,
    //: a start with no step done for this long is said, with a button to start again (a
    //: slow connection may still finish it: it is not stopped unasked)
    stallMs: 20000, stall: null,
  };
  // for the browser tests: what the engine did, never used by the page itself
  window.pipespecPlayground = { engine, state, firstResultMs: null, fragments: 0 };

  // ---- the status line -----------------------------------------------------------------

  function say(text, step, of) {
    status.textContent = text;
    if (step) {
      bar.hidden = false;
      bar.max = of;
      bar.value = step;
    } else {
      bar.hidden = true;
    }
  }

  // ---- the engine ----------------------------------------------------------------------

  function startEngine() {
    if (engine.worker) return;
    engine.ready = false;
    engine.startedAt = performance.now();
    const worker = new Worker(workerUrl);
    engine.worker = worker;
    root.dataset.engine = "starting";
    say("検査エンジンを準備しています", 1, 4);
    watchStart(worker);
    worker.onmessage = (event) => receive(worker, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      crashed(worker, event.message || "エラー");
    };
    worker.onmessageerror = () => crashed(worker, "メッセージを読めません");
  }

  // A start that does not get to its next step: said in the note, with a button that
  // starts the engine again (what is being checked is sent to the new one when it is ready).
  // The next step, or the engine ready, takes the notice away (and only the notice: the
  // note may say something else by then).
  function watchStart(worker) {
    clearTimeout(engine.stall);
    unstall();
    engine.stall = setTimeout(() => {
      if (worker !== engine.worker || engine.ready) return;
      root.dataset.engine = "stalled";
      const again = document.createElement("button");
      again.type = "button";
      again.className = "pg-restart";
      again.textContent = "起動し直す";
      again.addEventListener("click", () => {
        if (worker !== engine.worker) return;
        worker.terminate();
        engine.worker = null;
        unstall();
        startEngine();
      });
      note.hidden = false;
      note.replaceChildren(
        `検査エンジンの準備が ${Math.round(engine.stallMs / 1000)} 秒進んでいません。回線が遅いか、ファイルの読み込みが止まっています。`,
        " ", again);
    }, engine.stallMs);
  }

  function unstall() {
    if (root.dataset.engine !== "stalled") return;
    root.dataset.engine = "starting";
    if (note.querySelector(".pg-restart")) note.hidden = true;
  }

  // The worker stopped ("crash"), pipespec raised over a check ("failed"), or a check took
  // longer than engine.hungMs ("hung"). A check that raised or hung is not sent again; one the
  // worker stopped over is sent once more, to a new worker. A check that stops the engine is
  // said in the results, and the engine starts again at the next edit.
  function crashed(worker, why, cause = "crash") {
    if (worker !== engine.worker) return;
    worker.terminate();
    clearTimeout(engine.watchdog);
    clearTimeout(engine.stall); // and the note is the crash's now
    const failed = engine.inflight;
    engine.worker = null;
    engine.inflight = null;
    engine.restarts += 1;
    root.dataset.engine = "crashed";
    note.hidden = false;
    const hung = cause === "hung";
    if (failed && (cause !== "crash" || failed.retried)) {
      engine.failures = 0; // the engine starts: this text stops it
      note.textContent = hung
        ? `検査が ${Math.round(engine.hungMs / 1000)} 秒で終わらなかったため、検査エンジンを止めました。`
        : `この内容を検査すると、検査エンジンが止まります (${why})。`;
      if (engine.latest === failed) {
        engine.latest = null;
        say("検査エンジンが止まっています");
        renderStopped(hung);
      } else if (engine.latest) {
        startEngine(); // a newer text waits for it
      }
      return;
    }
    engine.failures += 1;
    if (engine.failures > MAX_RESTARTS) {
      note.textContent = `検査エンジンが続けて止まったため、起動し直すのをやめました (${why})。ページを再読み込みしてください。`;
      say("検査エンジンが止まっています");
      return;
    }
    note.textContent = `検査エンジンが止まりました (${why})。起動し直して、もう一度検査します。`;
    startEngine();
    if (failed && engine.latest === failed) failed.retried = true; // sent again when ready
    else if (!engine.latest) schedule(0);
  }

  function receive(worker, message) {
    if (worker !== engine.worker) return;
    if (message.type === "progress") {
      watchStart(worker);
      say(`検査エンジンを準備しています: ${message.text} (${message.step}/${message.of})`,
        message.step + 1, message.of + 1);
    } else if (message.type === "ready") {
      clearTimeout(engine.stall);
      unstall();
      engine.ready = true;
      engine.steps = message.steps;
      root.dataset.engine = "ready";
      say(`検査エンジンの準備ができました (${(message.ms / 1000).toFixed(1)} 秒)`);
      send();
    } else if (message.type === "result") {
      clearTimeout(engine.watchdog);
      engine.failures = 0;
      const wasLatest = engine.inflight && engine.latest && engine.inflight.id === engine.latest.id;
      engine.inflight = null;
      if (wasLatest) {
        engine.latest = null;
        root.dataset.pending = "false";
        if (window.pipespecPlayground.firstResultMs === null)
          // from the page's navigation (performance's time origin) to the first findings
          window.pipespecPlayground.firstResultMs = Math.round(performance.now());
        say(`検査しました (${message.ms} ミリ秒)`);
        render(message.answer);
      }
      send();
    } else if (message.type === "failed") {
      crashed(worker, message.message, "failed");
    }
  }

  function request() {
    const files = state.files.map((f) => {
      const file = { name: f.name, kind: f.kind || null };
      if (f.oversize || f.text.length > maxBytes ||
        (f.text.length * 3 > maxBytes && utf8Length(f.text) > maxBytes))
        file.oversize = true; // not sent: pipespec reports the limit as for a file on disk
      else file.text = f.text;
      return file;
    });
    return { type: "check", id: engine.nextId++, lang: langField.value, files };
  }

  const utf8Length = (text) => new TextEncoder().encode(text).length;

  function schedule(delay) {
    clearTimeout(engine.timer);
    root.dataset.pending = "true"; // until the findings of what is in the editor are shown
    engine.latest = null; // the findings of an earlier text are not shown any more
    engine.timer = setTimeout(() => {
      if (state.files.every((f) => !f.text && !f.oversize)) {
        engine.latest = null;
        renderEmpty();
        return;
      }
      startEngine();
      engine.latest = request();
      send();
    }, delay);
  }

  function send() {
    if (!engine.worker || !engine.ready || engine.inflight || !engine.latest) return;
    engine.inflight = engine.latest;
    engine.worker.postMessage(engine.latest);
    const worker = engine.worker;
    clearTimeout(engine.watchdog);
    engine.watchdog = setTimeout(() => crashed(worker, "応答がありません", "hung"), engine.hungMs);
  }

  // ---- results -------------------------------------------------------------------------

  function renderEmpty() {
    state.answer = null;
    root.dataset.pending = "false";
    results.replaceChildren(paragraph("pg-summary", "ファイルの内容を入力すると、ここに検査結果が出ます。"));
    showDetected();
  }

  function renderStopped(hung) {
    state.answer = null;
    root.dataset.pending = "false";
    results.replaceChildren(paragraph("pg-summary pg-stopped", hung
      ? "この内容は、ブラウザーの中では時間内に検査できませんでした。手元の pipespec check で検査してください。内容を変えると、もう一度検査します。"
      : "この内容は、ブラウザーの中では検査できませんでした。手元の pipespec check で検査してください。内容を変えると、もう一度検査します。"));
  }

  function paragraph(cls, text) {
    const p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    return p;
  }

  function render(answer) {
    state.answer = answer;
    root.dataset.checked = String(Number(root.dataset.checked || 0) + 1);
    const out = [];
    if (answer.usage_error) {
      out.push(paragraph("pg-summary pg-usage", `検査できません: ${answer.usage_error}`));
      results.replaceChildren(...out);
      return;
    }
    const findings = answer.findings;
    if (!findings.length) {
      out.push(paragraph("pg-summary pg-clean", "問題は見つかりませんでした。"));
    } else {
      const infos = findings.length - answer.errors - answer.warnings;
      out.push(paragraph("pg-summary",
        `エラー ${answer.errors} 件、警告 ${answer.warnings} 件、情報 ${Math.max(infos, 0)} 件`));
    }
    if (answer.shellcheck_skipped) {
      out.push(paragraph("pg-shellcheck",
        "ShellCheck はブラウザーでは動かないため、buildspec のコマンドは ShellCheck では検査していません " +
        "(BS120 などの pipespec 自身のルールは検査しています)。手元の pipespec check では ShellCheck も使います。"));
    }
    if (findings.length) {
      const list = document.createElement("ul");
      list.className = "pg-findings";
      const many = state.files.length > 1;
      for (const f of findings) list.append(findingItem(f, many));
      out.push(list);
    }
    results.replaceChildren(...out);
    showDetected();
  }

  function findingItem(f, many) {
    const li = document.createElement("li");
    li.className = `pg-finding pg-${f.severity}`;
    Object.assign(li.dataset, { path: f.path, line: f.line, column: f.column, rule: f.rule,
      severity: f.severity });
    const severity = document.createElement("span");
    severity.className = "pg-severity";
    severity.textContent = SEVERITY[f.severity] || f.severity;
    const place = document.createElement("button");
    place.type = "button";
    place.className = "pg-place";
    place.textContent = `${many ? visible(f.path) + ":" : ""}${f.line}:${f.column}`;
    // the accessible name starts with the visible text (axe: label-content-name-mismatch)
    place.setAttribute("aria-label",
      `${place.textContent} (${visible(f.path)} の ${f.line} 行 ${f.column} 列へ移動)`);
    let rule;
    if (f.anchor) {
      rule = document.createElement("a");
      rule.href = `${rulesPage}#${f.anchor}`;
    } else {
      rule = document.createElement("span");
    }
    rule.className = "pg-rule";
    rule.textContent = f.rule;
    const text = document.createElement("span");
    text.className = "pg-message";
    text.textContent = f.message;
    li.append(severity, " ", place, " ", rule, " ", text);
    return li;
  }

  results.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    const li = event.target.closest("li.pg-finding");
    if (li) goTo(li.dataset.path, Number(li.dataset.line), Number(li.dataset.column));
  });

  function goTo(path, line, column) {
    const index = state.files.findIndex((f) => f.name === path);
    if (index >= 0 && index !== state.active) select(index);
    const text = editor.value;
    let offset = 0;
    for (let n = 1; n < line; n += 1) {
      const next = text.indexOf("\n", offset);
      if (next < 0) break;
      offset = next + 1;
    }
    // columns count characters (code points), as Python does; the editor counts UTF-16 units
    let units = 0;
    const lineEnd = text.indexOf("\n", offset) < 0 ? text.length : text.indexOf("\n", offset);
    for (const ch of text.slice(offset, lineEnd)) {
      if (column <= 1) break;
      units += ch.length;
      column -= 1;
    }
    editor.focus();
    editor.setSelectionRange(offset + units, offset + units);
    const height = parseFloat(getComputedStyle(editor).lineHeight) || 20;
    editor.scrollTop = Math.max(0, (line - 3) * height);
  }

  // ---- line numbers --------------------------------------------------------------------

  let lineCount = 1;
  function countLines() {
    let n = 1;
    for (let i = editor.value.indexOf("\n"); i >= 0; i = editor.value.indexOf("\n", i + 1)) n += 1;
    lineCount = n;
    drawGutter();
  }

  function drawGutter() {
    const height = parseFloat(getComputedStyle(editor).lineHeight) || 20;
    const first = Math.floor(editor.scrollTop / height);
    const last = Math.min(lineCount, first + Math.ceil(editor.clientHeight / height) + 1);
    const numbers = [];
    for (let n = first + 1; n <= last; n += 1) numbers.push(n);
    numbersBox.textContent = numbers.join("\n");
    gutter.style.width = `${String(lineCount).length + 2}ch`;
    gutter.style.height = `${editor.offsetHeight}px`;
    // the part of the first line in view that is scrolled out of it
    numbersBox.style.transform = `translateY(${-(editor.scrollTop - first * height)}px)`;
  }

  editor.addEventListener("scroll", drawGutter);
  new ResizeObserver(drawGutter).observe(editor);

  // ---- files and tabs ------------------------------------------------------------------

  function showDetected() {
    const f = state.files[state.active];
    if (f.kind) {
      detected.textContent = `${f.kind} として検査します。`;
      return;
    }
    const kinds = state.answer && state.answer.kinds;
    if (kinds && f.name in kinds) {
      detected.textContent = kinds[f.name]
        ? `ファイル名から ${kinds[f.name]} と判定しました。`
        : "ファイル名から種類を判定できません。種類を選んでください。";
    } else {
      detected.textContent = "";
    }
  }

  function drawTabs() {
    tabs.replaceChildren(...state.files.map((f, i) => {
      const tab = document.createElement("button");
      tab.type = "button";
      tab.className = "pg-tab";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", String(i === state.active));
      tab.setAttribute("aria-controls", editor.id);
      tab.tabIndex = i === state.active ? 0 : -1;
      const name = [...visible(f.name)];
      tab.textContent = !f.name ? "(名前なし)"
        : name.length > TAB_CHARS ? name.slice(0, TAB_CHARS - 1).join("") + "…" : name.join("");
      tab.addEventListener("click", () => select(i));
      return tab;
    }));
    root.querySelector(".pg-remove").disabled = state.files.length < 2;
  }

  tabs.addEventListener("keydown", (event) => {
    const n = state.files.length;
    const to = {
      ArrowRight: (state.active + 1) % n, ArrowLeft: (state.active - 1 + n) % n, Home: 0, End: n - 1,
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    select(to);
    tabs.children[state.active].focus();
  });

  function select(index) {
    state.active = index;
    const f = state.files[index];
    editor.value = f.text;
    countLines();
    nameField.value = f.name;
    kindField.value = f.kind || "";
    drawTabs();
    showDetected();
  }

  function load(files, active, kinds) {
    state.files = files.map(([name, text], i) => ({
      name, text: text || "", kind: (kinds && kinds[i]) || "",
    }));
    select(Math.min(Math.max(active || 0, 0), state.files.length - 1));
  }

  editor.addEventListener("focus", () => {
    if (!engine.worker) startEngine();
  });
  editor.addEventListener("input", () => {
    state.files[state.active].text = editor.value;
    state.files[state.active].oversize = 0;
    countLines();
    schedule(DEBOUNCE_MS);
  });
  // A paste that makes the file larger than pipespec reads (maxBytes) is not put into the
  // editor (a textarea takes tens of seconds over ten megabytes, the tab frozen meanwhile):
  // the file is checked as that large, which gives the CLI's finding for it.
  editor.addEventListener("paste", (event) => {
    const pasted = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
    const kept = editor.value.slice(0, editor.selectionStart) + editor.value.slice(editor.selectionEnd);
    if ((pasted.length + kept.length) * 3 <= maxBytes) return;
    const size = utf8Length(kept) + utf8Length(pasted);
    if (size <= maxBytes) return;
    event.preventDefault();
    const f = state.files[state.active];
    f.text = "";
    f.oversize = size;
    select(state.active);
    note.hidden = false;
    note.textContent = `貼り付けると ${f.name} は ${size.toLocaleString("ja-JP")} バイトになり、pipespec が読む上限 (${maxBytes.toLocaleString("ja-JP")} バイト) を超えるため、エディタには入れていません。検査結果はその大きさのファイルのものです。`;
    schedule(0);
  });
  nameField.addEventListener("input", () => {
    state.files[state.active].name = nameField.value;
    drawTabs();
    schedule(DEBOUNCE_MS);
  });
  kindField.addEventListener("change", () => {
    state.files[state.active].kind = kindField.value;
    showDetected();
    schedule(0);
  });
  langField.addEventListener("change", () => schedule(0));
  root.querySelector(".pg-add").addEventListener("click", () => {
    const used = new Set(state.files.map((f) => f.name));
    const name = NAMES.find((n) => !used.has(n)) || `file-${state.files.length + 1}.yml`;
    state.files.push({ name, text: "", kind: "" });
    select(state.files.length - 1);
    editor.focus();
  });
  root.querySelector(".pg-remove").addEventListener("click", () => {
    if (state.files.length < 2) return;
    state.files.splice(state.active, 1);
    select(Math.min(state.active, state.files.length - 1));
    schedule(0);
  });

  // ---- the fragment --------------------------------------------------------------------

  class TooLarge extends Error {}

  // The fragment's JSON, inflated up to maxBytes (the CLI's limit for one file): a link of a
  // few hundred kilobytes can inflate to gigabytes, and it stops there.
  async function decode(hash) {
    const body = hash.slice("#z=".length).replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(body + "=".repeat((4 - (body.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    const reader = stream.getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        reader.cancel().catch(() => {});
        throw new TooLarge();
      }
      chunks.push(value);
    }
    return JSON.parse(await new Blob(chunks).text());
  }

  // [[name, text or null], ...] of a decoded fragment, its active tab and its kinds, or null
  // when it is not what docs/_ext/playground.py and encode() write
  function files(data) {
    const f = data && data.f;
    const pair = (p) => Array.isArray(p) && p.length === 2 && typeof p[0] === "string" &&
      (typeof p[1] === "string" || p[1] === null);
    if (!Array.isArray(f) || !f.length || !f.every(pair)) return null;
    const known = new Set([...kindField.options].map((o) => o.value));
    const k = Array.isArray(data.k) && data.k.length === f.length ? data.k : [];
    return {
      files: f,
      active: Number.isInteger(data.a) && data.a >= 0 && data.a < f.length ? data.a : 0,
      kinds: f.map((_, i) => (typeof k[i] === "string" && known.has(k[i]) ? k[i] : "")),
    };
  }

  async function encode() {
    const data = { f: state.files.map((f) => [f.name, f.text]), a: state.active };
    if (state.files.some((f) => f.kind)) data.k = state.files.map((f) => f.kind || null);
    const stream = new Blob([JSON.stringify(data)]).stream()
      .pipeThrough(new CompressionStream("deflate-raw"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000)
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return "z=" + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  root.querySelector(".pg-share").addEventListener("click", async () => {
    note.hidden = false;
    if (state.files.some((f) => f.oversize || f.text.length > MAX_LINK)) {
      note.textContent = "ファイルが大きすぎてリンクに収まりません。";
      return;
    }
    const fragment = await encode();
    const url = new URL(`#${fragment}`, location.href).href;
    if (url.length > MAX_LINK) {
      note.textContent = `リンクが長すぎます (${url.length} 文字)。ファイルを小さくしてください。`;
      return;
    }
    history.replaceState(null, "", url);
    try {
      await navigator.clipboard.writeText(url);
      note.textContent = "この内容を開くリンクをコピーしました。アドレスバーの URL も同じリンクです。";
    } catch (error) {
      note.textContent = "アドレスバーの URL が、この内容を開くリンクになりました。";
    }
  });

  let opening = 0; // the fragment opened last: one decoded after it is not shown over it

  async function fromFragment() {
    if (!location.hash.startsWith("#z=")) return false;
    const mine = ++opening;
    let data;
    let problem = null;
    try {
      data = await decode(location.hash);
    } catch (error) {
      problem = error instanceof TooLarge
        ? `リンクの内容が大きすぎるため、開きませんでした (展開すると ${maxBytes / 1024 / 1024} MB を超えます)。`
        : "リンクに含まれるファイルを読めませんでした。リンクが途中で切れていないか確かめてください。";
    }
    const opened = problem ? null : files(data);
    if (!problem && !opened)
      problem = "リンクに含まれるファイルを読めませんでした。リンクが途中で切れていないか確かめてください。";
    else if (opened && opened.files.length > maxFiles)
      problem = `リンクに含まれるファイルが多すぎるため、開きませんでした (${opened.files.length} 個、開けるのは ${maxFiles} 個まで)。`;
    window.pipespecPlayground.fragments += 1;
    if (mine !== opening) return false;
    if (problem) {
      note.hidden = false;
      note.textContent = problem;
      return false;
    }
    load(opened.files, opened.active, opened.kinds);
    note.hidden = data.n !== "too-long";
    if (data.n === "too-long")
      note.textContent = "この例は大きくてリンクに収まらないため、ファイル名だけを開きました。例のページからファイルの内容をコピーして貼り付けてください。";
    schedule(0);
    return true;
  }

  window.addEventListener("hashchange", fromFragment);
  drawTabs();
  fromFragment().then((opened) => {
    if (!opened) renderEmpty();
  });
})();
