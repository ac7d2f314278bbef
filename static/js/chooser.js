/* Huoli choosers (forum/widgets.py, templates/forum/widgets/chooser.html): a search box with a listbox of
   results from the chooser endpoint (JSON, ten a page). ARIA 1.2 combobox pattern: Down/Up walk the
   options, Enter chooses, Escape closes; the chosen key goes in the hidden input, the label in the box
   (or, for several, a list of chosen items each with a remove button). Without this script the box is a
   plain text field the server resolves. Also: [data-confirm] buttons and forms ask before they submit. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function fmt(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (m, key) {
      return values[key] === undefined ? m : values[key];
    });
  }

  var counter = 0;

  function setup(root) {
    if (root.getAttribute("data-chooser-ready")) { return; }
    root.setAttribute("data-chooser-ready", "1");
    var input = root.querySelector(".chooser-input");
    var list = root.querySelector("[role=listbox]");
    var status = root.querySelector(".chooser-status");
    var hidden = root.querySelector("[data-chooser-value]");
    var shown = root.querySelector("[data-chooser-label]");
    var chosenList = root.querySelector("[data-chooser-chosen]");
    var itemTemplate = root.querySelector("template[data-chooser-item]");
    var multiple = root.hasAttribute("data-multiple");
    var url = root.getAttribute("data-url");
    var text = function (name) { return root.getAttribute("data-text-" + name) || ""; };
    var options = [], active = -1, page = 1, query = "", timer = null, request = null;
    var prefix = "chooser-" + (++counter) + "-opt-";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function addChosen(value, label) {
      var exists = Array.prototype.some.call(chosenList.querySelectorAll("input[type=hidden]"), function (h) {
        return h.value === value;
      });
      if (exists) { return; }
      var li = itemTemplate.content.firstElementChild.cloneNode(true);
      li.querySelector("input").value = value;
      li.querySelector("span").textContent = label;
      li.querySelector("[data-chooser-remove]").setAttribute("aria-label", fmt(text("remove"), { label: label }));
      chosenList.appendChild(li);
    }

    function choose(li) {
      var value = li.getAttribute("data-value"), label = li.getAttribute("data-label");
      if (multiple) {
        addChosen(value, label);
        input.value = "";
      } else {
        hidden.value = value;
        input.value = label;
        if (shown) { shown.value = label; }
      }
      close();
      status.textContent = fmt(text("chosen"), { label: label });
      input.focus();
      root.dispatchEvent(new CustomEvent("chooser:chosen", { bubbles: true, detail: { value: value, label: label } }));
    }

    function render(data, append) {
      if (!append) { list.textContent = ""; options = []; }
      var more = list.querySelector("[data-more]");
      if (more) { more.remove(); }
      data.results.forEach(function (row) {
        var li = document.createElement("li");
        li.id = prefix + options.length;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-value", row.value);
        li.setAttribute("data-label", row.label);
        li.className = "chooser-option";
        var strong = document.createElement("span");
        strong.className = "chooser-label";
        strong.textContent = row.label;
        var small = document.createElement("span");
        small.className = "chooser-detail muted";
        small.textContent = row.detail || "";
        li.appendChild(strong);
        li.appendChild(small);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(li); });
        list.appendChild(li);
        options.push(li);
      });
      if (data.has_next) {
        var next = document.createElement("li");
        next.setAttribute("role", "option");
        next.setAttribute("aria-selected", "false");
        next.setAttribute("data-more", "1");
        next.id = prefix + "more-" + data.page;
        next.className = "chooser-option chooser-more";
        next.textContent = text("more");
        next.addEventListener("mousedown", function (event) { event.preventDefault(); });
        next.addEventListener("click", function () { search(page + 1); });
        list.appendChild(next);
        options.push(next);
      }
      var count = data.results.length + (append ? (page - 1) * 10 : 0);
      if (!options.length) {
        status.textContent = text("none");
        close();
        return;
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = fmt(text("count"), { n: count + (data.has_next ? "+" : "") });
    }

    function search(wanted) {
      var append = wanted > 1, asked = query;
      if (request) { request.abort(); }
      request = new XMLHttpRequest();
      var xhr = request;
      xhr.open("GET", url + "?q=" + encodeURIComponent(query) + "&page=" + wanted);
      xhr.setRequestHeader("Accept", "application/json");
      root.setAttribute("aria-busy", "true");
      xhr.addEventListener("load", function () {
        root.removeAttribute("aria-busy");
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (asked !== query) { return; }  /* an answer to an older query */
        if (xhr.status === 200 && body) {
          list.setAttribute("data-query", asked);
          var keep = append ? options.length - 1 : -1;
          page = wanted;
          render(body, append);
          if (append && keep >= 0) { highlight(Math.min(keep, options.length - 1)); }
        } else {
          status.textContent = (body && body.error && body.error.message) || text("error");
        }
      });
      xhr.addEventListener("error", function () {
        root.removeAttribute("aria-busy");
        status.textContent = text("error");
      });
      xhr.send();
    }

    input.addEventListener("input", function () {
      if (!multiple) {
        hidden.value = "";
        if (shown) { shown.value = ""; }
      }
      query = input.value.trim();
      clearTimeout(timer);
      timer = setTimeout(function () { search(1); }, 200);
    });
    input.addEventListener("focus", function () {
      if (!input.value.trim() && list.hidden) { query = ""; search(1); }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { query = input.value.trim(); search(1); return; }
        highlight(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && options[active]) {
          event.preventDefault();
          if (options[active].hasAttribute("data-more")) { search(page + 1); } else { choose(options[active]); }
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    if (chosenList) {
      chosenList.addEventListener("click", function (event) {
        var button = event.target.closest("[data-chooser-remove]");
        if (button) {
          button.closest("li").remove();
          input.focus();
        }
      });
    }
  }

  ready(function () {
    document.querySelectorAll("[data-chooser]").forEach(setup);
  });
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-chooser]").forEach(setup);
  });

  /* Confirmation before a staff action: <button data-confirm="..."> or <form data-confirm="...">. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
