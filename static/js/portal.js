// Portal-wide htmx glue: CSRF header on every request, visible failures, toasts.
(function () {
  "use strict";
  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  function toast(text, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + (kind || "info");
    el.setAttribute("role", "alert");
    el.textContent = text;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 6000);
  }
  window.portalToast = toast;

  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRFToken"] = csrfToken();
  });
  // One global handler: failures are shown, never swallowed.
  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    var text = "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var msg = doc.querySelector("[data-error-message]");
      text = msg ? msg.textContent.trim() : "";
    } catch (e) { text = ""; }
    toast(text || ("操作失败（" + xhr.status + "），请稍后重试。"), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast("网络连接失败，您的输入仍保留在页面上，请稍后重试。", "error");
  });
  document.addEventListener("htmx:timeout", function () {
    toast("请求超时，请稍后重试。", "error");
  });
  // Server-sent toasts: HX-Trigger: {"toast": {"text": "...", "kind": "success"}}
  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("toast", function (evt) {
      toast(evt.detail.text || evt.detail.value, evt.detail.kind);
    });
    // [data-confirm] buttons ask before submitting (no inline JS under our CSP)
    document.body.addEventListener("click", function (evt) {
      var el = evt.target.closest("[data-confirm]");
      if (el && !window.confirm(el.getAttribute("data-confirm"))) { evt.preventDefault(); evt.stopPropagation(); }
    }, true);
    // [data-print] buttons print the page
    document.body.addEventListener("click", function (evt) {
      if (evt.target.closest("[data-print]")) { window.print(); }
    });
  });
})();
