/* The site header (templates/base.html): the phone menu button and the drop-down menus.
   - [data-nav-toggle] is a <button aria-expanded aria-controls="site-nav">; it is hidden until this script runs,
     and without JavaScript the navigation simply shows in full (the CSS folds it only under html.js);
   - Escape closes the open panel and gives the focus back to its button;
   - <time data-relative> (forum_tags' |when) texts are recomputed now and every minute, so a cached page does not
     keep saying "just now"; the exact time stays in the title;
   - a code block or table of a post that scrolls sideways gets tabindex="0", so a keyboard can scroll it too;
   - the <details data-menu> menus (avatar, community) are native disclosure widgets (keyboard and screen
     readers work without this file); here opening one closes the others, and a click outside or Escape closes it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  var zh = /^zh/i.test(document.documentElement.lang || "");
  function relative(date) {
    var seconds = (Date.now() - date.getTime()) / 1000;
    if (!(seconds >= 0) || seconds >= 30 * 86400) { return null; }
    if (seconds < 60) { return zh ? "刚刚" : "just now"; }
    var units = [[86400, "天", "day"], [3600, "小时", "hour"], [60, "分钟", "minute"]];
    for (var i = 0; i < units.length; i++) {
      var n = Math.floor(seconds / units[i][0]);
      if (n >= 1) { return zh ? n + " " + units[i][1] + "前" : n + " " + units[i][2] + (n === 1 ? "" : "s") + " ago"; }
    }
    return null;
  }
  function refreshTimes() {
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var text = relative(new Date(el.getAttribute("datetime")));
      if (text && el.textContent !== text) { el.textContent = text; }
    });
  }

  function scrollablesFocusable() {
    document.querySelectorAll(".prose pre, .prose table, .table-scroll").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
      } else if (el.getAttribute("tabindex") === "0" && !el.matches(".table-scroll")) {
        el.removeAttribute("tabindex");
      }
    });
  }

  ready(function () {
    scrollablesFocusable();
    window.addEventListener("resize", scrollablesFocusable);
    document.body.addEventListener("htmx:afterSwap", scrollablesFocusable);
    if (window.MutationObserver) {
      var posts = document.querySelector("[data-live-posts]");
      if (posts) { new MutationObserver(scrollablesFocusable).observe(posts, { childList: true }); }
    }
    refreshTimes();
    window.setInterval(refreshTimes, 60000);
    document.body.addEventListener("htmx:afterSwap", refreshTimes);
    var toggle = document.querySelector("[data-nav-toggle]");
    var panel = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    var menus = Array.prototype.slice.call(document.querySelectorAll("details[data-menu]"));

    function setOpen(open) {
      if (!toggle || !panel) { return; }
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      panel.classList.toggle("is-open", open);
    }

    if (toggle && panel) {
      toggle.hidden = false;
      setOpen(false);
      toggle.addEventListener("click", function () {
        setOpen(toggle.getAttribute("aria-expanded") !== "true");
        if (toggle.getAttribute("aria-expanded") === "true") {
          var first = panel.querySelector("a, button, summary");
          if (first) { first.focus(); }
        }
      });
    }

    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) { return; }
        menus.forEach(function (other) { if (other !== menu && !other.contains(menu)) { other.open = false; } });
      });
    });

    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) { menu.open = false; }
      });
    });

    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var openMenu = menus.filter(function (m) { return m.open; })[0];
      if (openMenu) {
        openMenu.open = false;
        openMenu.querySelector("summary").focus();
        return;
      }
      if (toggle && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  });
})();
