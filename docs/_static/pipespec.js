// pipespec: small fixes to the site's copy buttons and tabs. Loaded after copybutton.js
// and tabs.js (docs/_ext/site_publish.py), from the site itself.
(() => {
  "use strict";

  // Copy buttons. sphinx-copybutton drops the final newline of what it copies, so that a
  // pasted command does not run at once. Right for a shell command, wrong for a file: the
  // copy button of a configuration file copies the file exactly, final newline included.
  // copybutton.js keeps its text function private and hands it to `new ClipboardJS(...)`
  // when the page has loaded, so wrap that function there.
  const SHELL = /\bhighlight-(bash|console|sh|shell|shell-session|zsh|ps1|powershell|doscon)\b/;
  const exact = (trigger, text) => {
    const selector = trigger.getAttribute("data-clipboard-target");
    const target = selector && document.querySelector(selector);
    const block = target && target.closest('div[class*="highlight-"]');
    if (!block || SHELL.test(block.className)) return text;
    return target.textContent.endsWith("\n") && !text.endsWith("\n") ? `${text}\n` : text;
  };
  if (typeof window.ClipboardJS === "function") {
    const ClipboardJS = window.ClipboardJS;
    window.ClipboardJS = class extends ClipboardJS {
      constructor(selector, options = {}) {
        const text = options.text;
        super(
          selector,
          typeof text === "function"
            ? { ...options, text: (trigger) => exact(trigger, text(trigger)) }
            : options,
        );
      }
    };
  }

  // Tabs. sphinx-tabs remembers only the last group tab clicked, for the browser session:
  // choosing an artifact on one page forgets the platform chosen on another. Remember every
  // choice (the latest wins within a tab set), across visits.
  const KEY = "pipespec-tabs";
  const load = () => {
    try {
      const names = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(names) ? names.filter((n) => typeof n === "string") : [];
    } catch (e) {
      return [];
    }
  };
  const save = (names) => {
    try {
      localStorage.setItem(KEY, JSON.stringify(names.slice(-20)));
    } catch (e) {
      // storage disabled: tabs still work, they are only not remembered
    }
  };
  document.addEventListener(
    "click",
    (event) => {
      const tab = event.target.closest && event.target.closest(".sphinx-tabs-tab.group-tab");
      if (!tab) return;
      const name = tab.getAttribute("name");
      save([...load().filter((n) => n !== name), name]);
    },
    true,
  );
  const restore = () => {
    if (typeof selectNamedTabs !== "function") return;
    for (const name of load())
      if (document.querySelector(`.sphinx-tabs-tab[name="${CSS.escape(name)}"]`))
        selectNamedTabs(name);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
  else restore();
})();

// Tables wider than the page scroll sideways inside furo's .table-wrapper. A region that
// scrolls must be reachable from the keyboard (WCAG 2.1.1): such a wrapper is focusable,
// and named after its table's caption.
(() => {
  "use strict";
  const mark = () => {
    for (const wrapper of document.querySelectorAll(".table-wrapper")) {
      const scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
      if (scrolls && !wrapper.hasAttribute("tabindex")) {
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "region");
        const caption = wrapper.querySelector("caption");
        wrapper.setAttribute("aria-label", caption ? caption.textContent.trim() : "table");
      } else if (!scrolls && wrapper.getAttribute("tabindex") === "0") {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
      }
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  window.addEventListener("resize", mark);
})();
