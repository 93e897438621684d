// 整改台账: select-all for bulk actions and showing the bulk action's own input. Works on swapped tables.
(function () {
  "use strict";
  function syncBulk(root) {
    var op = (root || document).querySelector("[data-bulk-op]");
    if (!op) return;
    document.querySelectorAll("[data-bulk-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-bulk-for") !== op.value;
    });
  }
  document.addEventListener("change", function (evt) {
    var t = evt.target;
    if (t.matches("[data-select-all]")) {
      var table = t.closest("table");
      table.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = t.checked; });
    } else if (t.matches("[data-bulk-op]")) {
      syncBulk();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { syncBulk(); });
  document.addEventListener("htmx:afterSettle", function () { syncBulk(); });
})();
