/*
 * Private messages, live. Two parts, both only enhancing server-rendered pages:
 *
 * - the header's unread count [data-pm-unread]: updated from the member channel (realtime/live.js
 *   dispatches every member message as the "huoli:live" event; ours is {"type": "pm.unread"}).
 * - a conversation page [data-pm-conversation="ID"][data-pm-seq="N"]: follows
 *   /ws/conversation/ID/?after=N, the same numbered stream as topics (the server replays what came
 *   after the last number seen, then sends live ones in order, each number once), appends each
 *   message's fragment and marks the conversation read up to it.
 */
(function () {
  "use strict";

  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }

  document.addEventListener("huoli:live", function (event) {
    var m = event.detail || {};
    if (m.type !== "pm.unread" || typeof m.pm_unread !== "number") { return; }
    all("[data-pm-unread]").forEach(function (el) {
      el.textContent = String(m.pm_unread);
      (el.closest(".badge") || el).hidden = m.pm_unread === 0;
    });
  });

  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function Conversation(root) {
    this.root = root;
    this.id = root.dataset.pmConversation;
    this.seq = parseInt(root.dataset.pmSeq, 10) || 0;
    this.list = root.querySelector("[data-pm-messages]");
    this.notice = root.querySelector("[data-pm-notice]");
    this.backoff = 1000;
    this.connect();
  }

  Conversation.prototype.connect = function () {
    var self = this;
    var proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    var socket = new WebSocket(proto + "//" + window.location.host + "/ws/conversation/" + this.id + "/?after=" + this.seq);
    this.socket = socket;
    socket.onopen = function () { self.backoff = 1000; root_state(self.root, "open"); };
    socket.onmessage = function (e) {
      var m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      self.handle(m);
    };
    socket.onclose = function (e) {
      root_state(self.root, "closed");
      if (e.code === 4403 || e.code === 4000 || self.stopped) { self.gone(); return; }
      setTimeout(function () { self.connect(); }, self.backoff);
      self.backoff = Math.min(self.backoff * 2, 30000);
    };
  };

  function root_state(root, state) { root.dataset.pmLive = state; }

  Conversation.prototype.gone = function () {
    if (this.notice) {
      this.notice.textContent = this.root.dataset.textGone || "";
      this.notice.hidden = false;
    }
  };

  Conversation.prototype.handle = function (m) {
    if (m.type === "access.revoked" || m.type === "reload") { this.stopped = true; return; }
    if (typeof m.seq !== "number") { return; }
    if (m.type === "hello") { this.seq = Math.max(this.seq, m.seq); return; }
    if (m.seq <= this.seq) { return; }
    this.seq = m.seq;
    if (m.fragment && !this.list.querySelector('[data-pm-seq="' + m.seq + '"]')) {
      var template = document.createElement("template");
      template.innerHTML = m.fragment.trim();
      var node = template.content.firstElementChild;
      if (node) {
        // the fragment is the same for every reader: no "Report" on the reader's own message
        if (node.dataset.pmAuthor && node.dataset.pmAuthor === document.body.dataset.liveMember) {
          Array.prototype.forEach.call(node.querySelectorAll("[data-pm-report]"), function (el) { el.remove(); });
        }
        this.list.appendChild(node);
        node.scrollIntoView({ block: "nearest" });
      }
    }
    this.markRead();
  };

  Conversation.prototype.markRead = function () {
    if (!window.fetch || document.hidden) { return; }
    fetch("/api/v1/conversations/" + this.id + "/read", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ seq: this.seq })
    }).catch(function () { /* the next page view marks it read */ });
  };

  function start() {
    if (!("WebSocket" in window)) { return; }
    var root = document.querySelector("[data-pm-conversation]");
    if (root) { window.huoliConversation = new Conversation(root); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
