/* One conversation live: transcript, case card, whisper, notes; take over, hand back,
   answer for a caller. Redrawn from GET /console/api/conversations/{id} on every event. */
(function () {
  "use strict";
  var C = window.Console;
  var id = document.body.getAttribute("data-conversation");
  var me = document.body.getAttribute("data-me");
  var base = "/console/api/conversations/" + encodeURIComponent(id);
  var $ = function (x) { return document.getElementById(x); };
  var errorBox = $("error");
  var current = null;
  var tips = 0;

  function fail(error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
  }

  function ok() {
    errorBox.hidden = true;
  }

  function roleName(entry, channel) {
    if (entry.role === "victim") return "用户";
    if (entry.role === "bot") return "机器人";
    if (entry.role === "agent") return channel === "phone" ? "坐席代答" : "坐席";
    return "系统";
  }

  function renderTranscript(data) {
    var box = C.clear($("transcript"));
    data.transcript.forEach(function (entry) {
      if (entry.role === "system") {
        var owner = entry.text.indexOf("owner:") === 0 ? entry.text.slice(6) : null;
        var text = owner === null ? entry.text
          : owner === "bot" ? "已交还机器人" : C.owner(owner) + " 接管了对话";
        box.appendChild(C.el("p", { class: "notice" }, C.time(entry.at) + " " + text));
        return;
      }
      var item = C.el("div", { class: "msg " + entry.role });
      var head = C.el("div", { class: "who" });
      head.appendChild(C.el("strong", null, roleName(entry, data.conversation.channel)));
      head.appendChild(C.el("time", { datetime: entry.at }, " " + C.time(entry.at)));
      item.appendChild(head);
      item.appendChild(C.el("div", { class: "text" }, entry.text));
      if (entry.buttons && entry.buttons.length) {
        item.appendChild(C.el("div", { class: "buttons" },
          "按钮：" + entry.buttons.map(function (b) { return b.label; }).join(" / ")));
      }
      box.appendChild(item);
    });
    box.scrollTop = box.scrollHeight;
  }

  function get(obj, path) {
    return path.split(".").reduce(function (node, part) {
      return node && typeof node === "object" ? node[part] : undefined;
    }, obj);
  }

  function label(data, kind, code) {
    return (data.labels[kind] && data.labels[kind][code]) || code;
  }

  function clause(data, cid) {
    var text = data.clauses[cid];
    var span = C.el("span", { class: "clause", tabindex: "0" }, cid);
    if (text) {
      tips += 1;
      var tip = C.el("span", { class: "tip", role: "tooltip", id: "tip-" + tips }, text);
      span.setAttribute("aria-describedby", tip.id);
      span.appendChild(tip);
      span.addEventListener("mouseenter", C.placeTip);
      span.addEventListener("focus", C.placeTip);
    }
    return span;
  }

  function renderFacts(data) {
    var dl = C.clear($("facts"));
    data.facts_shown.forEach(function (pair) {
      var value = get(data.case, pair[0]);
      if (value === undefined || value === null || value === "") return;
      if (typeof value === "boolean") value = value ? "是" : "否";
      if (pair[0] === "incident.cause") value = label(data, "cause", value);
      value = C.value(value);
      dl.appendChild(C.el("dt", null, pair[1]));
      dl.appendChild(C.el("dd", null, value));
    });
    (data.case.transactions || []).forEach(function (tx, i) {
      dl.appendChild(C.el("dt", null, "交易 " + (tx.id || "t" + (i + 1))));
      var parts = [
        tx.amount !== undefined && tx.amount !== null ? tx.amount + " 元" : "金额未知",
        tx.at ? C.time(tx.at) : "时间未知",
        tx.account ? label(data, "account", tx.account) : "",
        tx.kind ? label(data, "kind", tx.kind) : "",
        tx.institution || ""
      ].filter(Boolean);
      dl.appendChild(C.el("dd", null, parts.join(" · ")));
    });
    if ((data.case.documents || []).length) {
      dl.appendChild(C.el("dt", null, "已有材料"));
      dl.appendChild(C.el("dd", null, data.case.documents.map(function (d) {
        return label(data, "document", d);
      }).join("、")));
    }
  }

  function renderDecision(data) {
    var body = C.clear(document.querySelector("#decision tbody"));
    var missing = C.clear($("missing"));
    var deadlines = C.clear($("deadlines"));
    var decision = data.decision;
    if (!decision) {
      $("totals").textContent = "暂无决定：" + (data.summary.problems || []).join("；");
      return;
    }
    decision.lines.forEach(function (line) {
      var tr = C.el("tr");
      tr.appendChild(C.el("td", null, line.transaction));
      tr.appendChild(C.el("td", { class: "status " + line.status }, label(data, "status", line.status)));
      tr.appendChild(C.el("td", null, line.claimed));
      tr.appendChild(C.el("td", null, line.eligible));
      var cell = C.el("td");
      line.clauses.forEach(function (cid) { cell.appendChild(clause(data, cid)); });
      tr.appendChild(cell);
      tr.appendChild(C.el("td", null, line.reason));
      body.appendChild(tr);
    });
    C.labelColumns(document.getElementById("decision"));
    var t = decision.totals;
    $("totals").textContent = decision.wording.title + " " + decision.wording.version + "：申请 " +
      t.claimed + " 元，可赔 " + t.eligible + " 元，免赔 " + t.deduction + " 元，应付 " +
      t.payable + " 元" + (decision.provisional ? "（初步）" : "");
    decision.missing_documents.forEach(function (m) {
      var li = C.el("li", null, m.label + " ");
      li.appendChild(clause(data, m.clause));
      missing.appendChild(li);
    });
    if (!decision.missing_documents.length) missing.appendChild(C.el("li", null, "无"));
    decision.deadlines.forEach(function (d) {
      var li = C.el("li", null, d.label + "：" + (d.due ? C.time(d.due) : "提交索赔后起算") + " ");
      li.appendChild(clause(data, d.clause));
      deadlines.appendChild(li);
    });
  }

  function renderCard(data) {
    renderFacts(data);
    var timeline = C.clear($("timeline"));
    data.summary.timeline.forEach(function (t) {
      timeline.appendChild(C.el("li", null, C.time(t.at) + " " + t.event));
    });
    renderDecision(data);
    var checklist = C.clear($("checklist"));
    data.summary.checklist.forEach(function (c) {
      checklist.appendChild(C.el("li", { class: c.done ? "done" : "todo" }, (c.done ? "☑ " : "☐ ") + c.item));
    });
    // Facts the victim did not know, assumed so the case could be decided: check them first.
    var toVerify = C.clear($("to-verify"));
    data.summary.to_verify.forEach(function (v) {
      toVerify.appendChild(C.el("li", null, v));
    });
    if (!data.summary.to_verify.length) toVerify.appendChild(C.el("li", null, "无"));
    var evidence = C.clear($("evidence"));
    data.evidence.forEach(function (f) {
      var li = C.el("li");
      li.appendChild(C.el("a", {
        href: base + "/evidence/" + encodeURIComponent(f.sha256),
        download: f.file_name
      }, f.file_name));
      li.appendChild(document.createTextNode("（" + f.content_type + "，" + f.size + " 字节）"));
      evidence.appendChild(li);
    });
    if (!data.evidence.length) evidence.appendChild(C.el("li", null, "无"));
  }

  function renderHead(data) {
    var row = data.conversation;
    $("case-code").textContent = row.case_code;
    $("meta").textContent = "渠道：" + C.channel(row.channel) + " · 状态：" + row.state +
      " · 负责：" + C.owner(row.owner) + (row.handoff ? " · 转人工：" + row.handoff : "") +
      " · 最近活动：" + C.since(row.updated_at) + "前";
    var flags = C.clear($("flags"));
    row.risk.forEach(function (f) { flags.appendChild(C.el("li", { class: "flag " + f.id }, f.label)); });
    var mine = row.owner === "agent:" + me;
    $("claim").hidden = !row.claimable;
    $("take-over").hidden = row.owner !== "bot" || row.channel === "phone";
    $("hand-back").hidden = !mine;
    $("agent-form").hidden = !mine;
    $("phone").hidden = row.channel !== "phone" || row.owner !== "bot";
  }

  function renderWhisper(data) {
    var w = data.whisper;
    $("whisper-text").textContent = w.text;
    $("whisper-expects").textContent = w.expects
      ? "需要：" + w.expects.slot + "（" + w.expects.kind + "）" : "";
    var buttons = C.clear($("phone-buttons"));
    (w.buttons || []).forEach(function (b) {
      var button = C.el("button", { type: "button", class: "choice" }, b.label);
      button.addEventListener("click", function () { answer({ choice: b.id }); });
      buttons.appendChild(button);
    });
  }

  function renderSide(data) {
    var notes = C.clear($("notes"));
    data.notes.forEach(function (n) {
      var li = C.el("li");
      li.appendChild(C.el("span", { class: "by" }, C.time(n.at) + " " + n.agent + "："));
      li.appendChild(C.el("span", null, n.text));
      notes.appendChild(li);
    });
    var audit = C.clear($("audit"));
    data.audit.forEach(function (a) {
      audit.appendChild(C.el("li", null, C.time(a.at) + " " + a.agent + " " + a.action +
        (a.detail ? "：" + a.detail : "")));
    });
  }

  function render(data) {
    current = data;
    renderHead(data);
    renderTranscript(data);
    renderWhisper(data);
    renderCard(data);
    renderSide(data);
    document.body.setAttribute("data-version", String(Date.now()));
  }

  function refresh() {
    return C.api("GET", base).then(render).catch(fail);
  }

  function act(path, body) {
    ok();
    return C.api("POST", base + path, body).then(refresh).catch(fail);
  }

  function answer(body) {
    body.message_id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now());
    return act("/answer", body);
  }

  $("claim").addEventListener("click", function () { act("/claim"); });
  $("take-over").addEventListener("click", function () { act("/take-over"); });
  $("hand-back").addEventListener("click", function () { act("/hand-back"); });

  function onSubmit(formId, inputId, send) {
    $(formId).addEventListener("submit", function (event) {
      event.preventDefault();
      var input = $(inputId);
      var text = input.value.trim();
      if (!text) return;
      input.value = ""; // at once: the agent may type the next answer while this one is sent
      send(text).then(function () {
        if (!errorBox.hidden && !input.value) input.value = text; // not sent: give it back
        input.focus();
      });
    });
  }
  onSubmit("agent-form", "agent-text", function (text) { return act("/messages", { text: text }); });
  onSubmit("note-form", "note-text", function (text) { return act("/notes", { text: text }); });
  onSubmit("phone-form", "phone-text", function (text) { return answer({ text: text }); });

  var refreshSoon = C.throttle(refresh, 250);
  C.live("conversation=" + encodeURIComponent(id), refreshSoon, refresh, null);
})();
