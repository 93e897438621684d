// Tip box anti-spam: a small proof of work instead of a captcha (portal/tips/pow.py). Finds n such that
// SHA-256("<challenge>:<n>") starts with data-pow-bits zero bits, in slices so the page stays responsive,
// and puts n in the form. A submit before the work is done waits for it and then sends the form.
(function () {
  "use strict";
  function enough(bytes, bits) {
    var i = 0;
    for (; bits >= 8; bits -= 8, i++) { if (bytes[i] !== 0) return false; }
    return bits === 0 || (bytes[i] >> (8 - bits)) === 0;
  }
  function solve(challenge, bits, done) {
    var n = 0;
    function slice() {
      for (var end = n + 4000; n < end; n++) {
        if (enough(window.sha256.array(challenge + ":" + n), bits)) { done(String(n)); return; }
      }
      setTimeout(slice, 0);
    }
    slice();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-pow]");
    if (!form || !window.sha256) return;
    var challenge = form.querySelector('input[name="pow_challenge"]');
    var answer = form.querySelector('input[name="pow_nonce"]');
    var status = form.querySelector("[data-pow-status]");
    var button = form.querySelector('button[type="submit"]');
    var ready = false, waiting = false;
    solve(challenge.value, parseInt(form.getAttribute("data-pow-bits"), 10) || 0, function (n) {
      answer.value = n;
      ready = true;
      if (status) status.textContent = "防刷验证已完成，可以提交。";
      if (waiting) form.submit();
    });
    form.addEventListener("submit", function (e) {
      if (ready) return;
      e.preventDefault();
      waiting = true;
      if (button) button.disabled = true;
      if (status) status.textContent = "正在完成防刷验证，请稍候，完成后自动提交……";
    });
  });
})();
