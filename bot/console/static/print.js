/* The case file's print button (no inline script: the console's CSP forbids it). */
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
