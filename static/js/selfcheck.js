// Self-check wizard: add/remove problem rows without a round trip, character counters, "unsaved" state.
// Without JavaScript the same buttons submit the form and the server adds/removes the row.
(function () {
  "use strict";
  function randomKey() {
    var a = new Uint8Array(4);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function form() { return document.getElementById("step-form"); }
  function changed(el) {
    // let the autosave trigger (input from #step-form) see the change
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function counter(area) {
    var max = parseInt(area.getAttribute("data-maxlen"), 10);
    var c = area.parentNode.querySelector(".char-count");
    if (!c) {
      c = document.createElement("small");
      c.className = "char-count";
      area.insertAdjacentElement("afterend", c);
    }
    var n = area.value.length;
    c.textContent = n + " / " + max + (n > max ? "（超出 " + (n - max) + " 字，请精简）" : "");
    c.classList.toggle("over", n > max);
  }
  function initCounters(root) {
    root.querySelectorAll("textarea[data-maxlen]").forEach(counter);
  }

  document.addEventListener("click", function (evt) {
    var add = evt.target.closest("[data-add-problem]");
    if (add && form() && form().contains(add)) {
      evt.preventDefault();
      var id = add.getAttribute("data-add-problem");
      var tpl = document.getElementById("tpl-" + id);
      var list = document.getElementById("problems-" + id);
      if (!tpl || !list) return;
      var key = randomKey();
      var holder = document.createElement("div");
      holder.innerHTML = tpl.innerHTML.split("__KEY__").join(key);
      var row = holder.firstElementChild;
      list.appendChild(row);
      var radio = document.querySelector('input[name="a-' + id + '"][value="problem"]');
      if (radio) radio.checked = true;
      initCounters(row);
      var first = row.querySelector("select, textarea");
      if (first) first.focus();
      changed(row.querySelector("input"));
      return;
    }
    var rm = evt.target.closest("[data-remove-problem]");
    if (rm && form() && form().contains(rm)) {
      evt.preventDefault();
      var li = rm.closest(".problem-row");
      var f = form();
      var filled = Array.prototype.some.call(li.querySelectorAll("textarea"), function (t) { return t.value.trim(); });
      if (filled && !window.confirm("确定删除这条问题？")) return;
      li.remove();
      changed(f);
    }
  });

  // "已保存" must mean every edit so far is on the server: count edits, remember the count each autosave
  // carried, and when an answer comes back while later edits still wait, keep saying "unsaved"
  var edits = 0;
  function markUnsaved() {
    var s = document.getElementById("save-state");
    if (s && !s.classList.contains("is-error")) s.textContent = "有未保存的修改…";
  }
  document.addEventListener("input", function (evt) {
    var t = evt.target;
    if (t.matches && t.matches("textarea[data-maxlen]")) counter(t);
    if (form() && form().contains(t)) {
      edits += 1;
      markUnsaved();
    }
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (evt.detail.elt && evt.detail.elt.id === "autosave") evt.detail.elt.setAttribute("data-edits", String(edits));
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.id === "autosave" && parseInt(elt.getAttribute("data-edits") || "0", 10) < edits) markUnsaved();
  });
  // an autosave refused because the server was busy (503) or the network failed: try again shortly
  var retry = null;
  function retryLater(evt) {
    var elt = evt.detail && evt.detail.elt;
    if (!elt || elt.id !== "autosave" || retry) return;
    retry = setTimeout(function () { retry = null; if (form()) changed(form()); }, 3000);
  }
  document.addEventListener("htmx:responseError", function (evt) {
    if (evt.detail.xhr && evt.detail.xhr.status === 503) retryLater(evt);
  });
  document.addEventListener("htmx:sendError", retryLater);
  document.addEventListener("DOMContentLoaded", function () { initCounters(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { initCounters(evt.target); });
})();
