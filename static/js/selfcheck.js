// Self-check wizard: add/remove problem rows without a round trip, character counters, the save status
// (retrying a failed autosave), and a warning before leaving the page with unsaved changes.
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

  // The save status, always one of 已保存 / 正在保存 / 未保存 (the box around it is role="status",
  // aria-live). "已保存" must mean every edit so far is on the server: `edits` counts changes, each save
  // remembers the count it carried, `acked` is the highest count the server confirmed (200, or 422 =
  // saved with values still to correct). Leaving the page while acked < edits asks first.
  var edits = 0, acked = 0, failing = false, retry = null, retryDelay = 0;
  function isAutosave(elt) { return elt && elt.id === "autosave"; }
  function isStepForm(elt) { return elt && elt.id === "step-form"; }
  function show(text, state) {
    var s = document.getElementById("save-state");
    if (!s || s.getAttribute("data-state") === "conflict") return;  // "载入最新内容" stays until reloaded
    s.textContent = text;
    s.setAttribute("data-state", state);
    s.classList.toggle("is-error", state === "retrying");
  }
  function pending() { return acked < edits; }
  document.addEventListener("input", function (evt) {
    var t = evt.target;
    if (t.matches && t.matches("textarea[data-maxlen]")) counter(t);
    if (form() && form().contains(t)) {
      edits += 1;
      if (!failing) show("未保存", "unsaved");
    }
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (isAutosave(elt) || isStepForm(elt)) {
      elt.setAttribute("data-edits", String(edits));
      if (isAutosave(elt) && !failing) show("正在保存…", "saving");
    }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt, xhr = evt.detail.xhr;
    if (!(isAutosave(elt) || isStepForm(elt)) || !xhr) return;
    if (xhr.status === 200 || xhr.status === 422) {
      acked = Math.max(acked, parseInt(elt.getAttribute("data-edits") || "0", 10));
      failing = false;
      retryDelay = 0;
      if (isAutosave(elt) && pending()) show("未保存", "unsaved");
    }
  });
  // No answer, a network drop or a busy server (503): say so, keep everything on the page, try again
  // with a growing pause (2 s, 4 s … 30 s), and at once when the browser is back online. The global
  // failure toast (portal.js) is left out for autosave: the status box already tells, and is announced.
  function retryLater() {
    failing = true;
    show("未保存，正在重试", "retrying");
    if (retry) return;
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 30000);
    retry = setTimeout(retryNow, retryDelay);
  }
  function retryNow() {
    if (retry) clearTimeout(retry);
    retry = null;
    if (form()) changed(form());
  }
  function autosaveFailed(evt) {
    if (!isAutosave(evt.detail && evt.detail.elt)) return;
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (evt.type === "htmx:responseError" && status && status < 500) return;  // a 4xx is no outage
    evt.stopPropagation();
    retryLater();
  }
  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, autosaveFailed, true);
  });
  window.addEventListener("online", function () { if (retry) retryNow(); });
  window.addEventListener("beforeunload", function (evt) {
    if (form() && pending()) {
      evt.preventDefault();
      evt.returnValue = "";  // the browser asks "离开此网站？" with its own words
    }
  });
  document.addEventListener("DOMContentLoaded", function () { initCounters(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { initCounters(evt.target); });
})();
