/* /verify/<code>/: drop the PDF on the file check to send it (progressive enhancement: the
 * form's file input and button work without this file).
 *
 *   <form data-file-drop> with an <input type="file"> and a hidden .file-drop-hint
 */
(function () {
  "use strict";

  function enhance(form) {
    var input = form.querySelector('input[type="file"]');
    var hint = form.querySelector(".file-drop-hint");
    if (!input || typeof DataTransfer === "undefined") return;
    if (hint) hint.hidden = false;
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("file-drop-active");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () {
        form.classList.remove("file-drop-active");
      });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || files.length !== 1) return;
      input.files = files;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }

  document.querySelectorAll("form[data-file-drop]").forEach(enhance);
})();
