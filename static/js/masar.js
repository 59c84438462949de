/* Masar: small progressive enhancements. Every page works without this file.
 *
 *   <span data-countdown="60" data-countdown-enables="#resend">60</span>
 *       counts down once a second; the button #resend is disabled meanwhile and enabled at 0.
 *       Render the button enabled: without JS it must stay usable (the server enforces the
 *       wait anyway). Do not put aria-live on the counter: it would speak every second.
 *   <form data-confirm="Withdraw this request?">
 *       asks before submitting.
 *   <select data-autosubmit>
 *       submits its form on change (the form keeps a submit button for no-JS use).
 *   .error-summary
 *       takes focus on page load, so screen readers announce the errors first.
 *
 * Loaded with `defer`; no inline scripts anywhere (CSP). Also re-applied to content that
 * htmx swaps in.
 */
(function () {
  "use strict";

  function startCountdown(el) {
    if (el.dataset.countdownStarted) return;
    el.dataset.countdownStarted = "1";
    var remaining = parseInt(el.dataset.countdown, 10);
    var target = el.dataset.countdownEnables
      ? document.querySelector(el.dataset.countdownEnables)
      : null;

    function finish() {
      el.textContent = "0";
      if (target) {
        target.disabled = false;
        target.removeAttribute("aria-disabled");
      }
    }

    if (!(remaining > 0)) return finish();
    if (target) target.disabled = true;
    el.textContent = String(remaining);
    var timer = window.setInterval(function () {
      remaining -= 1;
      if (remaining <= 0) {
        window.clearInterval(timer);
        finish();
      } else {
        el.textContent = String(remaining);
      }
    }, 1000);
  }

  function enhance(root) {
    root.querySelectorAll("[data-countdown]").forEach(startCountdown);
  }

  // Delegated, so forms and selects added later by htmx work too.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form instanceof HTMLFormElement && form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation(); // keeps htmx from sending an hx-post form
    }
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      // requestSubmit fires the submit event, so data-confirm and htmx still apply.
      if (field.form.requestSubmit) field.form.requestSubmit();
      else field.form.submit();
    }
  });

  function onReady() {
    enhance(document);
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });
})();
