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
          // A form that answers with a redirect goes there; one that answers
          // with a page (an import's report, or errors) shows that page.
          if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== form.action) { window.location.assign(xhr.responseURL); return; }
          document.open(); document.write(xhr.responseText); document.close();
        });
        xhr.addEventListener("error", function () {
          if (status) { status.textContent = "The upload failed. Check your connection and try again."; }
          if (button) { button.disabled = false; }
        });
        xhr.send(new FormData(form));
      });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
      });
    });
    document.querySelectorAll("form[data-dropzone]").forEach(dropzone);
    document.querySelectorAll("[data-reorder]").forEach(reorderable);
    document.querySelectorAll("form[data-editor-form]").forEach(editor);
  });

  function csrfOf(form) {
    var f = form.querySelector("input[name=csrf_token]");
    return f ? f.value : "";
  }

  // post sends a form's fields (or a FormData) with the session's CSRF
  // token in the header; resolves with the response.
  function post(url, token, body) {
    return fetch(url, { method: "POST", headers: { "X-CSRF-Token": token }, body: body, credentials: "same-origin" });
  }

  // A file form marked data-dropzone takes files dropped on it or chosen,
  // and sends each in a request of its own with a progress bar, then
  // reloads the page to show them. Without JavaScript it posts them all.
  function dropzone(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector(".uploads");
    var token = csrfOf(form);
    function sendAll(files) {
      var queue = Array.prototype.slice.call(files);
      if (!queue.length) { return; }
      var failed = false;
      var next = function () {
        var file = queue.shift();
        if (!file) {
          if (!failed) { window.location.assign(window.location.pathname + "?done=files-added"); }
          return;
        }
        var li = document.createElement("li");
        var label = document.createElement("span");
        label.textContent = file.name + ": ";
        var bar = document.createElement("progress");
        bar.max = 100; bar.value = 0;
        bar.setAttribute("aria-label", "Upload of " + file.name);
        var state = document.createElement("span");
        li.appendChild(label); li.appendChild(bar); li.appendChild(state);
        list.appendChild(li);
        var data = new FormData();
        data.append("files", file, file.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("X-CSRF-Token", token);
        xhr.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
        });
        xhr.addEventListener("load", function () {
          if (xhr.status < 400) { bar.value = 100; state.textContent = " added"; }
          else {
            failed = true;
            var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
            var why = doc.querySelector("main p");
            state.textContent = " not added: " + (why ? why.textContent : "the upload was refused");
          }
          next();
        });
        xhr.addEventListener("error", function () { failed = true; state.textContent = " not added: the connection failed"; next(); });
        xhr.send(data);
      };
      next();
    }
    form.addEventListener("submit", function (ev) {
      if (!window.FormData || !input.files.length) { return; }
      ev.preventDefault();
      sendAll(input.files);
    });
    ["dragenter", "dragover"].forEach(function (t) {
      form.addEventListener(t, function (ev) {
        if (ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types, "Files") >= 0) { ev.preventDefault(); form.classList.add("over"); }
      });
    });
    form.addEventListener("dragleave", function () { form.classList.remove("over"); });
    form.addEventListener("drop", function (ev) {
      if (!ev.dataTransfer || !ev.dataTransfer.files.length) { return; }
      ev.preventDefault();
      ev.stopPropagation();
      form.classList.remove("over");
      sendAll(ev.dataTransfer.files);
    });
  }

  // A list marked data-reorder lets its items be dragged to a new place;
  // the move buttons beside each do the same from the keyboard.
  function reorderable(list) {
    var dragged = null;
    var token = csrfOf(document);
    Array.prototype.forEach.call(list.children, function (li) {
      if (!li.hasAttribute("data-move")) { return; }
      li.addEventListener("dragstart", function (ev) {
        if (ev.target !== li) { return; }
        ev.stopPropagation();
        dragged = li;
        li.classList.add("dragging");
        ev.dataTransfer.effectAllowed = "move";
        ev.dataTransfer.setData("text/plain", li.id);
      });
      li.addEventListener("dragover", function (ev) {
        if (!dragged || dragged.parentNode !== list || dragged === li) { return; }
        ev.preventDefault();
        ev.stopPropagation();
        var r = li.getBoundingClientRect();
        list.insertBefore(dragged, ev.clientY < r.top + r.height / 2 ? li : li.nextSibling);
      });
      li.addEventListener("dragend", function (ev) {
        if (dragged !== li) { return; }
        ev.stopPropagation();
        li.classList.remove("dragging");
        dragged = null;
        var at = Array.prototype.indexOf.call(list.children, li);
        post(li.getAttribute("data-move"), token, new URLSearchParams({ position: String(at) }))
          .then(function () { window.location.assign(window.location.pathname + "?done=moved"); });
      });
    });
  }

  // A page form marked data-editor-form gets the Quill editor in place of
  // its HTML textarea, with an accessible toolbar, images uploaded to the
  // store, a draft kept in this browser as the teacher types, and a
  // warning when leaving with unsaved changes. The server sanitises what
  // is sent whatever the editor makes.
  function editor(form) {
    var ta = form.querySelector("textarea[data-editor]");
    if (!ta || !window.Quill) { return; }
    var token = csrfOf(form);
    var key = form.getAttribute("data-draft-key");
    var status = form.querySelector("[data-draft-status]");
    var holder = document.createElement("div");
    ta.parentNode.insertBefore(holder, ta);
    ta.hidden = true;
    var quill = new window.Quill(holder, {
      theme: "snow",
      modules: {
        table: true,
        toolbar: {
          container: [[{ header: 2 }, { header: 3 }], ["bold", "italic", "link"], [{ list: "ordered" }, { list: "bullet" }], ["image", "video", "table"], ["clean"]],
          handlers: {
            image: function () { pickImage(quill, ta.getAttribute("data-image-upload"), token, status); },
            table: function () { quill.getModule("table").insertTable(2, 2); }
          }
        }
      }
    });
    var names = { "ql-bold": "Bold", "ql-italic": "Italic", "ql-link": "Link", "ql-image": "Image", "ql-video": "Video from YouTube or Vimeo",
      "ql-table": "Table", "ql-clean": "Remove formatting" };
    form.querySelectorAll(".ql-toolbar button").forEach(function (b) {
      var name = names[b.className.split(" ")[0]];
      if (b.classList.contains("ql-header")) { name = b.value === "2" ? "Heading" : "Subheading"; }
      if (b.classList.contains("ql-list")) { name = b.value === "ordered" ? "Numbered list" : "Bulleted list"; }
      if (b.classList.contains("ql-table") && !b.innerHTML) { b.textContent = "▦"; }
      b.setAttribute("aria-label", name || "Format");
    });
    form.querySelectorAll("[data-editor-only]").forEach(function (el) { el.hidden = false; });
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    quill.root.setAttribute("aria-labelledby", "body_html-label");
    quill.root.setAttribute("aria-describedby", "body_html-hint");
    var draft = key && window.localStorage ? window.localStorage.getItem(key) : null;
    quill.clipboard.dangerouslyPasteHTML(draft || ta.value);
    if (draft && draft !== ta.value && status) { status.textContent = "Your unsaved draft from this browser is restored."; }
    var dirty = !!(draft && draft !== ta.value);
    var timer = null;
    quill.on("text-change", function () {
      ta.value = quill.root.innerHTML;
      dirty = true;
      if (!key || !window.localStorage) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        window.localStorage.setItem(key, quill.root.innerHTML);
        if (status) { status.textContent = "Draft saved in this browser at " + new Date().toLocaleTimeString() + "."; }
      }, 500);
    });
    ta.value = quill.root.innerHTML;
    form.addEventListener("submit", function () {
      ta.value = quill.root.innerHTML;
      dirty = false;
      if (key && window.localStorage) { window.localStorage.removeItem(key); }
    });
    window.addEventListener("beforeunload", function (ev) {
      if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
    });
  }

  function pickImage(quill, url, token, status) {
    var input = document.querySelector("input[data-image-picker]");
    if (!input) {
      input = document.createElement("input");
      input.type = "file";
      input.accept = "image/*";
      input.hidden = true;
      input.setAttribute("data-image-picker", "");
      input.setAttribute("aria-label", "Image to add to the page");
      document.body.appendChild(input);
    }
    input.onchange = function () {
      if (!input.files.length) { return; }
      var data = new FormData();
      data.append("file", input.files[0], input.files[0].name);
      if (status) { status.textContent = "Uploading the image…"; }
      post(url, token, data).then(function (r) {
        if (!r.ok) { throw new Error("refused"); }
        return r.json();
      }).then(function (j) {
        var at = (quill.getSelection(true) || { index: quill.getLength() }).index;
        var alt = document.getElementById("image_alt");
        quill.insertEmbed(at, "image", j.src, "user");
        quill.formatText(at, 1, "alt", alt ? alt.value.trim() : "", "user");
        if (alt) { alt.value = ""; }
        if (status) { status.textContent = "Image added."; }
      }).catch(function () {
        if (status) { status.textContent = "The image could not be added: choose a PNG, JPEG, GIF or WebP image within the size limit."; }
      });
      input.value = "";
    };
    input.click();
  }
})();

// The people search on a course's people page (input[data-people-search])
// becomes a type-ahead: as the teacher types, the learners found replace
// the list of checkboxes in the enrol form, ticks kept. Without it the
// search form's button does the same through the page.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-people-search]");
    var list = document.getElementById("people-list");
    var status = document.getElementById("people-status");
    if (!input || !list || !window.fetch) { return; }
    var timer = null, asked = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) { return; }
        var mine = ++asked;
        fetch(input.getAttribute("data-people-search") + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { if (!r.ok) { throw new Error("refused"); } return r.json(); })
          .then(function (people) {
            if (mine !== asked) { return; }
            var kept = {};
            list.querySelectorAll("input[type=checkbox]:checked:not(:disabled)").forEach(function (b) { kept[b.value] = b.closest("li"); });
            list.textContent = "";
            Object.keys(kept).forEach(function (id) { list.appendChild(kept[id]); });
            people.forEach(function (p) {
              if (kept[p.person_id]) { return; }
              var li = document.createElement("li"), box = document.createElement("input"), label = document.createElement("label"), more = document.createElement("span");
              box.type = "checkbox"; box.name = "person"; box.value = p.person_id; box.id = "person-" + p.person_id;
              if (p.on_course) { box.disabled = true; box.checked = true; }
              label.htmlFor = box.id;
              label.textContent = p.display_name + " ";
              more.className = "muted";
              more.textContent = "(" + p.username + (p.classes ? " · " + p.classes : "") + ")" + (p.on_course ? " · " + list.getAttribute("data-on-course") : "");
              label.appendChild(more);
              li.appendChild(box); li.appendChild(document.createTextNode(" ")); li.appendChild(label);
              list.appendChild(li);
            });
            var q2 = document.querySelector("form input[type=hidden][name=q]");
            if (q2) { q2.value = q; }
            if (status) { status.textContent = people.length + (people.length === 1 ? " person" : " people") + " found."; }
          })
          .catch(function () { if (status && mine === asked) { status.textContent = "The search did not work: press Search to try again."; } });
      }, 250);
    });
  });
})();
