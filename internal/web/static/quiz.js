// The quiz attempt page: each answer is saved as it is given (posted to
// the page's save-answer route with the session's CSRF token), answers a
// dropped connection kept from the server are sent again when it comes
// back, a live countdown warns at 5 and 1 minutes, and Hand in warns first
// when questions have no answer. Without JavaScript the page's one form
// still saves every answer (Save my answers) and Hand in saves them first.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("attempt-form");
    if (!form) { return; }
    var token = (form.querySelector("input[name=csrf_token]") || {}).value || "";
    var saveAll = document.getElementById("save-all");
    if (saveAll) { saveAll.hidden = true; }
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

    var pending = {}; // question id → true while its latest answer is not saved
    var timers = {};
    var sections = Array.prototype.slice.call(form.querySelectorAll("section[data-question]"));

    function fieldsOf(section) {
      return Array.prototype.slice.call(section.querySelectorAll("[name^='q-']"));
    }

    // body is the answer of one question as the save-answer route reads it
    // (urlencoded: page forms other than uploads are never multipart).
    function body(section) {
      var kind = section.getAttribute("data-kind");
      var fd = new URLSearchParams();
      fieldsOf(section).forEach(function (f) {
        if (kind === "single" || kind === "multiple") {
          if (f.checked) { fd.append("options", f.value); }
        } else if (kind === "numeric") {
          fd.append("value", f.value);
        } else {
          fd.append("text", f.value);
        }
      });
      return fd;
    }

    function answered(section) {
      return fieldsOf(section).some(function (f) {
        if (f.type === "hidden") { return false; }
        if (f.type === "radio" || f.type === "checkbox") { return f.checked; }
        return f.value.trim() !== "";
      });
    }

    function status(section, text, ok) {
      var p = section.querySelector(".saved");
      if (!p) { return; }
      p.textContent = "";
      var span = document.createElement("span");
      span.className = ok ? "tag ok" : "tag";
      span.textContent = text;
      p.appendChild(span);
    }

    function save(section) {
      var id = section.getAttribute("data-question");
      var kind = section.getAttribute("data-kind");
      if (kind === "numeric" && !answered(section)) { return; }
      pending[id] = true;
      status(section, "Saving…", false);
      fetch(form.getAttribute("data-answers") + "/" + id, {
        method: "POST", headers: { "X-CSRF-Token": token }, body: body(section),
        credentials: "same-origin", redirect: "manual"
      }).then(function (r) {
        // The route answers a saved answer with a redirect back here.
        if (r.type === "opaqueredirect" || r.ok) {
          delete pending[id];
          status(section, "Saved", true);
        } else if (r.status === 400) {
          delete pending[id];
          status(section, kind === "numeric" ? "Not saved: write a number, like 3.14" : "Not saved: check your answer", false);
        } else if (r.status === 409) {
          delete pending[id];
          status(section, "Not saved: the time is up", false);
        } else {
          status(section, "Not saved yet: it is sent again when the connection is back", false);
        }
      }).catch(function () {
        status(section, "Not saved yet: it is sent again when the connection is back", false);
      });
    }

    sections.forEach(function (section) {
      var id = section.getAttribute("data-question");
      section.addEventListener("change", function () { save(section); });
      section.addEventListener("input", function (e) {
        if (e.target.tagName !== "TEXTAREA" && e.target.type !== "text" && e.target.inputMode !== "decimal") { return; }
        pending[id] = true;
        clearTimeout(timers[id]);
        timers[id] = setTimeout(function () { save(section); }, 700);
      });
    });

    function retry() {
      sections.forEach(function (section) {
        if (pending[section.getAttribute("data-question")]) { save(section); }
      });
    }
    window.addEventListener("online", retry);
    setInterval(function () { if (navigator.onLine) { retry(); } }, 15000);

    // Hand in warns first about questions without an answer.
    var warning = document.getElementById("unanswered");
    var confirmed = false;
    form.addEventListener("submit", function (e) {
      var by = e.submitter;
      if (by && by.id === "hand-in-anyway") { confirmed = true; }
      if (confirmed || (by && by.id === "save-all")) { return; }
      var missing = sections.filter(function (s) { return !answered(s); });
      if (!missing.length) { return; }
      e.preventDefault();
      var list = document.getElementById("unanswered-list");
      list.textContent = "";
      list.appendChild(document.createTextNode(missing.length === 1 ? "Not answered: " : "Not answered: questions "));
      missing.forEach(function (s, i) {
        if (i > 0) { list.appendChild(document.createTextNode(", ")); }
        var a = document.createElement("a");
        a.href = "#" + s.id;
        a.textContent = (missing.length === 1 ? "question " : "") + s.getAttribute("data-n");
        list.appendChild(a);
      });
      list.appendChild(document.createTextNode("."));
      warning.hidden = false;
      warning.focus();
    });

    // The countdown: the time left when the page came, counted here, so
    // the learner's extra time (already in it) is respected.
    var box = document.getElementById("time-left");
    var shown = document.getElementById("countdown");
    var alertBox = document.getElementById("time-warning");
    if (!box || !shown) { return; }
    var end = Date.now() + parseInt(box.getAttribute("data-seconds"), 10) * 1000;
    var warned5 = false, warned1 = false, done = false;
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      shown.textContent = (m > 0 ? m + " min " : "") + s + " s";
      if (left <= 300 && left > 60 && !warned5) {
        warned5 = true;
        alertBox.textContent = "5 minutes left. Your answers are saved as you give them.";
      }
      if (left <= 60 && left > 0 && !warned1) {
        warned1 = warned5 = true;
        alertBox.textContent = "1 minute left. Hand in now, or what is saved is handed in when the time is up.";
      }
      if (left === 0 && !done) {
        done = true;
        alertBox.textContent = "The time is up: your saved answers are handed in.";
        confirmed = true;
        form.requestSubmit ? form.requestSubmit(document.getElementById("hand-in")) : form.submit();
      }
    }
    tick();
    setInterval(tick, 1000);
  });
})();
