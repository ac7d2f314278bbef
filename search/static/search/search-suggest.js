/* Title suggestions while typing, for any <input data-suggest-url="/search/suggest/">.
 *
 * Optional attributes on the input:
 *   data-suggest-min="2"         characters before asking (default 1)
 *   data-suggest-label="..."     a heading above the list (e.g. "Similar topics exist")
 *   data-suggest-target="id"     where to put the list (default: a <div> right after the input)
 *
 * Asks the JSON endpoint, then builds the list with DOM nodes: titles are text, and only the
 * <mark> elements of the server's escaped title_html are kept. Arrow keys move through the list,
 * Enter opens the chosen topic, Escape closes it. No inline script, so it works under a CSP.
 */
(function () {
  "use strict";

  var DELAY = 200;
  var counter = 0;

  function markedTitle(html) {
    // keep text and <mark> only, whatever the string holds
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var out = document.createDocumentFragment();
    tpl.content.childNodes.forEach(function (node) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function attach(input) {
    if (input.dataset.suggestReady) return;
    input.dataset.suggestReady = "1";
    var url = input.dataset.suggestUrl;
    var min = parseInt(input.dataset.suggestMin || "1", 10);
    var label = input.dataset.suggestLabel || "";
    var listId = "search-suggest-" + (++counter);
    var box = input.dataset.suggestTarget && document.getElementById(input.dataset.suggestTarget);
    if (!box) {
      box = document.createElement("div");
      input.insertAdjacentElement("afterend", box);
    }
    box.className = (box.className + " search-suggest").trim();
    box.hidden = true;
    box.setAttribute("aria-live", "polite");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var controller = null;
    var active = -1;
    var lastQuery = null;

    function links() {
      return box.querySelectorAll("a");
    }

    function close() {
      lastQuery = null;
      box.hidden = true;
      box.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function render(items) {
      box.textContent = "";
      active = -1;
      if (!items.length) {
        close();
        return;
      }
      if (label) {
        var heading = document.createElement("p");
        heading.className = "muted search-suggest-label";
        heading.textContent = label;
        box.appendChild(heading);
      }
      var list = document.createElement("ul");
      list.id = listId;
      list.className = "card item-list search-suggestions";
      list.setAttribute("role", "listbox");
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = listId + "-" + i;
        var a = document.createElement("a");
        a.href = item.url;
        a.appendChild(markedTitle(item.title_html));
        li.appendChild(a);
        list.appendChild(li);
      });
      box.appendChild(list);
      box.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function ask() {
      var q = input.value.trim();
      if (q === lastQuery) return;
      lastQuery = q;
      if (q.length < min) {
        close();
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          if (input.value.trim() === q) render(data.suggestions || []);
        })
        .catch(function (err) {
          if (err.name !== "AbortError") close();
        });
    }

    function move(step) {
      var items = links();
      if (!items.length) return;
      active = (active + step + items.length) % items.length;
      items.forEach(function (a, i) {
        a.parentNode.setAttribute("aria-selected", i === active ? "true" : "false");
        a.classList.toggle("is-active", i === active);
      });
      input.setAttribute("aria-activedescendant", items[active].parentNode.id);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (e) {
      if (box.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        window.location.href = links()[active].href;
      }
    });
    input.addEventListener("blur", function () {
      // let a click on a suggestion land first
      setTimeout(function () {
        if (!box.contains(document.activeElement)) close();
      }, 150);
    });
  }

  function scan(root) {
    (root || document).querySelectorAll("input[data-suggest-url]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(); });
  } else {
    scan();
  }
  // inputs that arrive later through htmx swaps
  document.addEventListener("htmx:afterSettle", function (e) { scan(e.target); });
})();
