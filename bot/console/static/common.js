/* The console's shared helpers. Every text from a conversation is set with textContent. */
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /* JSON in and out; POSTs carry the session's CSRF token. Rejects with the API's message. */
  function api(method, path, body) {
    var headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = csrfMeta ? csrfMeta.content : "";
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(path, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 401) {
        window.location.href = "/console/login?next=" + encodeURIComponent(window.location.pathname);
        throw new Error("请先登录。");
      }
      return response.json().then(function (data) {
        if (!response.ok) throw new Error((data.error && data.error.message) || "请求失败。");
        return data;
      });
    });
  }

  /* Times as the cases read them: Beijing time, whatever the agent's computer says. */
  var BEIJING = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23"
  });

  function time(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso || "";
    var p = {};
    BEIJING.formatToParts(d).forEach(function (part) {
      p[part.type] = part.value;
    });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second;
  }

  var ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

  /* A value for display: ISO date-times in Beijing time, anything else as it is. */
  function value(v) {
    return typeof v === "string" && ISO_TIME.test(v) ? time(v) : v;
  }

  /* Tooltips float above everything (a table that scrolls would clip them otherwise). */
  function placeTip(event) {
    var tip = event.currentTarget.querySelector(".tip");
    if (!tip) return;
    var box = event.currentTarget.getBoundingClientRect();
    var width = Math.min(420, window.innerWidth - 16);
    tip.style.width = width + "px";
    tip.style.left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8)) + "px";
    tip.style.top = box.bottom + 4 + "px";
  }

  function since(iso) {
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + " 秒";
    if (s < 3600) return Math.floor(s / 60) + " 分 " + (s % 60) + " 秒";
    if (s < 86400) return Math.floor(s / 3600) + " 小时 " + Math.floor((s % 3600) / 60) + " 分";
    return Math.floor(s / 86400) + " 天";
  }

  /* The console's live feed: calls onEvent for each event, reconnects with backoff, and
     calls onOpen on every (re)connection so the page can catch up with what it missed. */
  function live(query, onEvent, onOpen, statusNode) {
    var retries = 0;
    function connect() {
      var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host +
        "/console/api/live" + (query ? "?" + query : "");
      var ws = new WebSocket(url);
      ws.onopen = function () {
        retries = 0;
        if (statusNode) statusNode.textContent = "实时更新中";
        onOpen();
      };
      ws.onmessage = function (message) {
        var event;
        try {
          event = JSON.parse(message.data);
        } catch (e) {
          return;
        }
        if (event.type !== "ping") onEvent(event);
      };
      ws.onclose = function (event) {
        if (statusNode) statusNode.textContent = "连接断开，正在重连…";
        if (event.code === 4401) {
          window.location.href = "/console/login?next=" + encodeURIComponent(location.pathname);
          return;
        }
        var delay = Math.min(30000, 500 * Math.pow(2, retries));
        retries += 1;
        setTimeout(connect, delay * (0.5 + Math.random() / 2));
      };
    }
    connect();
  }

  /* Run fn at most once per `ms`, and once more after the last call. */
  function throttle(fn, ms) {
    var timer = null;
    var again = false;
    return function () {
      if (timer) {
        again = true;
        return;
      }
      fn();
      timer = setTimeout(function tick() {
        timer = null;
        if (again) {
          again = false;
          fn();
          timer = setTimeout(tick, ms);
        }
      }, ms);
    };
  }

  /* Give each cell its column's name (data-label), for narrow screens where a row of a
     .stack table is shown as a card. */
  function labelColumns(table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent;
    });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        td.setAttribute("data-label", names[i] || "");
      });
    });
  }

  var OWNER = function (owner) {
    if (!owner || owner === "bot") return "机器人";
    return owner.indexOf("agent:") === 0 ? owner.slice(6) : owner;
  };

  var CHANNELS = { web: "网页", phone: "电话", telegram: "Telegram", cli: "命令行", api: "API" };

  window.Console = {
    el: el,
    clear: clear,
    api: api,
    time: time,
    value: value,
    placeTip: placeTip,
    since: since,
    live: live,
    throttle: throttle,
    labelColumns: labelColumns,
    owner: OWNER,
    channel: function (c) {
      return CHANNELS[c] || c;
    }
  };
})();
