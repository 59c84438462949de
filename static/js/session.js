/* Masar: the idle-timeout warning. Loaded only for signed-in people.
 *
 *   <div data-session-warning data-idle-seconds="900" data-warn-before="120" hidden>
 *       shown `warn-before` seconds before the server ends an idle session; when the time is
 *       up the page reloads, so the server's sign-in page (with its message) appears.
 *
 * The server enforces the timeout; this only tells the person in time (WCAG 2.2.1).
 */
(function () {
  "use strict";

  function start() {
    var box = document.querySelector("[data-session-warning]");
    if (!box) return;
    var idle = parseInt(box.dataset.idleSeconds, 10);
    var warnBefore = parseInt(box.dataset.warnBefore, 10) || 120;
    if (!(idle > 0)) return;
    window.setTimeout(function () {
      box.hidden = false;
      var button = box.querySelector("button");
      if (button) button.focus();
    }, Math.max(0, idle - warnBefore) * 1000);
    window.setTimeout(function () {
      window.location.reload();
    }, (idle + 1) * 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
