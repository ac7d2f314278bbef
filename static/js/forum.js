/* Huoli forum: small enhancements on top of pages that work without JavaScript.
   - marks <html> with .js (the language switcher then submits on change and hides its button);
   - the language <select data-autosubmit> submits its form on change;
   - htmx (static/vendor/htmx) swaps the vote and bookmark fragments; its config is in base.html's
     <meta name="htmx-config">, so 4xx fragments (with the message) are swapped in too;
   - "Reply" and "Quote" links that target #reply focus the reply box after the page loads;
   - the composers' "Insert image" button ([data-image-upload], forum/includes/image_upload.html)
     uploads the chosen, pasted or dropped image to forum:image_upload with the CSRF token, shows
     its progress and errors in the status line, and inserts the returned Markdown at the cursor. */
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

  function csrfToken(el) {
    var form = el.closest("form");
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) { return field.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function insertAtCursor(box, text) {
    var start = box.selectionStart, end = box.selectionEnd, value = box.value;
    if (typeof start !== "number") { start = end = value.length; }
    var before = value.slice(0, start), after = value.slice(end);
    var lead = before && !/\n$/.test(before) ? "\n" : "";
    var tail = after && !/^\n/.test(after) ? "\n" : "";
    box.value = before + lead + text + tail + after;
    var cursor = (before + lead + text).length;
    box.focus();
    box.setSelectionRange(cursor, cursor);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  var IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

  function setupImageUpload(tools) {
    var box = document.getElementById(tools.getAttribute("data-image-upload"));
    var input = tools.querySelector("[data-image-input]");
    var status = tools.querySelector("[data-image-status]");
    if (!box || !input || !status) { return; }
    tools.hidden = false;
    var text = function (name) { return tools.getAttribute("data-text-" + name) || ""; };
    var say = function (message, isError) {
      status.textContent = message;
      status.classList.toggle("composer-error", !!isError);
    };

    function upload(file) {
      if (!file) { return; }
      if (IMAGE_TYPES.indexOf(file.type) === -1) { say(text("wrong-type"), true); return; }
      if (file.size > parseInt(tools.getAttribute("data-max-bytes"), 10)) { say(text("too-large"), true); return; }
      var data = new FormData();
      data.append("image", file, file.name || "image");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", tools.getAttribute("data-url"));
      xhr.setRequestHeader("X-CSRFToken", csrfToken(tools));
      xhr.setRequestHeader("Accept", "application/json");
      tools.setAttribute("aria-busy", "true");
      input.disabled = true;
      say(text("uploading"));
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { say(text("uploading") + " " + Math.round(100 * event.loaded / event.total) + "%"); }
      });
      xhr.addEventListener("loadend", function () {
        tools.removeAttribute("aria-busy");
        input.disabled = false;
        input.value = "";
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status === 201 && body && body.markdown) {
          insertAtCursor(box, body.markdown);
          say(text("done"));
        } else {
          say((body && body.error && body.error.message) || text("failed"), true);
        }
      });
      xhr.send(data);
    }

    input.addEventListener("change", function () { upload(input.files && input.files[0]); });
    box.addEventListener("paste", function (event) {
      var items = (event.clipboardData && event.clipboardData.files) || [];
      if (items.length && items[0].type.indexOf("image/") === 0) {
        event.preventDefault();
        upload(items[0]);
      }
    });
    box.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types || [], "Files") !== -1) {
        event.preventDefault();
      }
    });
    box.addEventListener("drop", function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) {
        event.preventDefault();
        upload(files[0]);
      }
    });
  }

  ready(function () {
    document.querySelectorAll("[data-image-upload]").forEach(setupImageUpload);
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
