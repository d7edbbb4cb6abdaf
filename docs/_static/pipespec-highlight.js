/* Before Sphinx's search-word highlighting runs (sphinx_highlight.js, on DOMContentLoaded):
 * mark the text of SVG <title> and <desc> elements (the theme's icon names: "Menu",
 * "Contents", "Light mode"...) as "nohighlight". Sphinx would otherwise wrap a match there
 * in a <tspan> and ask its parent for a bounding box, which <title> does not have, and
 * stop with "parent.getBBox is not a function". These texts are not shown on the page. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll("svg title, svg desc")) {
    el.classList.add("nohighlight");
  }
});
