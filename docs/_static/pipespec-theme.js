// furo's colour theme, set before the page is drawn (furo does this in an inline script,
// which the site's Content-Security-Policy does not allow).
document.body.dataset.theme = localStorage.getItem("theme") || "auto";
