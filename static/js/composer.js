/* Huoli composer (forum/includes/composer.html): enhancements of a plain Markdown textarea that
   works without JavaScript.
   - Write/Preview tabs on narrow screens, both panes side by side where the composer is wide enough
     (a CSS container query in static/css/composer.css); the preview is the server's own rendering
     (forum:composer_preview: markdown-it + nh3, the same pipeline as posts), fetched debounced;
   - server-side drafts ([data-draft-place]): restored on return when the box is empty, saved
     debounced while typing and once more when the page is left (sendBeacon), discarded on request;
     the server deletes the draft when the post is published;
   - @mention autocomplete: "@" plus letters (Chinese too) asks forum:composer_mentions and shows a
     listbox (arrow keys, Enter or Tab, Escape; tap or click); the choice is inserted as "@username ";
   - inline quote and reply on the topic page: a[data-quote-url] fetches the quoted Markdown and puts
     it into the reply box, a[data-reply-to] sets the post replied to; both focus the box, no reload. */
(function () {
  "use strict";

  var PREVIEW_DELAY = 400;
  var DRAFT_DELAY = 1500;
  var MENTION_DELAY = 150;
  var MENTION_RE = /(^|[^\w@])@([A-Za-z0-9_\-\u4e00-\u9fff]{1,30})$/;

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function csrfToken(el) {
    var form = el && el.closest("form");
    var field = (form && form.querySelector("input[name=csrfmiddlewaretoken]")) ||
      document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) { return field.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function errorMessage(response, fallback) {
    return response.json().then(function (body) {
      return (body && body.error && body.error.message) || fallback;
    }, function () { return fallback; });
  }

  function postForm(url, el, fields) {
    var data = new FormData();
    Object.keys(fields).forEach(function (k) { data.append(k, fields[k]); });
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(el), "X-Requested-With": "XMLHttpRequest" }
    });
  }

  function debounce(fn, wait) {
    var timer = null;
    var wrapped = function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
    wrapped.cancel = function () { clearTimeout(timer); };
    return wrapped;
  }

  function insertText(box, start, end, text) {
    var value = box.value;
    box.value = value.slice(0, start) + text + value.slice(end);
    var cursor = start + text.length;
    box.focus();
    box.setSelectionRange(cursor, cursor);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function Composer(root) {
    this.root = root;
    this.box = document.getElementById(root.dataset.target);
    if (!this.box) { return; }
    this.form = this.box.closest("form");
    this.previewPane = root.querySelector("[data-composer-pane=preview]");
    this.writePane = root.querySelector("[data-composer-pane=write]");
    this.preview = root.querySelector("[data-composer-preview]");
    this.tabs = root.querySelector("[data-composer-tabs]");
    this.title = root.dataset.titleField ? document.getElementById(root.dataset.titleField) : null;
    this.category = root.dataset.categoryField ? document.getElementById(root.dataset.categoryField) : null;
    this.lastPreviewed = null;
    this.previewSeq = 0;
    root.classList.add("is-ready");
    this.tabs.hidden = false;
    this.previewPane.hidden = false;
    this.setupPreview();
    if (root.dataset.draftPlace) { this.setupDrafts(); }
    this.setupMentions();
  }

  Composer.prototype.text = function (name) {
    return this.root.getAttribute("data-text-" + name) || "";
  };

  /* ---- preview ---------------------------------------------------------------------------- */
  Composer.prototype.previewShown = function () {
    return this.previewPane.offsetParent !== null || this.previewPane.getClientRects().length > 0;
  };

  Composer.prototype.setupPreview = function () {
    var self = this;
    this.tabs.querySelectorAll("[data-composer-tab]").forEach(function (tab) {
      tab.addEventListener("click", function () { self.show(tab.dataset.composerTab); });
      tab.addEventListener("keydown", function (event) {
        if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
          event.preventDefault();
          var next = tab.dataset.composerTab === "write" ? "preview" : "write";
          self.show(next);
          self.tabs.querySelector("[data-composer-tab=" + next + "]").focus();
        }
      });
    });
    var later = debounce(function () { self.refresh(); }, PREVIEW_DELAY);
    this.box.addEventListener("input", later);
    if (window.ResizeObserver) {
      new ResizeObserver(function () { self.refresh(); }).observe(this.root);
    }
    this.refresh();
  };

  Composer.prototype.show = function (which) {
    this.root.classList.toggle("show-preview", which === "preview");
    this.tabs.querySelectorAll("[data-composer-tab]").forEach(function (tab) {
      var on = tab.dataset.composerTab === which;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
    });
    if (which === "preview") { this.refresh(); } else { this.box.focus(); }
  };

  Composer.prototype.refresh = function () {
    if (!this.previewShown()) { return; }
    var body = this.box.value;
    if (body === this.lastPreviewed) { return; }
    this.lastPreviewed = body;
    var self = this;
    if (!body.trim()) {
      this.preview.textContent = "";
      var empty = document.createElement("p");
      empty.className = "muted";
      empty.textContent = this.text("empty");
      this.preview.appendChild(empty);
      return;
    }
    var seq = ++this.previewSeq;
    this.preview.setAttribute("aria-busy", "true");
    postForm(this.root.dataset.previewUrl, this.box, { body: body }).then(function (response) {
      if (response.ok) { return response.text(); }
      return errorMessage(response, self.text("failed")).then(function (message) { throw new Error(message); });
    }).then(function (html) {
      if (seq !== self.previewSeq) { return; }
      self.preview.removeAttribute("aria-busy");
      self.preview.innerHTML = html; // sanitized by the server (nh3), as a published post
    }, function (error) {
      if (seq !== self.previewSeq) { return; }
      self.lastPreviewed = null;
      self.preview.removeAttribute("aria-busy");
      self.preview.textContent = "";
      var p = document.createElement("p");
      p.className = "composer-error";
      p.setAttribute("role", "alert");
      p.textContent = (error && error.message) || self.text("failed");
      self.preview.appendChild(p);
    });
  };

  /* ---- drafts ----------------------------------------------------------------------------- */
  Composer.prototype.draftFields = function () {
    var fields = { place: this.root.dataset.draftPlace, body: this.box.value };
    if (this.title) { fields.title = this.title.value; }
    if (this.category && this.category.value) { fields.category = this.category.value; }
    return fields;
  };

  Composer.prototype.say = function (message, isError, withDiscard) {
    this.draftLine.hidden = !message;
    this.draftStatus.textContent = message;
    this.draftStatus.classList.toggle("composer-error", !!isError);
    if (withDiscard !== undefined) { this.discardButton.hidden = !withDiscard; }
  };

  Composer.prototype.setupDrafts = function () {
    var self = this;
    this.draftLine = this.root.querySelector("[data-composer-draft]");
    this.draftStatus = this.root.querySelector("[data-composer-draft-status]");
    this.discardButton = this.root.querySelector("[data-composer-draft-discard]");
    this.dirty = false;
    this.submitting = false;
    this.saveLater = debounce(function () { self.save(); }, DRAFT_DELAY);
    var changed = function () {
      if (self.submitting) { return; }
      self.dirty = true;
      self.saveLater();
    };
    this.box.addEventListener("input", changed);
    if (this.title) { this.title.addEventListener("input", changed); }
    if (this.category) { this.category.addEventListener("change", changed); }
    if (this.form) {
      this.form.addEventListener("submit", function () {
        self.submitting = true; // the server deletes the draft once the post is published
        self.saveLater.cancel();
      });
    }
    var leave = function () {
      if (!self.dirty || self.submitting || !navigator.sendBeacon) { return; }
      var data = new FormData();
      var fields = self.draftFields();
      Object.keys(fields).forEach(function (k) { data.append(k, fields[k]); });
      data.append("csrfmiddlewaretoken", csrfToken(self.box));
      if (navigator.sendBeacon(self.root.dataset.draftUrl, data)) { self.dirty = false; }
    };
    window.addEventListener("pagehide", leave);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { leave(); }
    });
    this.discardButton.addEventListener("click", function () { self.discard(); });
    this.restore();
  };

  Composer.prototype.restore = function () {
    if (this.box.value.trim() || (this.title && this.title.value.trim())) {
      return; // the page already holds text (a form sent back with an error): never overwrite it
    }
    var self = this;
    var url = this.root.dataset.draftUrl + "?place=" + encodeURIComponent(this.root.dataset.draftPlace);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { draft: null }; })
      .then(function (data) {
        var draft = data && data.draft;
        if (!draft || self.box.value.trim()) { return; }
        self.box.value = draft.body || "";
        if (self.title && draft.title && !self.title.value) { self.title.value = draft.title; }
        if (self.category && draft.category && !self.category.value) {
          self.category.value = String(draft.category);
        }
        self.box.dispatchEvent(new Event("input", { bubbles: true }));
        self.dirty = false;
        self.saveLater.cancel();
        self.say(self.text("restored"), false, true);
      }, function () { /* offline: nothing to restore */ });
  };

  Composer.prototype.save = function () {
    if (this.submitting) { return; }
    var self = this;
    this.dirty = false;
    this.say(this.text("saving"), false);
    postForm(this.root.dataset.draftUrl, this.box, this.draftFields()).then(function (response) {
      if (response.ok) { return response.json(); }
      return errorMessage(response, self.text("save-failed")).then(function (m) { throw new Error(m); });
    }).then(function (data) {
      self.say(data && data.draft ? self.text("saved") : "", false, !!(data && data.draft));
    }, function (error) {
      self.dirty = true;
      self.say((error && error.message) || self.text("save-failed"), true);
    });
  };

  Composer.prototype.discard = function () {
    var self = this;
    this.saveLater.cancel();
    postForm(this.root.dataset.draftDiscardUrl, this.box, { place: this.root.dataset.draftPlace })
      .then(function (response) {
        if (!response.ok) {
          return errorMessage(response, self.text("save-failed")).then(function (m) { throw new Error(m); });
        }
        self.box.value = "";
        if (self.title) { self.title.value = ""; }
        self.box.dispatchEvent(new Event("input", { bubbles: true }));
        self.saveLater.cancel();
        self.dirty = false;
        self.say(self.text("discarded"), false, false);
        self.box.focus();
      }).catch(function (error) { self.say(error.message, true); });
  };

  /* ---- @mentions -------------------------------------------------------------------------- */
  Composer.prototype.setupMentions = function () {
    var self = this;
    var box = this.box;
    var list = this.root.querySelector("[data-composer-mentions]");
    if (!list || !this.root.dataset.mentionUrl) { return; }
    this.mentionList = list;
    this.mentionActive = -1;
    this.mentionItems = [];
    this.mentionQuery = null;
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    /* a textarea may not carry aria-expanded (axe: aria-allowed-attr); the listbox's own hidden state says it */
    var ask = debounce(function () { self.askMentions(); }, MENTION_DELAY);
    box.addEventListener("input", ask);
    box.addEventListener("click", ask);
    box.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        self.moveMention(event.key === "ArrowDown" ? 1 : -1);
      } else if ((event.key === "Enter" || event.key === "Tab") && self.mentionActive >= 0) {
        event.preventDefault();
        self.pickMention(self.mentionItems[self.mentionActive]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        self.closeMentions();
      }
    });
    box.addEventListener("blur", function () {
      setTimeout(function () { if (document.activeElement !== box) { self.closeMentions(); } }, 200);
    });
  };

  Composer.prototype.mentionAtCursor = function () {
    var box = this.box;
    if (box.selectionStart !== box.selectionEnd) { return null; }
    var before = box.value.slice(0, box.selectionStart);
    var match = MENTION_RE.exec(before);
    if (!match) { return null; }
    return { query: match[2], start: before.length - match[2].length - 1, end: box.selectionStart };
  };

  Composer.prototype.askMentions = function () {
    var self = this;
    var at = this.mentionAtCursor();
    if (!at) { this.closeMentions(); return; }
    if (at.query === this.mentionQuery && !this.mentionList.hidden) { return; }
    this.mentionQuery = at.query;
    var url = this.root.dataset.mentionUrl + "?q=" + encodeURIComponent(at.query);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { members: [] }; })
      .then(function (data) {
        var now = self.mentionAtCursor();
        if (!now || now.query !== at.query) { return; }
        self.renderMentions(data.members || []);
      }, function () { self.closeMentions(); });
  };

  Composer.prototype.renderMentions = function (members) {
    var self = this;
    var list = this.mentionList;
    list.textContent = "";
    this.mentionItems = members;
    this.mentionActive = members.length ? 0 : -1;
    if (!members.length) { this.closeMentions(); return; }
    members.forEach(function (m, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.className = "mention-option";
      li.dataset.username = m.username;
      var img = document.createElement("img");
      img.className = "avatar";
      img.src = m.avatar_url;
      img.alt = "";
      img.width = 24;
      img.height = 24;
      var name = document.createElement("span");
      name.className = "mention-name";
      name.textContent = m.name;
      var handle = document.createElement("span");
      handle.className = "muted mention-handle";
      handle.textContent = "@" + m.username;
      li.appendChild(img);
      li.appendChild(name);
      li.appendChild(handle);
      // pointerdown: keep the focus (and the cursor) in the textarea; click picks, on touch too
      li.addEventListener("pointerdown", function (event) { event.preventDefault(); });
      li.addEventListener("mousedown", function (event) { event.preventDefault(); });
      li.addEventListener("click", function () { self.pickMention(m); });
      list.appendChild(li);
    });
    list.hidden = false;

    this.moveMention(0);
  };

  Composer.prototype.moveMention = function (step) {
    var options = this.mentionList.querySelectorAll("[role=option]");
    if (!options.length) { return; }
    this.mentionActive = (this.mentionActive + step + options.length) % options.length;
    var active = this.mentionActive;
    options.forEach(function (li, i) {
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.classList.toggle("is-active", i === active);
    });
    this.box.setAttribute("aria-activedescendant", options[active].id);
  };

  Composer.prototype.pickMention = function (member) {
    var at = this.mentionAtCursor();
    this.closeMentions();
    if (!at || !member) { return; }
    insertText(this.box, at.start, at.end, "@" + member.username + " ");
    this.closeMentions();
  };

  Composer.prototype.closeMentions = function () {
    if (!this.mentionList) { return; }
    this.mentionList.hidden = true;
    this.mentionList.textContent = "";
    this.mentionItems = [];
    this.mentionActive = -1;
    this.mentionQuery = null;

    this.box.removeAttribute("aria-activedescendant");
  };

  /* ---- inline quote and reply (topic page) ------------------------------------------------ */
  function replyBox() {
    return document.querySelector("#reply textarea");
  }

  function setReplyTo(postId) {
    var field = document.querySelector("#reply input[name=reply_to]");
    if (field) { field.value = postId || ""; }
    var note = document.querySelector("[data-reply-to-note]");
    if (note) {
      var post = document.querySelector('[data-post-id="' + postId + '"]');
      var number = post ? post.getAttribute("data-post-number") : "";
      note.textContent = postId ? (note.getAttribute("data-text") || "#{n}").replace("{n}", number) : "";
      note.hidden = !postId;
    }
  }

  function focusEnd(box) {
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    if (box.scrollIntoView) { box.scrollIntoView({ block: "center" }); }
  }

  function selectedTextIn(postId) {
    var selection = window.getSelection && window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return ""; }
    var body = document.querySelector('[data-post-body="' + postId + '"]');
    var range = selection.getRangeAt(0);
    if (!body || !body.contains(range.commonAncestorContainer)) { return ""; }
    return selection.toString().trim();
  }

  function quoteInto(box, markdown) {
    var value = box.value;
    var lead = value && !/\n\n$/.test(value) ? (/\n$/.test(value) ? "\n" : "\n\n") : "";
    box.value = value + lead + markdown;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    focusEnd(box);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-quote-url], a[data-reply-to]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) { return; }
    var box = replyBox();
    if (!box || !window.fetch) { return; } // no reply box here: the link reloads with ?quote=
    event.preventDefault();
    if (link.hasAttribute("data-reply-to")) {
      setReplyTo(link.getAttribute("data-reply-to"));
      focusEnd(box);
      return;
    }
    var postId = link.getAttribute("data-quote");
    var selected = selectedTextIn(postId);
    var url = link.getAttribute("data-quote-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        var markdown = data.markdown;
        if (selected) {
          markdown = data.heading + "\n" + selected.split("\n").map(function (l) { return "> " + l; }).join("\n") + "\n\n";
        }
        setReplyTo(data.reply_to);
        quoteInto(box, markdown);
      }, function () { window.location.href = link.href; });
  });

  ready(function () {
    document.querySelectorAll("[data-composer]").forEach(function (root) { new Composer(root); });
  });
})();
