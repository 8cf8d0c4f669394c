/* Behaviour the templates ask for with data attributes, so the Content-Security-Policy needs no 'unsafe-inline':
   no inline <script>, no on…= handler, no style="…" attribute in any page. */
(function () {
  "use strict";

  function apply(root) {
    // A bar's length comes from the data: <span data-width="42"> is 42 % wide (CSSOM, which CSP allows).
    root.querySelectorAll("[data-width]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0)) + "%";
    });
    root.querySelectorAll("[data-scroll-hint]").forEach(function (el) {
      el.style.setProperty("--scroll-hint", JSON.stringify(el.dataset.scrollHint));
    });
  }

  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  });
  document.addEventListener("click", function (event) {
    var field = event.target.closest("[data-select-on-click]");
    if (field) field.select();
  });
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
  document.addEventListener("htmx:load", function (event) { apply(event.target); });
})();
