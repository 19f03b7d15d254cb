/* Kefu web chat widget: add <script src="https://your-kefu-host/widget.js"></script> to a page.
 *
 * Options as data- attributes on that script tag: data-lang="zh|en" (default: the page's lang,
 * then the browser's), data-name="Customer name", data-open="true" (start opened).
 * The widget talks to the gateway over a WebSocket (/ws/chat on the host the script came from),
 * keeps its session id in localStorage, and redraws the conversation from the server's history
 * after a reload or a reconnect. Customer and agent text is only ever set with textContent.
 */
(function () {
  "use strict";
  if (window.__kefuWidget) return;
  window.__kefuWidget = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src]");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|$)/.test(all[i].src)) return all[i];
    }
    return null;
  })();
  var base = new URL(script ? script.src : "/widget.js", window.location.href);
  var origin = base.origin;
  var wsUrl = origin.replace(/^http/, "ws") + "/ws/chat";
  var options = (script && script.dataset) || {};

  var STRINGS = {
    zh: {
      launcher: "在线客服",
      title: "客服中心",
      bot: "智能助手为您服务",
      queued: "正在为您转接人工客服，请稍候…",
      agent: "人工客服 {name} 为您服务",
      agentJoined: "{name} 已加入对话",
      handedBack: "已转回智能助手",
      queuedNotice: "已为您转接人工客服",
      placeholder: "请输入您的问题…",
      send: "发送",
      close: "关闭",
      typing: "正在输入…",
      offline: "连接已断开，正在重新连接…",
      tooLong: "消息太长了，请控制在 2000 字以内。",
      invalid: "这条消息无法发送：请去掉其中的特殊字符（或缩短一些）后重试。",
      unavailable: "消息未能发送，请稍后再试。",
      you: "我",
      bot_name: "智能助手",
      agent_name: "客服",
      empty: "您好！有什么可以帮您？订单、退换货、投诉都可以问我。"
    },
    en: {
      launcher: "Chat with us",
      title: "Customer service",
      bot: "You're chatting with our assistant",
      queued: "Connecting you to an agent…",
      agent: "{name} is helping you",
      agentJoined: "{name} has joined the chat",
      handedBack: "You're back with our assistant",
      queuedNotice: "We're passing you to an agent",
      placeholder: "Type your question…",
      send: "Send",
      close: "Close",
      typing: "typing…",
      offline: "Connection lost. Reconnecting…",
      tooLong: "That message is too long (2,000 characters at most).",
      invalid: "That message could not be sent: please remove any special characters (or shorten it) and try again.",
      unavailable: "Your message could not be sent. Please try again.",
      you: "You",
      bot_name: "Assistant",
      agent_name: "Agent",
      empty: "Hello! Ask me about orders, returns and exchanges, or tell us about a problem."
    }
  };

  function pickLanguage() {
    var wanted = options.lang || document.documentElement.lang || navigator.language || "zh";
    return /^en/i.test(wanted) ? "en" : "zh";
  }
  var lang = pickLanguage();
  var T = STRINGS[lang];
  function t(key, name) {
    return T[key].replace("{name}", name || T.agent_name);
  }

  // --- the session id: random, kept in localStorage (in memory when storage is refused) ---
  var memoryStore = {};
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return memoryStore[key] || null; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { memoryStore[key] = value; }
  }
  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += ("0" + bytes[i].toString(16)).slice(-2);
    return out;
  }
  var sessionId = load("kefu.session");
  if (!sessionId || !/^[A-Za-z0-9_-]{16,64}$/.test(sessionId)) {
    sessionId = newSessionId();
    save("kefu.session", sessionId);
  }

  // --- DOM ---
  function el(tag, className, testId, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (testId) node.setAttribute("data-testid", testId);
    if (text != null) node.textContent = text;
    return node;
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = origin + "/widget.css";
  document.head.appendChild(css);

  var root = el("div", "kefu-root", "kefu-widget");
  root.id = "kefu-widget";
  root.setAttribute("lang", lang === "zh" ? "zh-CN" : "en");

  var launcher = el("button", "kefu-launcher", "kefu-launcher", T.launcher);
  launcher.id = "kefu-launcher";
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "kefu-panel");

  var panel = el("section", "kefu-panel", "kefu-panel");
  panel.id = "kefu-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", T.title);

  var header = el("header", "kefu-header");
  var heading = el("div", "kefu-heading");
  var title = el("div", "kefu-title", "kefu-title", T.title);
  var status = el("div", "kefu-status", "kefu-status", T.bot);
  status.id = "kefu-status";
  status.setAttribute("data-state", "bot");
  var agentName = el("span", "kefu-agent-name", "kefu-agent-name");
  agentName.id = "kefu-agent-name";
  agentName.hidden = true;
  heading.appendChild(title);
  heading.appendChild(status);
  heading.appendChild(agentName);
  var closeButton = el("button", "kefu-close", "kefu-close", "×");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", T.close);
  header.appendChild(heading);
  header.appendChild(closeButton);

  var banner = el("div", "kefu-banner", "kefu-connection", T.offline);
  banner.id = "kefu-connection";
  banner.hidden = true;

  var list = el("ol", "kefu-messages", "kefu-messages");
  list.id = "kefu-messages";
  list.setAttribute("aria-live", "polite");

  var typing = el("div", "kefu-typing", "kefu-typing");
  typing.id = "kefu-typing";
  typing.hidden = true;
  typing.appendChild(el("span", "kefu-dots", null, "• • •"));
  typing.appendChild(el("span", "kefu-typing-text", null, T.typing));

  var form = el("form", "kefu-form", "kefu-form");
  var input = el("textarea", "kefu-input", "kefu-input");
  input.id = "kefu-input";
  input.rows = 1;
  input.maxLength = 2000;
  input.placeholder = T.placeholder;
  input.setAttribute("aria-label", T.placeholder);
  var sendButton = el("button", "kefu-send", "kefu-send", T.send);
  sendButton.id = "kefu-send";
  sendButton.type = "submit";
  form.appendChild(input);
  form.appendChild(sendButton);

  panel.appendChild(header);
  panel.appendChild(banner);
  panel.appendChild(list);
  panel.appendChild(typing);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  function mount() { document.body.appendChild(root); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  // --- rendering ---
  var seen = {};
  var typingTimer = null;

  function scrollDown() { list.scrollTop = list.scrollHeight; }

  function showTyping(on) {
    typing.hidden = !on;
    if (typingTimer) { clearTimeout(typingTimer); typingTimer = null; }
    if (on) typingTimer = setTimeout(function () { typing.hidden = true; }, 20000);
    scrollDown();
  }

  function disableButtons() {
    var groups = list.querySelectorAll(".kefu-buttons button");
    for (var i = 0; i < groups.length; i++) groups[i].disabled = true;
  }

  function safeImage(url) {
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) { return null; }
  }

  function renderMessage(message, withButtons) {
    if (message.id != null) {
      if (seen[message.id]) return;
      seen[message.id] = true;
    }
    var sender = message.sender === "customer" ? "customer" : message.sender === "agent" ? "agent" : "bot";
    var item = el("li", "kefu-message kefu-" + sender, "kefu-message");
    item.setAttribute("data-sender", sender);
    if (message.id != null) item.setAttribute("data-id", String(message.id));
    var who = sender === "customer" ? T.you : sender === "agent" ? (message.author_name || T.agent_name) : T.bot_name;
    item.appendChild(el("div", "kefu-author", "kefu-author", who));
    var bubble = el("div", "kefu-bubble", "kefu-text", message.text || "");
    item.appendChild(bubble);
    var image = message.image && safeImage(message.image);
    if (image) {
      var img = el("img", "kefu-image", "kefu-image");
      img.src = image;
      img.alt = "";
      item.appendChild(img);
    }
    if (sender !== "customer") disableButtons();
    if (withButtons && message.buttons && message.buttons.length) {
      var buttons = el("div", "kefu-buttons", "kefu-buttons");
      message.buttons.forEach(function (b) {
        var button = el("button", "kefu-choice", "kefu-button", b.title);
        button.type = "button";
        button.addEventListener("click", function () {
          if (!sendFrame({ type: "button", title: b.title, payload: b.payload })) return;
          disableButtons();
        });
        buttons.appendChild(button);
      });
      item.appendChild(buttons);
    }
    list.appendChild(item);
    if (sender !== "customer") showTyping(false);
    scrollDown();
  }

  function renderNotice(text) {
    list.appendChild(el("li", "kefu-notice", "kefu-notice", text));
    scrollDown();
  }

  function renderEmpty() {
    list.appendChild(el("li", "kefu-notice kefu-welcome", "kefu-welcome", T.empty));
  }

  function applyState(frame) {
    var state = frame.state || "bot";
    status.setAttribute("data-state", state);
    if (state === "agent") {
      status.textContent = t("agent", frame.agent_name);
      agentName.textContent = frame.agent_name || "";
      agentName.hidden = !frame.agent_name;
    } else {
      status.textContent = state === "queued" ? T.queued : T.bot;
      agentName.textContent = "";
      agentName.hidden = true;
    }
    if (frame.notice === "agent_joined") renderNotice(t("agentJoined", frame.agent_name));
    else if (frame.notice === "queued") renderNotice(T.queuedNotice);
    else if (frame.notice === "handed_back") renderNotice(T.handedBack);
  }

  function renderHistory(frame) {
    while (list.firstChild) list.removeChild(list.firstChild);
    seen = {};
    var messages = frame.messages || [];
    if (!messages.length) renderEmpty();
    messages.forEach(function (m, i) { renderMessage(m, i === messages.length - 1); });
    applyState(frame.state || {});
  }

  // --- the socket, with reconnects ---
  var socket = null;
  var retry = 0;
  var connected = false;

  function setConnected(on) {
    connected = on;
    banner.hidden = on;
    sendButton.disabled = !on;
    root.setAttribute("data-connected", on ? "true" : "false");
  }

  function sendFrame(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function connect() {
    socket = new WebSocket(wsUrl);
    socket.addEventListener("open", function () {
      retry = 0;
      sendFrame({ type: "hello", session_id: sessionId, language: lang, name: options.name || null });
      setConnected(true);
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "history") renderHistory(frame);
      else if (frame.type === "message") renderMessage(frame.message, true);
      else if (frame.type === "typing") showTyping(!!frame.on);
      else if (frame.type === "state") applyState(frame);
      else if (frame.type === "wait") renderNotice(frame.text);
      else if (frame.type === "error") {
        renderNotice(frame.code === "too_long" ? T.tooLong : frame.code === "invalid" ? T.invalid : T.unavailable);
      }
    });
    socket.addEventListener("close", function () {
      setConnected(false);
      showTyping(false);
      var wait = Math.min(15000, 1000 * Math.pow(2, retry++));
      setTimeout(connect, wait);
    });
  }

  // --- input ---
  function submit() {
    var text = input.value.trim();
    if (!text) return;
    if (sendFrame({ type: "message", text: text })) {
      input.value = "";
      disableButtons();
    }
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });

  function setOpen(open) {
    panel.hidden = !open;
    root.setAttribute("data-open", open ? "true" : "false");
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    save("kefu.open", open ? "1" : "0");
    if (open) { scrollDown(); input.focus(); }
  }
  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  closeButton.addEventListener("click", function () { setOpen(false); });

  setConnected(false);
  setOpen(options.open === "true" || load("kefu.open") === "1");
  connect();
})();
