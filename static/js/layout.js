// Layout behaviour shared by every page: the collapsible menu on small screens, the ledger's folded
// filters (with the number of active filters on the button), and screen-reader announcements for
// htmx swaps with focus kept where the user was. No inline script or style (strict CSP).
(function () {
  "use strict";
  function toggle(button, target, open) {
    var on = open === undefined ? button.getAttribute("aria-expanded") !== "true" : open;
    button.setAttribute("aria-expanded", on ? "true" : "false");
    target.classList.toggle("is-open", on);
  }

  // -- the menu --------------------------------------------------------------------------------------
  function menu() {
    var button = document.querySelector(".menu-toggle");
    var nav = document.getElementById("topnav");
    if (!button || !nav) return;
    button.addEventListener("click", function () { toggle(button, nav); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        toggle(button, nav, false);
        button.focus();
      }
    });
  }

  // -- folded filter forms (form.filters): one button 筛选（N） on small screens -----------------------
  var IGNORED = { sort: 1, dir: 1, page: 1, csrf_token: 1 };
  function activeCount(form) {
    var n = 0, seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || IGNORED[el.name] || el.type === "hidden" || el.disabled) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (!el.value) return;
      if (seen[el.name]) return;
      seen[el.name] = 1;
      n += 1;
    });
    return n;
  }
  function foldFilters(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var forms = scope.matches && scope.matches("form.filters") ? [scope] : scope.querySelectorAll("form.filters");
    Array.prototype.forEach.call(forms, function (form) {
      if (!form.id) return;
      var bar = document.querySelector('.filters-toggle[aria-controls="' + form.id + '"]');
      if (!bar) {
        bar = document.createElement("button");
        bar.type = "button";
        bar.className = "filters-toggle";
        bar.setAttribute("aria-controls", form.id);
        bar.setAttribute("aria-expanded", "false");
        bar.addEventListener("click", function () {
          var f = document.getElementById(form.id);
          toggle(bar, f);
        });
        form.parentNode.insertBefore(bar, form);
      } else if (bar.getAttribute("aria-expanded") === "true") {
        form.classList.add("is-open");  // an out-of-band swap replaced the open form
      }
      var n = activeCount(form);
      bar.textContent = n ? "筛选（已选 " + n + " 项）" : "筛选";
      form.classList.add("foldable");
    });
  }

  // -- wide tables: every data table scrolls inside its own box on a narrow screen (.table-wrap) ------
  function wrapTables(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("main table.grid"), function (table) {
      if (table.parentElement.closest(".table-wrap")) return;
      var box = document.createElement("div");
      box.className = "table-wrap";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  // -- announcements -----------------------------------------------------------------------------
  function announce(text) {
    var live = document.getElementById("live-status");
    if (!live || !text) return;
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 30);
  }
  window.portalAnnounce = announce;

  document.addEventListener("DOMContentLoaded", function () {
    menu();
    foldFilters(document);
    wrapTables(document);
    document.body.addEventListener("change", function (e) {
      var form = e.target.closest && e.target.closest("form.filters");
      if (form) foldFilters(form);
    });
  });
  // keep focus where the user was: the focused element itself when it survives the swap (same id), else
  // the first field (or button) of the element around it that was swapped in (a ledger row opened for
  // editing, saved or cancelled)
  var lastFocus = null, lastBox = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var a = document.activeElement;
    lastFocus = a && a !== document.body && a.id ? a.id : null;
    var box = a && a !== document.body && a.parentElement ? a.parentElement.closest("[id]") : null;
    lastBox = box ? box.id : null;
  });
  var FIELDS = "[autofocus], textarea:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled])";
  function refocus() {
    var a = document.activeElement;
    if (a && a !== document.body && document.contains(a)) return;
    var again = lastFocus && document.getElementById(lastFocus);
    if (again) { again.focus(); return; }
    var box = lastBox && document.getElementById(lastBox);
    if (!box) return;
    var target = box.querySelector(FIELDS) || box.querySelector("button, a[href]");
    if (target) target.focus();
  }
  document.addEventListener("htmx:afterSettle", function (evt) {
    foldFilters(document);
    wrapTables(document);
    refocus();
    var t = evt.detail && evt.detail.target;
    if (t && t.id === "ledger-results") {
      var total = document.querySelector("#ledger-counters .c-total b");
      if (total) announce("已更新：共 " + total.textContent.trim() + " 条");
    }
  });
})();
