/* lossline web chat widget: one tag on any page.
 *
 *   <script src="https://lossline.example/widget.js"
 *           data-lossline-server="https://lossline.example"
 *           data-lossline-locale="zh-CN"></script>      (or "en")
 *
 * Everything lives in a shadow root, so the host page's CSS cannot reach it. Every text a
 * person or the bot wrote is put in with textContent, never as HTML. The conversation id and
 * token are kept in localStorage: a reload resumes the conversation and redraws it from
 * GET /case. Agent messages arrive over a WebSocket that reconnects with backoff.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__losslineWidget) return;
  window.__losslineWidget = true;

  var server = (script.getAttribute("data-lossline-server") || new URL(script.src).origin)
    .replace(/\/+$/, "");
  var locale = script.getAttribute("data-lossline-locale") === "en" ? "en" : "zh-CN";
  var storageKey = "lossline:" + server;

  var TEXT = {
    "zh-CN": {
      launcher: "在线客服",
      title: "盗刷应急理赔助手",
      subtitle: "先止损，再理赔",
      close: "关闭",
      input: "输入消息",
      placeholder: "请描述发生了什么…",
      send: "发送",
      log: "对话记录",
      quick: "快捷回复",
      typing: "正在输入…",
      me: "我",
      bot: "助手",
      agent: "人工客服",
      system: "提示",
      colon: "：",
      attach: "上传证据",
      uploadTitle: "上传证据（图片或 PDF，最大 10 MB）",
      uploadWarning:
        "截图前请遮住完整的银行卡号、身份证号和验证码，只保留卡号后四位。不要上传含密码的图片。",
      choose: "选择文件",
      cancel: "取消",
      uploading: "正在上传：",
      uploaded: "已上传证据：",
      uploadFailed: "上传失败：",
      agentJoined: "人工客服已接入，接下来由客服为您服务。",
      botBack: "人工客服已离开，智能助手继续为您服务。",
      offline: "网络断开，正在重连…",
      failed: "消息没有发出去，请稍后重试。",
      restarted: "之前的对话已过期，已为您开始新的对话。"
    },
    en: {
      launcher: "Chat with us",
      title: "Card theft first aid",
      subtitle: "Stop the loss, then claim",
      close: "Close",
      input: "Type a message",
      placeholder: "Tell us what happened…",
      send: "Send",
      log: "Conversation",
      quick: "Quick replies",
      typing: "Typing…",
      me: "Me",
      bot: "Assistant",
      agent: "Agent",
      system: "Notice",
      colon: ": ",
      attach: "Upload evidence",
      uploadTitle: "Upload evidence (image or PDF, up to 10 MB)",
      uploadWarning:
        "Before taking a screenshot, cover full card numbers, ID numbers and codes: keep only the " +
        "last four digits of a card. Never upload an image showing a password.",
      choose: "Choose file",
      cancel: "Cancel",
      uploading: "Uploading: ",
      uploaded: "Evidence uploaded: ",
      uploadFailed: "Upload failed: ",
      agentJoined: "An agent has joined and will help you from here.",
      botBack: "The agent has left; the assistant carries on.",
      offline: "Connection lost, reconnecting…",
      failed: "Your message was not sent. Please try again.",
      restarted: "The earlier conversation has expired; a new one has started."
    }
  }[locale];

  var CSS = [
    // Inherited properties cross into a shadow root: the host page's letter-spacing or font
    // would reach us through the host element, so .root sets every one of them itself.
    ":host{all:initial}",
    ".root{font:400 15px/1.5 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',",
    "'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;color:#1f2933;letter-spacing:normal;",
    "word-spacing:normal;text-transform:none;text-align:left;text-indent:0;font-style:normal;",
    "white-space:normal;direction:ltr;visibility:visible;cursor:auto}",
    "*{box-sizing:border-box;font:inherit;letter-spacing:inherit}",
    ".launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000}",
    "button{cursor:pointer;border-radius:8px;border:1px solid transparent;padding:8px 14px;",
    "min-height:40px;background:#0b5cad;color:#fff}",
    "button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #f5a623;",
    "outline-offset:2px}",
    ".launcher{display:flex;align-items:center;gap:8px;padding:12px 18px;border-radius:999px;",
    "box-shadow:0 4px 16px rgba(0,0,0,.25);font-weight:600}",
    ".launcher svg{width:20px;height:20px;fill:currentColor}",
    ".panel{position:fixed;z-index:2147483000;right:16px;bottom:16px;width:380px;height:min(620px,calc(100vh - 32px));",
    "display:flex;flex-direction:column;background:#fff;border-radius:14px;overflow:hidden;",
    "box-shadow:0 8px 32px rgba(0,0,0,.3)}",
    ".panel[hidden],.launcher[hidden],[hidden]{display:none!important}",
    "header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#0b5cad;color:#fff}",
    "header .titles{flex:1;min-width:0}",
    "header h2{margin:0;font-size:16px;font-weight:700}",
    "header p{margin:0;font-size:12px;opacity:.9}",
    "header button{background:transparent;border-color:rgba(255,255,255,.6);padding:4px 10px;",
    "min-height:32px}",
    ".log{flex:1;overflow-y:auto;padding:12px;background:#f4f6f8;display:flex;flex-direction:column;",
    "gap:8px}",
    ".msg{max-width:85%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;",
    "overflow-wrap:anywhere;background:#fff;border:1px solid #dde3ea}",
    ".msg.victim{align-self:flex-end;background:#0b5cad;color:#fff;border-color:#0b5cad}",
    ".msg.agent{background:#fff7e6;border-color:#f0c36d}",
    ".msg .who{display:block;font-size:12px;font-weight:600;color:#52606d}",
    ".msg.victim .who{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    ".notice{align-self:center;font-size:13px;color:#52606d;text-align:center;padding:2px 8px}",
    ".notice.error{color:#b42318}",
    ".typing{padding:0 12px 6px;font-size:13px;color:#52606d;background:#f4f6f8}",
    ".typing span{display:inline-block;animation:blink 1.2s infinite}",
    "@keyframes blink{0%,100%{opacity:.2}50%{opacity:1}}",
    ".quick{display:flex;flex-wrap:wrap;gap:6px;padding:8px 12px;border-top:1px solid #e4e7eb;",
    "max-height:30%;overflow-y:auto}",
    ".quick button{background:#fff;color:#0b5cad;border-color:#0b5cad;min-height:36px;padding:6px 12px}",
    ".upload{padding:10px 12px;border-top:1px solid #e4e7eb;background:#fffbeb}",
    ".upload h3{margin:0 0 4px;font-size:14px}",
    ".upload p{margin:0 0 8px;font-size:13px;color:#7a4b00}",
    ".upload .row{display:flex;gap:8px}",
    ".upload .secondary{background:#fff;color:#1f2933;border-color:#cbd2d9}",
    "form{display:flex;gap:6px;align-items:flex-end;padding:8px;border-top:1px solid #e4e7eb}",
    "textarea{flex:1;min-width:0;resize:none;border:1px solid #cbd2d9;border-radius:8px;",
    "padding:8px;min-height:40px;max-height:120px;color:#1f2933;background:#fff}",
    ".attach{background:#fff;color:#0b5cad;border-color:#cbd2d9;padding:8px}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:480px){.launcher{right:8px;bottom:8px}",
    ".panel{right:0;bottom:0;left:0;top:0;width:100%;height:100%;border-radius:0}}"
  ].join("");

  // -- the DOM -------------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        node.setAttribute(name, attrs[name]);
      });
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A tag of our own: the host page's `div { … }` rules cannot select it.
  var host = el("lossline-chat", { id: "lossline-widget" });
  var shadow = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  shadow.appendChild(style);
  var root = el("div", { class: "root" });
  shadow.appendChild(root);

  var launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false" });
  launcher.appendChild(svgBubble());
  launcher.appendChild(el("span", null, TEXT.launcher));

  var panel = el("section", { class: "panel", role: "dialog", "aria-label": TEXT.title });
  panel.hidden = true;
  var header = el("header");
  var titles = el("div", { class: "titles" });
  titles.appendChild(el("h2", null, TEXT.title));
  var status = el("p", { role: "status" }, TEXT.subtitle);
  titles.appendChild(status);
  var closeButton = el("button", { type: "button", class: "close" }, TEXT.close);
  header.appendChild(titles);
  header.appendChild(closeButton);

  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": TEXT.log });
  var typing = el("div", { class: "typing", role: "status" });
  typing.appendChild(el("span", null, TEXT.typing));
  typing.hidden = true;
  var quick = el("div", { class: "quick", role: "group", "aria-label": TEXT.quick });
  quick.hidden = true;

  var upload = el("div", { class: "upload" });
  upload.hidden = true;
  upload.appendChild(el("h3", null, TEXT.uploadTitle));
  upload.appendChild(el("p", { class: "warning" }, TEXT.uploadWarning));
  var uploadRow = el("div", { class: "row" });
  var chooseButton = el("button", { type: "button" }, TEXT.choose);
  var cancelUpload = el("button", { type: "button", class: "secondary" }, TEXT.cancel);
  var fileInput = el("input", {
    type: "file",
    accept: "image/png,image/jpeg,image/webp,image/heic,image/gif,application/pdf",
    tabindex: "-1",
    "aria-hidden": "true"
  });
  fileInput.hidden = true;
  uploadRow.appendChild(chooseButton);
  uploadRow.appendChild(cancelUpload);
  upload.appendChild(uploadRow);
  upload.appendChild(fileInput);

  var form = el("form");
  var attachButton = el("button", { type: "button", class: "attach", "aria-label": TEXT.attach });
  attachButton.appendChild(svgClip());
  var input = el("textarea", { "aria-label": TEXT.input, rows: "1", placeholder: TEXT.placeholder });
  input.maxLength = 2000;
  var sendButton = el("button", { type: "submit" }, TEXT.send);
  form.appendChild(attachButton);
  form.appendChild(input);
  form.appendChild(sendButton);

  [header, log, typing, quick, upload, form].forEach(function (part) {
    panel.appendChild(part);
  });
  root.appendChild(launcher);
  root.appendChild(panel);

  function svgBubble() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16v12H7l-3 3z");
    svg.appendChild(path);
    return svg;
  }

  function svgClip() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("d", "M16 6l-8 8a2.5 2.5 0 003.5 3.5l8-8a4.5 4.5 0 00-6.4-6.4l-8 8");
    svg.appendChild(path);
    return svg;
  }

  // -- what is kept across reloads ---------------------------------------------------------

  function loadSaved() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      return saved && saved.id && saved.token ? saved : null;
    } catch (e) {
      return null;
    }
  }

  function save() {
    try {
      window.localStorage.setItem(
        storageKey,
        JSON.stringify({ id: conversation.id, token: conversation.token, open: !panel.hidden })
      );
    } catch (e) {
      /* private mode: the conversation lasts as long as the page */
    }
  }

  function forget() {
    try {
      window.localStorage.removeItem(storageKey);
    } catch (e) {
      /* nothing kept */
    }
  }

  // -- rendering ---------------------------------------------------------------------------

  var conversation = { id: null, token: null };
  var seenAgentMessages = {};

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function addMessage(role, text) {
    var who = { victim: TEXT.me, bot: TEXT.bot, agent: TEXT.agent }[role] || TEXT.system;
    var bubble = el("div", { class: "msg " + role });
    bubble.appendChild(el("span", { class: "who" }, who + TEXT.colon));
    bubble.appendChild(document.createTextNode(text));
    log.appendChild(bubble);
    scrollDown();
    return bubble;
  }

  function addNotice(text, isError) {
    var notice = el("div", { class: "notice" + (isError ? " error" : "") }, text);
    log.appendChild(notice);
    scrollDown();
  }

  function showButtons(buttons) {
    while (quick.firstChild) quick.removeChild(quick.firstChild);
    (buttons || []).forEach(function (button) {
      var b = el("button", { type: "button" }, button.label);
      b.addEventListener("click", function () {
        send({ choice: button.id }, button.label);
        input.focus(); // the button goes away with its reply; keep keyboard users in place
      });
      quick.appendChild(b);
    });
    quick.hidden = !quick.firstChild;
  }

  // The buttons of the bot's last question: hidden while an agent talks, shown again when the
  // bot takes the conversation back and waits for the same answer.
  var botButtons = [];

  function showReplies(replies) {
    if (!replies || !replies.length) return; // an agent has the conversation: they answer
    replies.forEach(function (reply) {
      addMessage("bot", reply.text);
      botButtons = reply.buttons || [];
    });
    showButtons(botButtons);
  }

  function agentKey(at, text) {
    return String(Date.parse(at)) + "|" + text;
  }

  function showAgentMessage(at, text) {
    var key = agentKey(at, text);
    if (seenAgentMessages[key]) return;
    seenAgentMessages[key] = true;
    addMessage("agent", text);
  }

  function showOwner(owner) {
    var agent = owner && owner.indexOf("agent:") === 0;
    addNotice(agent ? TEXT.agentJoined : TEXT.botBack);
    showButtons(agent ? [] : botButtons);
  }

  function redraw(view) {
    while (log.firstChild) log.removeChild(log.firstChild);
    seenAgentMessages = {};
    botButtons = [];
    var agentOwns = false;
    (view.transcript || []).forEach(function (entry) {
      if (entry.role === "system") {
        if (entry.text.indexOf("owner:") === 0) {
          agentOwns = entry.text.indexOf("owner:agent:") === 0;
          addNotice(agentOwns ? TEXT.agentJoined : TEXT.botBack);
        }
      } else if (entry.role === "agent") {
        showAgentMessage(entry.at, entry.text);
      } else {
        addMessage(entry.role, entry.text);
        if (entry.role === "bot") botButtons = entry.buttons || [];
      }
    });
    showButtons(agentOwns ? [] : botButtons);
  }

  // -- talking to the server ---------------------------------------------------------------

  function api(path, options) {
    options = options || {};
    var headers = options.headers || {};
    if (conversation.token) headers.Authorization = "Bearer " + conversation.token;
    if (options.json) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.json);
    }
    return fetch(server + path, { method: options.method || "GET", headers: headers, body: options.body });
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  /* A request retried on network errors, 429 and 5xx, with the same body (and message id). */
  function withRetry(make, attempts) {
    return make().then(
      function (response) {
        if ((response.status === 429 || response.status >= 500) && attempts > 1) {
          var after = Number(response.headers.get("Retry-After")) || 1;
          return wait(Math.min(after, 10) * 1000).then(function () {
            return withRetry(make, attempts - 1);
          });
        }
        return response;
      },
      function (error) {
        if (attempts <= 1) throw error;
        return wait(800).then(function () {
          return withRetry(make, attempts - 1);
        });
      }
    );
  }

  var starting = null;
  var expired = false; // a kept conversation was gone on reload: say so when a new one starts

  function start() {
    if (!starting) {
      if (expired) addNotice(TEXT.restarted);
      expired = false;
      starting = api("/api/conversations", { method: "POST", json: { channel: "web", locale: locale } })
        .then(function (response) {
          if (!response.ok) throw new Error("start " + response.status);
          return response.json();
        })
        .then(function (data) {
          conversation = { id: data.id, token: data.token };
          save();
          showReplies(data.replies);
          connect();
        })
        .catch(function () {
          starting = null;
          addNotice(TEXT.failed, true);
        });
    }
    return starting;
  }

  /* The conversation, started if need be; resolves once it exists or its start failed. */
  function ready() {
    return conversation.id ? Promise.resolve() : start();
  }

  function resume(saved) {
    conversation = { id: saved.id, token: saved.token };
    return fetchCase().then(function (ok) {
      if (ok) {
        connect();
        return;
      }
      forget();
      conversation = { id: null, token: null };
      expired = true;
    });
  }

  /* Redraw the transcript from the server; false when the conversation is gone. */
  function fetchCase() {
    return api("/api/conversations/" + encodeURIComponent(conversation.id) + "/case")
      .then(function (response) {
        if (response.status === 404 || response.status === 401 || response.status === 403) {
          return false;
        }
        if (!response.ok) throw new Error("case " + response.status);
        return response.json().then(function (view) {
          redraw(view);
          return true;
        });
      })
      .catch(function () {
        addNotice(TEXT.offline, true);
        return true;
      });
  }

  var inFlight = 0;

  function setTyping(on) {
    inFlight += on ? 1 : -1;
    typing.hidden = inFlight <= 0;
    if (!typing.hidden) scrollDown();
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function send(body, shown) {
    if (!conversation.id) return;
    addMessage("victim", shown);
    showButtons([]);
    body.message_id = newId();
    setTyping(true);
    var path = "/api/conversations/" + encodeURIComponent(conversation.id) + "/messages";
    return withRetry(function () {
      return api(path, { method: "POST", json: body });
    }, 3)
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            addNotice((data.error && data.error.message) || TEXT.failed, true);
            showButtons(botButtons);
            return;
          }
          showReplies(data.replies);
        });
      })
      .catch(function () {
        addNotice(TEXT.failed, true);
        showButtons(botButtons);
      })
      .then(function () {
        setTyping(false);
      });
  }

  // -- evidence ----------------------------------------------------------------------------

  function uploadFile(file) {
    if (!conversation.id || !file) return;
    addNotice(TEXT.uploading + file.name);
    var data = new FormData();
    data.append("file", file, file.name);
    setTyping(true);
    api("/api/conversations/" + encodeURIComponent(conversation.id) + "/evidence", {
      method: "POST",
      body: data
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) addNotice(TEXT.uploaded + body.file_name);
          else addNotice(TEXT.uploadFailed + ((body.error && body.error.message) || response.status), true);
        });
      })
      .catch(function () {
        addNotice(TEXT.uploadFailed + TEXT.failed, true);
      })
      .then(function () {
        setTyping(false);
      });
  }

  // -- the live channel: agent messages, with reconnect and backoff -------------------------

  var socket = null;
  var retries = 0;
  var everOpened = false;
  var reconnectTimer = null;

  function connect() {
    if (!conversation.id || socket) return;
    var url =
      server.replace(/^http/, "ws") +
      "/api/conversations/" +
      encodeURIComponent(conversation.id) +
      "/ws?token=" +
      encodeURIComponent(conversation.token);
    var ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = function () {
      var again = everOpened;
      everOpened = true;
      retries = 0;
      status.textContent = TEXT.subtitle;
      // Whatever an agent wrote while we were away is in the transcript: redraw from it.
      if (again) fetchCase();
    };
    ws.onmessage = function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      if (event.type === "agent_message") {
        showAgentMessage(event.at, event.text);
        showButtons([]);
      } else if (event.type === "owner") {
        showOwner(event.owner);
      } else if (event.type === "missed") {
        // The server may have lost events on their way here: redraw from the case.
        fetchCase();
      }
    };
    ws.onclose = function (event) {
      socket = null;
      if (event.code === 4403 || event.code === 4404) return; // the conversation is gone
      if (everOpened) status.textContent = TEXT.offline;
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (reconnectTimer) return;
    var delay = Math.min(30000, 500 * Math.pow(2, retries));
    retries += 1;
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay * (0.5 + Math.random() / 2));
  }

  // -- opening, closing, typing --------------------------------------------------------------

  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    if (focus !== false) input.focus();
    if (conversation.id) save();
    else start();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    if (conversation.id) save();
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    open(true);
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    // Typed while the conversation is still starting: it goes once the greeting is shown.
    ready().then(function () {
      if (conversation.id) send({ text: text }, text);
      else if (!input.value) input.value = text; // the start failed: keep what was typed
    });
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  attachButton.addEventListener("click", function () {
    upload.hidden = !upload.hidden;
    if (!upload.hidden) chooseButton.focus();
  });
  cancelUpload.addEventListener("click", function () {
    upload.hidden = true;
    attachButton.focus();
  });
  chooseButton.addEventListener("click", function () {
    fileInput.click();
  });
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    upload.hidden = true;
    uploadFile(file);
    fileInput.value = "";
    attachButton.focus();
  });

  function mount() {
    document.body.appendChild(host);
    var saved = loadSaved();
    if (saved) {
      resume(saved).then(function () {
        if (saved.open) open(false); // as it was, without taking the page's focus
      });
    }
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
