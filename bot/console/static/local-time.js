/* Show the audit log's times in the agent's local time. */
(function () {
  "use strict";
  document.querySelectorAll("time[datetime]").forEach(function (node) {
    node.textContent = window.Console.time(node.getAttribute("datetime"));
  });
  var table = document.getElementById("audit-log");
  if (table) window.Console.labelColumns(table);
})();
