/* selfwork: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  function slugify(text, sep) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, sep)
      .replace(new RegExp("^\\" + sep + "+|\\" + sep + "+$", "g"), "")
      .slice(0, 50);
  }

  function init(root) {
    // Suggest an address from a name until the person types one themselves.
    root.querySelectorAll("[data-slug-from]").forEach(function (slug) {
      if (slug.dataset.slugReady) return;
      slug.dataset.slugReady = "1";
      var source = document.getElementById(slug.dataset.slugFrom);
      if (!source) return;
      var sep = slug.dataset.slugSep || "-";
      var touched = slug.value !== "";
      slug.addEventListener("input", function () { touched = slug.value !== ""; });
      source.addEventListener("input", function () {
        if (!touched) slug.value = slugify(source.value, sep);
      });
    });

    // Ask before destructive actions.
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmReady) return;
      form.dataset.confirmReady = "1";
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });

    // A freshly made token is selected on focus, ready to copy.
    root.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      if (input.dataset.selectReady) return;
      input.dataset.selectReady = "1";
      input.addEventListener("focus", function () { input.select(); });
    });

    // Gallery thumbnails scroll the strip instead of jumping the page.
    root.querySelectorAll("[data-gallery-thumb]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        // "inline: start" rather than a left offset: the strip scrolls the other way
        // in right-to-left text.
        target.scrollIntoView({ behavior: "smooth", block: "nearest", inline: "start" });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Filters start folded on small screens, where they would push results down.
    var filters = document.querySelector("details.filters");
    if (filters) {
      var wide = window.matchMedia("(min-width: 56rem)");
      if (!wide.matches) filters.removeAttribute("open");
      // Beside the results there is room: keep them open there.
      filters.addEventListener("toggle", function () {
        if (wide.matches && !filters.open) filters.open = true;
      });
    }
    init(document);
    // The small-screen menu closes on Escape and on a click elsewhere.
    var menu = document.querySelector("details.nav-menu");
    if (menu) {
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
      document.addEventListener("click", function (event) {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });

  // A message form empties once its message is sent. (Not ``hx-on``: htmx runs
  // those through eval, which the Content-Security-Policy forbids.)
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form && form.matches && form.matches("form[data-reset-after-send]")) {
      form.reset();
    }
  });

  // Keep search addresses short: leave empty filters out of the request and the
  // pushed URL.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    var names = typeof params.keys === "function" ? Array.from(params.keys()) : Object.keys(params);
    names.forEach(function (name) {
      var value = typeof params.get === "function" ? params.get(name) : params[name];
      if (value === "") {
        if (typeof params.delete === "function") params.delete(name); else delete params[name];
      }
    });
  });
})();
