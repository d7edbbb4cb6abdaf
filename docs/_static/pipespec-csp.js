// Sphinx's Documentation.addTranslations compiles the catalogue's plural rule with
// `new Function`, which the site's Content-Security-Policy forbids (no 'unsafe-eval').
// The same function without eval: the plural rules Sphinx's catalogues use are a number
// (Japanese: "0") or the common `n != 1` / `n > 1` forms.
(() => {
  "use strict";
  if (typeof Documentation === "undefined") return;
  const rules = {
    "n != 1": (n) => Number(n !== 1),
    "(n != 1)": (n) => Number(n !== 1),
    "n > 1": (n) => Number(n > 1),
    "(n > 1)": (n) => Number(n > 1),
  };
  const pluralRule = (expr) => {
    const text = String(expr).trim();
    if (/^\d+$/.test(text)) return () => Number(text);
    return rules[text] || ((n) => Number(n !== 1));
  };
  Documentation.addTranslations = (catalog) => {
    Object.assign(Documentation.TRANSLATIONS, catalog.messages);
    Documentation.PLURAL_EXPR = pluralRule(catalog.plural_expr);
    Documentation.LOCALE = catalog.locale;
  };
})();
