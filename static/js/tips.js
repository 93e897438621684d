// Tip box: show named-reporter / chosen-password fields only when chosen; body length counter;
// the receipt's "完成" button waits for the "我已记下" tick. Everything works without this file.
(function () {
  "use strict";
  function sync() {
    document.querySelectorAll("[data-show-when]").forEach(function (box) {
      var parts = box.getAttribute("data-show-when").split("=");
      var checked = document.querySelector('input[name="' + parts[0] + '"]:checked');
      box.hidden = !(checked && checked.value === parts[1]);
    });
  }
  function count(el) {
    var out = document.getElementById(el.getAttribute("data-counter"));
    if (!out) return;
    var max = parseInt(el.getAttribute("maxlength") || "5000", 10);
    out.textContent = el.value.length + " / " + max + " 字";
    out.classList.toggle("over", el.value.length > max);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-toggle]").forEach(function (r) { r.addEventListener("change", sync); });
    sync();
    document.querySelectorAll("[data-counter]").forEach(function (el) {
      el.addEventListener("input", function () { count(el); });
      count(el);
    });
    var tick = document.querySelector("[data-noted]");
    var btn = document.querySelector("[data-noted-button]");
    if (tick && btn) {
      btn.disabled = !tick.checked;
      tick.addEventListener("change", function () { btn.disabled = !tick.checked; });
    }
  });
})();
