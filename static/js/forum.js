/* Huoli forum: small enhancements on top of pages that work without JavaScript.
   - marks <html> with .js (the language switcher then submits on change and hides its button);
   - the language <select data-autosubmit> submits its form on change;
   - htmx (static/vendor/htmx) swaps the vote and bookmark fragments; its config is in base.html's
     <meta name="htmx-config">, so 4xx fragments (with the message) are swapped in too;
   - "Reply" and "Quote" links that target #reply focus the reply box after the page loads. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) { select.form.submit(); }
      });
    });

    if (window.location.hash === "#reply") {
      var box = document.querySelector("#reply textarea");
      if (box) {
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
      }
    }
  });

  /* Keep keyboard focus on the control that was swapped by htmx. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    var fresh = document.getElementById(target.id);
    if (fresh) {
      var pressed = fresh.querySelector("[aria-pressed='true']") || fresh.querySelector("button");
      if (pressed) { pressed.focus({ preventScroll: true }); }
    }
  });
})();
