/* The live list: every conversation and the hand-off queue, refreshed as events arrive. */
(function () {
  "use strict";
  var C = window.Console;
  var status = document.getElementById("live-status");
  var queueBody = document.querySelector("#queue tbody");
  var allBody = document.querySelector("#conversations tbody");
  var pending = document.getElementById("pending");
  var queueEmpty = document.getElementById("queue-empty");
  var rows = [];

  function link(row) {
    var a = C.el("a", { href: "/console/c/" + encodeURIComponent(row.id) }, row.case_code || row.id);
    return a;
  }

  function flags(row) {
    var ul = C.el("ul", { class: "flags" });
    row.risk.forEach(function (flag) {
      ul.appendChild(C.el("li", { class: "flag " + flag.id }, flag.label));
    });
    return ul;
  }

  function cell(tr, content, cls) {
    var td = C.el("td", cls ? { class: cls } : null);
    if (typeof content === "string") td.textContent = content;
    else if (content) td.appendChild(content);
    tr.appendChild(td);
    return td;
  }

  function waiting(row) {
    return C.el("span", { class: "waiting", "data-since": row.updated_at }, C.since(row.updated_at));
  }

  function claimButton(row) {
    var button = C.el("button", { type: "button", "aria-label": "认领 " + row.case_code }, "认领");
    button.addEventListener("click", function () {
      button.disabled = true;
      C.api("POST", "/console/api/conversations/" + encodeURIComponent(row.id) + "/claim")
        .then(function () {
          window.location.href = "/console/c/" + encodeURIComponent(row.id);
        })
        .catch(function (error) {
          button.disabled = false;
          status.textContent = error.message;
          refresh();
        });
    });
    return button;
  }

  function render(data) {
    rows = data.conversations;
    pending.textContent = "（待认领 " + data.pending + "）";
    C.clear(queueBody);
    C.clear(allBody);
    var queued = 0;
    rows.forEach(function (row) {
      var tr = C.el("tr", { "data-id": row.id });
      cell(tr, link(row));
      cell(tr, C.channel(row.channel));
      cell(tr, row.state);
      cell(tr, waiting(row));
      cell(tr, C.owner(row.owner) + (row.handoff ? "（" + ({ queued: "排队中", claimed: "已认领", closed: "已结束" }[row.handoff]) + "）" : ""));
      cell(tr, flags(row));
      allBody.appendChild(tr);
      if (row.handoff === "queued") {
        queued += 1;
        var q = C.el("tr", { "data-id": row.id });
        cell(q, link(row));
        cell(q, C.channel(row.channel));
        cell(q, waiting(row));
        cell(q, flags(row));
        cell(q, row.claimable ? claimButton(row) : "入队中…");
        queueBody.appendChild(q);
      }
    });
    queueEmpty.hidden = queued > 0;
    C.labelColumns(document.getElementById("queue"));
    C.labelColumns(document.getElementById("conversations"));
  }

  function refresh() {
    C.api("GET", "/console/api/conversations").then(render).catch(function (error) {
      status.textContent = error.message;
    });
  }

  var refreshSoon = C.throttle(refresh, 400);
  C.live("", refreshSoon, refresh, status);

  setInterval(function () {
    document.querySelectorAll(".waiting").forEach(function (node) {
      node.textContent = C.since(node.getAttribute("data-since"));
    });
  }, 1000);

  document.getElementById("start-phone").addEventListener("click", function () {
    C.api("POST", "/console/api/phone", { locale: "zh-CN" })
      .then(function (data) {
        window.location.href = "/console/c/" + encodeURIComponent(data.id);
      })
      .catch(function (error) {
        status.textContent = error.message;
      });
  });
})();
