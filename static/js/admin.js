// Administration pages: close one-time panels (no inline JS under our CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-dismiss]");
    if (btn) {
      var box = btn.closest("[data-dismissable]");
      if (box) { box.innerHTML = ""; }
      return;
    }
    var rowBtn = evt.target.closest("[data-dismiss-row]");
    if (rowBtn) {
      var tr = rowBtn.closest("tr");
      if (tr) { tr.remove(); }
    }
  });
})();
