// One enhancement for every form's date, month and file controls, so they speak Chinese whatever the
// browser's language (Chromium draws <input type=date|month|file> in the browser's own language):
//  - date and month inputs become text inputs (YYYY-MM-DD / YYYY-MM, typed or picked) with the vendored
//    flatpickr calendar in its zh locale;
//  - file inputs get a 选择文件 button, the chosen names (未选择文件 when none) and a drop zone.
// Runs on page load and on every htmx swap (htmx:load). No inline script or style: strict CSP.
(function () {
  "use strict";
  var DATE_RE = "\\d{4}-\\d{2}-\\d{2}", MONTH_RE = "\\d{4}-\\d{2}";

  function dateInput(el, month) {
    if (el.dataset.cnControl) return;
    el.dataset.cnControl = "1";
    var min = el.getAttribute("min"), max = el.getAttribute("max");
    el.setAttribute("type", "text");
    el.setAttribute(month ? "data-month" : "data-date", "");
    el.setAttribute("inputmode", "numeric");
    el.setAttribute("autocomplete", "off");
    el.setAttribute("pattern", month ? MONTH_RE : DATE_RE);
    el.setAttribute("maxlength", month ? "7" : "10");
    if (!el.getAttribute("placeholder")) el.setAttribute("placeholder", month ? "年-月" : "年-月-日");
    if (!el.getAttribute("title")) el.setAttribute("title", month ? "格式：年-月（如 2026-12），可直接输入或从日历中选择" : "格式：年-月-日（如 2026-12-31），可直接输入或从日历中选择");
    el.classList.add("cn-date");
    if (!window.flatpickr) return;  // still a typed YYYY-MM-DD field
    var opts = {
      locale: (window.flatpickr.l10ns && window.flatpickr.l10ns.zh) || "default",
      allowInput: true, disableMobile: true, clickOpens: true,
      dateFormat: month ? "Y-m" : "Y-m-d", minDate: min || null, maxDate: max || null,
      onChange: function () { el.dispatchEvent(new Event("input", { bubbles: true })); },
      onClose: function () { el.dispatchEvent(new Event("change", { bubbles: true })); }
    };
    if (month && window.monthSelectPlugin) {
      opts.plugins = [new window.monthSelectPlugin({ shorthand: false, dateFormat: "Y-m", altFormat: "Y年n月" })];
    }
    var fp = window.flatpickr(el, opts);
    if (fp && fp.calendarContainer) {
      fp.calendarContainer.setAttribute("aria-label", month ? "选择月份" : "选择日期");
    }
  }

  function names(input) {
    var list = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    return list.length ? list.join("、") : "未选择文件";
  }

  function fileInput(el) {
    if (el.dataset.cnControl) return;
    el.dataset.cnControl = "1";
    var box = document.createElement("div");
    box.className = "cn-file";
    var button = document.createElement("label");
    button.className = "button cn-file-button";
    if (!el.id) el.id = "file-" + Math.random().toString(36).slice(2, 9);
    button.setAttribute("for", el.id);
    button.textContent = el.multiple ? "选择文件（可多选）" : "选择文件";
    var state = document.createElement("span");
    state.className = "cn-file-names";
    state.setAttribute("aria-live", "polite");
    state.textContent = names(el);
    var hint = document.createElement("span");
    hint.className = "cn-file-hint";
    hint.textContent = "或将文件拖到此处";
    el.parentNode.insertBefore(box, el);
    box.appendChild(el);
    box.appendChild(button);
    box.appendChild(state);
    box.appendChild(hint);
    el.classList.add("cn-file-input");
    el.addEventListener("change", function () { state.textContent = names(el); });
    ["dragenter", "dragover"].forEach(function (t) {
      box.addEventListener(t, function (e) { e.preventDefault(); box.classList.add("is-drag"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      box.addEventListener(t, function () { box.classList.remove("is-drag"); });
    });
    box.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      var dt = new DataTransfer();
      var files = el.multiple ? e.dataTransfer.files : [e.dataTransfer.files[0]];
      Array.prototype.forEach.call(files, function (f) { dt.items.add(f); });
      el.files = dt.files;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function enhance(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll('input[type="date"]'), function (el) { dateInput(el, false); });
    Array.prototype.forEach.call(scope.querySelectorAll('input[type="month"]'), function (el) { dateInput(el, true); });
    Array.prototype.forEach.call(scope.querySelectorAll('input[type="file"]'), fileInput);
  }
  window.portalControls = enhance;
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (evt) { enhance(evt.target); });
})();
