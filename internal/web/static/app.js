// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to a form's error summary so screen readers hear it.
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
    // Forms marked data-upload send with a progress bar for large files.
    document.querySelectorAll("form[data-upload]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.FormData || !window.XMLHttpRequest) { return; }
        ev.preventDefault();
        var bar = form.querySelector("progress");
        var status = form.querySelector("[data-upload-status]");
        var button = form.querySelector("button[type=submit]");
        if (button) { button.disabled = true; }
        if (bar) { bar.hidden = false; bar.value = 0; }
        var xhr = new XMLHttpRequest();
        xhr.open(form.method || "POST", form.action);
        xhr.upload.addEventListener("progress", function (e) {
          if (!e.lengthComputable) { return; }
          var pct = Math.round(100 * e.loaded / e.total);
          if (bar) { bar.value = pct; }
          if (status) { status.textContent = "Uploading: " + pct + "%"; }
        });
        xhr.addEventListener("load", function () {
          if (xhr.status < 400 && xhr.responseURL) { window.location.assign(xhr.responseURL); return; }
          document.open(); document.write(xhr.responseText); document.close();
        });
        xhr.addEventListener("error", function () {
          if (status) { status.textContent = "The upload failed. Check your connection and try again."; }
          if (button) { button.disabled = false; }
        });
        xhr.send(new FormData(form));
      });
    });
  });
})();
