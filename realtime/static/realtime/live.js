/*
 * Huoli live updates: a small dependency-free module (no build step, no framework).
 *
 * It only enhances server-rendered pages: without JavaScript, or without a socket, every page
 * works as plain HTML. It looks for these attributes (see the realtime notes in the README):
 *
 *   [data-live-topic="ID"][data-live-seq="N"]   topic page root; N = topic.event_seq at render
 *     [data-live-posts][data-live-append]       the posts container; data-live-append="true" when
 *                                               the page shows the newest posts (last page)
 *     [data-live-new-replies]                   the hidden "N new replies" bar (a button or link)
 *     [data-post-id="ID"]                       each post; [data-post-body="ID"] its body;
 *                                               [data-post-score="ID"] its score
 *     [data-live-reply-count]                   the reply counter (data-text-one, data-text-many)
 *     [data-post-fragment-url]                  on the root: the reader's own rendering of a post
 *                                               ("/p/0/fragment/"), swapped in for a live reply
 *     [data-live-presence] [data-live-typing]   "N reading now", "X is replying..."
 *     [data-live-reply]                         the reply textarea (typing notices, buffering)
 *     [data-live-title] [data-live-category]    topic title, category link
 *     [data-live-when="locked|unlocked|pinned|unpinned|hidden"]  shown only in that state
 *     [data-live-notice]                        where "reload" / "no longer available" appears
 *   [data-live-feed][data-ws-path]              category or home page root
 *     [data-live-new-topics]                    the hidden "N new topics" bar
 *     [data-topic-replies="ID"] [data-category-topics="ID"] [data-category-posts="ID"]
 *   [data-live-member="ID"]                     signed-in member (e.g. on <body>)
 *     [data-live-unread]                        unread notification count badge(s)
 *     [data-live-toasts]                        optional container for notification toasts
 *
 *   [data-live-refresh="poll:ID|lottery:ID"][data-fragment-url="URL"]
 *                                               a server-rendered widget: on "poll.updated" (poll_id)
 *                                               or "lottery.drawn" (lottery_id) it is fetched again
 *                                               from URL and replaced (at most once a second per
 *                                               widget, never while the reader is in its form)
 *
 * Texts come from data-text-* attributes on the root elements (translated by the templates);
 * "{n}" and "{name}" are replaced. Every message is also dispatched on document as the
 * CustomEvent "huoli:live" (detail = the message), so other modules (polls, lotteries) can react.
 */
(function () {
  "use strict";

  var BACKOFF_BASE = 1000;
  var BACKOFF_MAX = 30000;
  var HEARTBEAT = 25000;
  var TYPING_EVERY = 3000; // the server accepts one typing notice per 2 s
  var TYPING_SHOWN = 6000;
  var NEAR_BOTTOM = 300;
  var STOP_CODES = { 4403: true, 4000: true, 4400: true };

  function text(root, name, fallback, values) {
    var key = "text" + name.charAt(0).toUpperCase() + name.slice(1);
    var s = (root && root.dataset[key]) || fallback;
    values = values || {};
    return s.replace(/\{(\w+)\}/g, function (m, k) {
      return values[k] !== undefined ? String(values[k]) : m;
    });
  }

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }

  function wsUrl(path, query) {
    var proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    return proto + "//" + window.location.host + path + (query ? "?" + query : "");
  }

  function emit(message) {
    try {
      document.dispatchEvent(new CustomEvent("huoli:live", { detail: message }));
    } catch (e) {
      /* old browsers without CustomEvent: nothing listens there */
    }
  }

  /* A socket that reconnects with exponential backoff and full jitter. */
  function LiveSocket(path, options) {
    this.path = path;
    this.options = options;
    this.attempt = 0;
    this.stopped = false;
    this.ws = null;
    this.timer = null;
    this.heartbeat = null;
    var self = this;
    window.addEventListener("online", function () { self.reconnectSoon(0); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { self.reconnectSoon(0); }
    });
    this.connect();
  }

  LiveSocket.prototype.connect = function () {
    if (this.stopped || (this.ws && this.ws.readyState <= 1)) { return; }
    var self = this;
    var query = this.options.query ? this.options.query() : "";
    var ws;
    try {
      ws = new WebSocket(wsUrl(this.path, query));
    } catch (e) {
      this.schedule();
      return;
    }
    this.ws = ws;
    ws.onopen = function () {
      self.setStatus("open");
      clearInterval(self.heartbeat);
      self.heartbeat = setInterval(function () { self.send({ type: "ping" }); }, HEARTBEAT);
    };
    ws.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (!message || typeof message.type !== "string") { return; }
      if (message.type === "hello") { self.attempt = 0; }
      self.options.onMessage(message);
      emit(message);
    };
    ws.onclose = function (event) {
      clearInterval(self.heartbeat);
      self.ws = null;
      if (STOP_CODES[event.code]) {
        self.stopped = true;
        self.setStatus("stopped");
        return;
      }
      self.setStatus("closed");
      self.schedule();
    };
    ws.onerror = function () { /* onclose follows */ };
  };

  LiveSocket.prototype.schedule = function () {
    if (this.stopped) { return; }
    var cap = Math.min(BACKOFF_MAX, BACKOFF_BASE * Math.pow(2, this.attempt));
    this.attempt = Math.min(this.attempt + 1, 10);
    this.reconnectSoon(Math.random() * cap);
  };

  LiveSocket.prototype.reconnectSoon = function (delay) {
    if (this.stopped || this.ws) { return; }
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.connect(); }, delay);
  };

  LiveSocket.prototype.send = function (message) {
    if (this.ws && this.ws.readyState === 1) { this.ws.send(JSON.stringify(message)); }
  };

  LiveSocket.prototype.stop = function () {
    this.stopped = true;
    if (this.ws) { this.ws.close(); }
  };

  LiveSocket.prototype.setStatus = function (status) {
    if (this.options.onStatus) { this.options.onStatus(status); }
  };

  /* ---- topic page ---------------------------------------------------------------------- */
  function TopicPage(root) {
    this.root = root;
    this.topicId = root.dataset.liveTopic;
    this.seq = parseInt(root.dataset.liveSeq || "0", 10) || 0;
    this.posts = root.querySelector("[data-live-posts]") || document.querySelector("[data-live-posts]");
    this.appendable = !!(this.posts && this.posts.dataset.liveAppend === "true");
    this.bar = document.querySelector("[data-live-new-replies]");
    this.presence = document.querySelector("[data-live-presence]");
    this.typing = document.querySelector("[data-live-typing]");
    this.reply = document.querySelector("[data-live-reply]");
    this.notice = document.querySelector("[data-live-notice]");
    this.pending = [];
    this.unseen = 0;
    this.lastUrl = null;
    this.typists = {};
    this.lastTypingSent = 0;
    var self = this;
    var path = root.dataset.wsPath || "/ws/topic/" + this.topicId + "/";
    this.socket = new LiveSocket(path, {
      query: function () { return "after=" + self.seq; },
      onMessage: function (m) { self.handle(m); },
      onStatus: function (s) { root.dataset.liveStatus = s; }
    });
    if (this.bar) {
      this.bar.addEventListener("click", function (event) {
        if (self.appendable && self.pending.length) {
          event.preventDefault();
          self.flush();
        } else if (self.lastUrl && self.bar.tagName !== "A") {
          window.location.href = self.lastUrl;
        } else if (self.lastUrl) {
          self.bar.setAttribute("href", self.lastUrl);
        }
      });
    }
    if (this.reply) {
      this.reply.addEventListener("input", function () { self.sendTyping(); });
    }
  }

  TopicPage.prototype.handle = function (m) {
    if (typeof m.seq === "number") {
      if (m.seq <= this.seq && m.type !== "hello") { return; } // already applied
      this.seq = m.seq;
      this.root.dataset.liveSeq = String(m.seq);
    }
    var handler = this["on_" + m.type.replace(".", "_")];
    if (handler) { handler.call(this, m); }
  };

  TopicPage.prototype.on_hello = function (m) {
    this.showPresence(m.reading);
  };

  TopicPage.prototype.on_presence = function (m) {
    this.showPresence(m.reading);
  };

  TopicPage.prototype.showPresence = function (n) {
    if (!this.presence || typeof n !== "number") { return; }
    this.presence.textContent = n > 1 ? text(this.root, "reading", "{n} reading now", { n: n }) : "";
    this.presence.hidden = n <= 1;
  };

  TopicPage.prototype.findPost = function (id) {
    return document.querySelector('[data-post-id="' + id + '"]');
  };

  TopicPage.prototype.readerIsBusy = function () {
    var active = document.activeElement;
    var typing = this.reply && (active === this.reply || this.reply.value.trim() !== "");
    var doc = document.documentElement;
    var scrolledUp = window.innerHeight + window.pageYOffset < doc.scrollHeight - NEAR_BOTTOM;
    return typing || scrolledUp;
  };

  TopicPage.prototype.on_post_created = function (m) {
    if (typeof m.reply_count === "number") { this.showReplyCount(m.reply_count); }
    if (this.findPost(m.post_id)) { return; } // the page already has it
    this.lastUrl = m.url;
    if (this.appendable && m.fragment && !this.readerIsBusy() && !this.pending.length) {
      this.insert(m);
      return;
    }
    if (this.appendable && m.fragment) { this.pending.push(m); }
    this.unseen += 1;
    this.showBar();
  };

  TopicPage.prototype.showBar = function () {
    if (!this.bar) { return; }
    this.bar.textContent = text(this.bar, "label", this.unseen === 1 ? "1 new reply" : "{n} new replies",
      { n: this.unseen });
    if (this.bar.dataset.textOne && this.unseen === 1) { this.bar.textContent = this.bar.dataset.textOne; }
    if (this.bar.tagName === "A" && this.lastUrl && !this.appendable) { this.bar.setAttribute("href", this.lastUrl); }
    this.bar.hidden = false;
  };

  TopicPage.prototype.flush = function () {
    var first = null;
    for (var i = 0; i < this.pending.length; i++) {
      if (this.findPost(this.pending[i].post_id)) { continue; }
      var node = this.insert(this.pending[i]);
      first = first || node;
    }
    this.pending = [];
    this.unseen = 0;
    if (this.bar) { this.bar.hidden = true; }
    if (first && first.scrollIntoView) { first.scrollIntoView({ behavior: "smooth", block: "start" }); }
  };

  TopicPage.prototype.insert = function (m) {
    var template = document.createElement("template");
    template.innerHTML = m.fragment.trim();
    var node = template.content.firstElementChild;
    if (!node || !this.posts) { return null; }
    node.classList.add("live-new");
    this.posts.appendChild(node);
    this.personalize(node, m.post_id);
    return node;
  };

  /* The broadcast fragment is the guest's view of forum/includes/post.html; a signed-in reader gets
     the same partial rendered for them ([data-post-fragment-url], "/0/" standing for the id): the
     vote, bookmark, reply, quote, report and moderation tools their permissions allow. */
  TopicPage.prototype.personalize = function (node, postId) {
    var url = this.root.dataset.postFragmentUrl;
    if (!url || !document.querySelector("[data-live-member]") || !window.fetch) { return; }
    url = url.replace("/0/", "/" + encodeURIComponent(postId) + "/");
    window.fetch(url, {
      credentials: "same-origin",
      headers: { "Accept": "text/html", "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("post fragment " + response.status); }
      return response.text();
    }).then(function (html) {
      var template = document.createElement("template");
      template.innerHTML = html.trim();
      var fresh = template.content.firstElementChild;
      if (!fresh || !node.isConnected) { return; }
      if (node.classList.contains("live-new")) { fresh.classList.add("live-new"); }
      node.replaceWith(fresh);
      if (window.htmx && typeof window.htmx.process === "function") { window.htmx.process(fresh); }
    }, function () { /* offline or refused: the reader keeps the guest's view, a reload has the rest */ });
  };

  TopicPage.prototype.showReplyCount = function (n) {
    all("[data-live-reply-count]").forEach(function (el) {
      el.dataset.liveReplyCount = String(n);
      el.textContent = n === 1 ? (el.dataset.textOne || "1 reply")
        : (el.dataset.textMany || "{n} replies").replace("{n}", String(n));
    });
  };

  TopicPage.prototype.on_post_shown = function (m) {
    var existing = this.findPost(m.post_id);
    if (existing && m.fragment) {
      var template = document.createElement("template");
      template.innerHTML = m.fragment.trim();
      var node = template.content.firstElementChild;
      if (node) {
        existing.replaceWith(node);
        this.personalize(node, m.post_id);
      }
    }
  };

  TopicPage.prototype.on_post_edited = function (m) {
    if (m.redacted || typeof m.html !== "string") { return; }
    all('[data-post-body="' + m.post_id + '"]').forEach(function (body) { body.innerHTML = m.html; });
    var post = this.findPost(m.post_id);
    if (post) { post.classList.add("live-edited"); }
    if (m.title) { all("[data-live-title]").forEach(function (el) { el.textContent = m.title; }); }
  };

  TopicPage.prototype.on_post_hidden = function (m) {
    var self = this;
    var label = m.state === "deleted" ? text(this.root, "deleted", "This post was deleted.")
      : text(this.root, "hidden", "This post was hidden by a moderator.");
    this.pending = this.pending.filter(function (p) { return p.post_id !== m.post_id; });
    all('[data-post-body="' + m.post_id + '"]').forEach(function (body) {
      body.textContent = "";
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = label;
      body.appendChild(p);
    });
    var post = self.findPost(m.post_id);
    if (post) { post.classList.add("post-hidden"); }
  };

  TopicPage.prototype.on_vote_changed = function (m) {
    all('[data-post-score="' + m.post_id + '"]').forEach(function (el) { el.textContent = String(m.score); });
  };

  TopicPage.prototype.applyFlags = function (m) {
    var state = { locked: m.locked, unlocked: !m.locked, pinned: m.pinned, unpinned: !m.pinned, hidden: m.hidden };
    all("[data-live-when]").forEach(function (el) {
      el.hidden = !state[el.dataset.liveWhen];
    });
  };

  TopicPage.prototype.on_topic_changed = function (m) { this.applyFlags(m); };
  TopicPage.prototype.on_topic_hidden = function (m) { this.applyFlags(m); };

  TopicPage.prototype.on_topic_moved = function (m) {
    all("[data-live-category]").forEach(function (el) {
      el.textContent = m.category.name;
      if (el.tagName === "A") { el.setAttribute("href", m.category.url); }
    });
  };

  TopicPage.prototype.on_typing = function (m) {
    var self = this;
    var name = m.user && m.user.name;
    if (!name || !this.typing) { return; }
    clearTimeout(this.typists[name]);
    this.typists[name] = setTimeout(function () {
      delete self.typists[name];
      self.showTyping();
    }, TYPING_SHOWN);
    this.showTyping();
  };

  TopicPage.prototype.showTyping = function () {
    var names = Object.keys(this.typists);
    this.typing.hidden = names.length === 0;
    this.typing.textContent = names.length === 0 ? ""
      : names.length === 1 ? text(this.root, "typing", "{name} is replying…", { name: names[0] })
        : text(this.root, "typingMany", "{n} people are replying…", { n: names.length });
  };

  TopicPage.prototype.sendTyping = function () {
    var now = Date.now();
    if (now - this.lastTypingSent < TYPING_EVERY) { return; }
    this.lastTypingSent = now;
    this.socket.send({ type: "typing" });
  };

  TopicPage.prototype.showNotice = function (message, withReload) {
    var target = this.notice || this.bar;
    if (!target) { return; }
    target.textContent = message + " ";
    if (withReload) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = text(this.root, "reloadButton", "Reload");
      button.addEventListener("click", function () { window.location.reload(); });
      target.appendChild(button);
    }
    target.hidden = false;
  };

  TopicPage.prototype.on_reload = function () {
    // Too far behind to catch up. Never throw away a reply being written.
    if (this.reply && this.reply.value.trim() !== "") {
      this.showNotice(text(this.root, "reload", "New activity: reload the page to see it."), true);
    } else {
      window.location.reload();
    }
  };

  TopicPage.prototype.on_access_revoked = function () {
    this.showNotice(text(this.root, "revoked", "This topic is no longer available."), false);
  };

  /* ---- category and home pages --------------------------------------------------------- */
  function FeedPage(root) {
    this.root = root;
    this.bar = document.querySelector("[data-live-new-topics]");
    this.fresh = 0;
    var self = this;
    this.socket = new LiveSocket(root.dataset.wsPath || "/ws/home/", {
      onMessage: function (m) { self.handle(m); },
      onStatus: function (s) { root.dataset.liveStatus = s; }
    });
    if (this.bar) {
      this.bar.addEventListener("click", function (event) {
        event.preventDefault();
        window.location.reload();
      });
    }
  }

  FeedPage.prototype.handle = function (m) {
    if (m.category_counts && m.category_id) {
      all('[data-category-topics="' + m.category_id + '"]').forEach(function (el) {
        el.textContent = String(m.category_counts.topics);
      });
      all('[data-category-posts="' + m.category_id + '"]').forEach(function (el) {
        el.textContent = String(m.category_counts.posts);
      });
    }
    if (m.type === "topic.created") {
      if (document.querySelector('[data-topic-id="' + m.topic_id + '"]')) { return; }
      this.fresh += 1;
      if (this.bar) {
        this.bar.textContent = text(this.bar, "label", "{n} new topics: show them", { n: this.fresh });
        this.bar.hidden = false;
      }
    } else if (m.type === "topic.activity") {
      all('[data-topic-replies="' + m.topic_id + '"]').forEach(function (el) {
        el.textContent = String(m.reply_count);
      });
      all('[data-topic-id="' + m.topic_id + '"]').forEach(function (el) { el.classList.add("live-active"); });
    }
  };

  /* ---- the member's own channel -------------------------------------------------------- */
  function MemberChannel(root) {
    this.root = root;
    this.toasts = document.querySelector("[data-live-toasts]");
    this.baseTitle = document.title.replace(/^\(\d+\) /, "");
    var self = this;
    this.socket = new LiveSocket("/ws/member/" + root.dataset.liveMember + "/", {
      onMessage: function (m) { self.handle(m); }
    });
  }

  MemberChannel.prototype.handle = function (m) {
    if (typeof m.unread === "number") { this.showUnread(m.unread); }
    if (m.type === "notification" && this.toasts) {
      var toast = document.createElement("a");
      toast.className = "live-toast";
      toast.href = /^\/(?![\/\\])/.test(m.url || "") ? m.url : "#"; // a path on this site, never a scheme
      toast.textContent = m.text;
      toast.setAttribute("role", "status");
      this.toasts.appendChild(toast);
      setTimeout(function () { toast.remove(); }, 8000);
    }
  };

  MemberChannel.prototype.showUnread = function (n) {
    all("[data-live-unread]").forEach(function (el) {
      el.textContent = String(n);
      (el.closest(".badge") || el).hidden = n === 0;
    });
    document.title = n > 0 ? "(" + n + ") " + this.baseTitle : this.baseTitle;
  };


  /* ---- widgets re-rendered by the server (poll bars, lottery results) ------------------- */
  var REFRESH_EVENTS = { "poll.updated": ["poll", "poll_id"], "lottery.drawn": ["lottery", "lottery_id"] };
  var REFRESH_EVERY = 1000; // a burst of votes: one fetch now, one more when the second is over
  var REFRESH_QUIET = 1500; // after the reader sends the widget's form, its answer stays this long

  function Refresher() {
    this.state = {}; // "poll:7" -> {last, timer, busy, again}
    var self = this;
    document.addEventListener("huoli:live", function (event) { self.handle(event.detail); });
    // the reader voted in a widget: the answer (with its "vote counted" notice) replaces it; the
    // event of their own vote must not wipe that notice at once
    document.addEventListener("submit", function (event) {
      var el = event.target && event.target.closest && event.target.closest("[data-live-refresh]");
      if (el) { self.stateOf(el.getAttribute("data-live-refresh")).last = Date.now() + REFRESH_QUIET; }
    }, true);
  }

  Refresher.prototype.stateOf = function (key) {
    return this.state[key] || (this.state[key] = { last: 0, timer: null, busy: false, again: false });
  };

  Refresher.prototype.handle = function (m) {
    var rule = m && REFRESH_EVENTS[m.type];
    if (!rule || m[rule[1]] === undefined || m[rule[1]] === null) { return; }
    this.request(rule[0] + ":" + m[rule[1]]);
  };

  Refresher.prototype.elements = function (key) {
    return all("[data-live-refresh]").filter(function (el) {
      return el.getAttribute("data-live-refresh") === key && el.getAttribute("data-fragment-url");
    });
  };

  Refresher.prototype.request = function (key) {
    if (!this.elements(key).length) { return; }
    var st = this.stateOf(key);
    if (st.busy) { st.again = true; return; } // a fetch is under way: one more once it is back
    if (st.timer) { return; } // already due: it will fetch the newest state
    var self = this;
    var wait = Math.max(0, st.last + REFRESH_EVERY - Date.now());
    st.timer = setTimeout(function () {
      st.timer = null;
      self.fetchAll(key, st);
    }, wait);
  };

  /* The reader is choosing in this widget's form: replacing it would lose their choice. */
  function readerIsIn(el) {
    var active = document.activeElement;
    return !!(active && active !== document.body && el.contains(active) && active.closest("form"));
  }

  Refresher.prototype.later = function (key, el) {
    // retry when the reader leaves the form (focus moves out of the widget)
    if (el.dataset.liveRefreshWaiting) { return; }
    el.dataset.liveRefreshWaiting = "1";
    var self = this;
    el.addEventListener("focusout", function onOut(event) {
      if (event.relatedTarget && el.contains(event.relatedTarget)) { return; }
      el.removeEventListener("focusout", onOut);
      delete el.dataset.liveRefreshWaiting;
      self.request(key);
    });
  };

  Refresher.prototype.fetchAll = function (key, st) {
    var self = this;
    var targets = this.elements(key).filter(function (el) {
      if (readerIsIn(el)) { self.later(key, el); return false; }
      return true;
    });
    if (!targets.length) { return; }
    st.last = Date.now();
    st.busy = true;
    var pending = targets.length;
    var done = function () {
      pending -= 1;
      if (pending > 0) { return; }
      st.busy = false;
      if (st.again) {
        st.again = false;
        self.request(key);
      }
    };
    targets.forEach(function (el) { self.fetchOne(key, el, done); });
  };

  Refresher.prototype.fetchOne = function (key, el, done) {
    var self = this;
    if (!window.fetch) { done(); return; }
    window.fetch(el.getAttribute("data-fragment-url"), {
      credentials: "same-origin",
      cache: "no-cache", // revalidate: the server answers 304 when nothing changed for this reader
      headers: { "Accept": "text/html", "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("fragment " + response.status); }
      return response.text();
    }).then(function (html) {
      self.replace(key, el, html);
      done();
    }, function () {
      done(); // offline or refused: the next event tries again
    });
  };

  Refresher.prototype.replace = function (key, el, html) {
    if (!el.isConnected) { return; } // replaced meanwhile (the reader voted)
    if (readerIsIn(el)) { this.later(key, el); return; }
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var node = template.content.firstElementChild;
    if (!node) { return; }
    if (node.outerHTML === el.outerHTML) { return; }
    el.replaceWith(node);
    if (window.htmx && typeof window.htmx.process === "function") { window.htmx.process(node); }
    try {
      node.dispatchEvent(new CustomEvent("huoli:refreshed", { bubbles: true, detail: { key: key } }));
    } catch (e) {
      /* no CustomEvent: nothing listens */
    }
  };

  function start() {
    if (!("WebSocket" in window)) { return; }
    window.huoliRefresher = new Refresher();
    var topic = document.querySelector("[data-live-topic]");
    if (topic) { window.huoliLive = new TopicPage(topic); }
    var feed = document.querySelector("[data-live-feed]");
    if (feed) { window.huoliFeed = new FeedPage(feed); }
    var member = document.querySelector("[data-live-member]");
    if (member && member.dataset.liveMember) { window.huoliMember = new MemberChannel(member); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
