// Passkeys: the page's form carries the options the server made
// (data-options, JSON with base64url bytes); the button asks the browser's
// authenticator (navigator.credentials.create or .get), and the answer
// goes back, as JSON, in the form's hidden "credential" field.
(function () {
  "use strict";
  function toBytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  function toText(buf) {
    if (!buf) { return null; }
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) { s += String.fromCharCode(b[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function ids(list) {
    return (list || []).map(function (c) { var d = Object.assign({}, c); d.id = toBytes(c.id); return d; });
  }
  function answer(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: toText(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      out.response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify(out);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-passkey]");
    if (!form) { return; }
    var problem = document.getElementById("passkey-problem");
    var button = form.querySelector("button[type=submit]");
    if (!window.PublicKeyCredential) {
      problem.textContent = "This browser cannot use passkeys.";
      problem.hidden = false;
      button.disabled = true;
      return;
    }
    form.addEventListener("submit", function (e) {
      if (form.elements.credential.value) { return; }
      e.preventDefault();
      problem.hidden = true;
      var pk = JSON.parse(form.getAttribute("data-options")).publicKey;
      pk.challenge = toBytes(pk.challenge);
      var ask;
      if (form.getAttribute("data-passkey") === "create") {
        pk.user.id = toBytes(pk.user.id);
        pk.excludeCredentials = ids(pk.excludeCredentials);
        ask = navigator.credentials.create({ publicKey: pk });
      } else {
        pk.allowCredentials = ids(pk.allowCredentials);
        ask = navigator.credentials.get({ publicKey: pk });
      }
      ask.then(function (cred) {
        form.elements.credential.value = answer(cred);
        form.submit();
      }, function () {
        problem.textContent = "The passkey was not used. Try again, or go back.";
        problem.hidden = false;
      });
    });
  });
})();
