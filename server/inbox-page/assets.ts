// The web inbox's inline CSS and script: small, served with the page (no CDN, works offline), allowed by a CSP nonce.

export const INBOX_CSS = `
:root { --fg:#1d2330; --muted:#5d6678; --line:#dde1e8; --bg:#f5f6f8; --card:#fff; --accent:#3b5bdb; --ok:#2b8a3e; --warn:#e67700; --bad:#c92a2a; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
header.top { display:flex; align-items:center; gap:16px; padding:12px 24px; background:#1d2330; color:#fff; }
header.top h1 { font-size:17px; margin:0; font-weight:600; }
header.top .who { margin-left:auto; color:#c5cbd6; }
header.top button { background:transparent; color:#fff; border:1px solid #5d6678; }
main { max-width:1180px; margin:0 auto; padding:20px 24px 48px; }
h2 { font-size:16px; margin:24px 0 12px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; margin-bottom:16px; }
.card.overdue { border-left:4px solid var(--bad); }
.card > .head { display:flex; flex-wrap:wrap; align-items:center; gap:8px; padding:12px 16px; border-bottom:1px solid var(--line); }
.card > .head .case { font-weight:600; }
.card > .head .asked { margin-left:auto; }
.card h3.spaced { margin-top:14px; }
.card > .body { display:grid; grid-template-columns: 1fr 1fr; gap:16px 24px; padding:12px 16px; }
.card h3 { font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0 0 6px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; background:#edf0f5; color:var(--fg); }
.badge.action { background:#e7ecfd; color:var(--accent); font-family: ui-monospace, Menlo, monospace; }
.badge.overdue, .badge.bad { background:#ffe3e3; color:var(--bad); }
.badge.escalated, .badge.warn { background:#fff0db; color:var(--warn); }
.badge.ok { background:#e6f4ea; color:var(--ok); }
.muted { color:var(--muted); }
dl.facts { display:grid; grid-template-columns: max-content 1fr; gap:3px 12px; margin:0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; overflow-wrap:anywhere; }
dl.facts dd.strong { font-weight:600; }
table { border-collapse:collapse; width:100%; }
td, th { text-align:left; padding:4px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:500; font-size:12px; }
code, pre { font-family: ui-monospace, Menlo, monospace; font-size:12px; }
pre { white-space:pre-wrap; margin:0; }
ul.events, ul.reasons { margin:0; padding-left:18px; }
.actions { display:flex; flex-wrap:wrap; gap:12px; align-items:flex-start; padding:12px 16px; border-top:1px solid var(--line); background:#fafbfc; border-radius:0 0 8px 8px; }
button { font:inherit; padding:6px 14px; border-radius:6px; border:1px solid var(--line); background:#fff; cursor:pointer; }
button.primary { background:var(--accent); border-color:var(--accent); color:#fff; }
button.danger { color:var(--bad); }
button:disabled { opacity:.5; cursor:default; }
details.edit, details.reject { border:1px solid var(--line); border-radius:6px; background:#fff; padding:6px 10px; }
details[open] { flex-basis:100%; }
details summary { cursor:pointer; }
form.fields { display:grid; grid-template-columns: max-content 1fr; gap:8px 12px; align-items:start; margin-top:8px; }
form.fields label { color:var(--muted); padding-top:6px; }
form.fields fieldset { grid-column: 1 / -1; border:1px solid var(--line); border-radius:6px; display:grid; grid-template-columns: max-content 1fr; gap:6px 12px; }
input, select, textarea { font:inherit; padding:5px 8px; border:1px solid #c4cad4; border-radius:5px; width:100%; }
textarea { min-height:54px; }
.field-error { color:var(--bad); font-size:12px; }
input.invalid, textarea.invalid, select.invalid { border-color:var(--bad); background:#fff5f5; }
.result { flex-basis:100%; padding:8px 12px; border-radius:6px; font-weight:500; }
.result.err { background:#ffe3e3; color:var(--bad); }
.result.ok { background:#e6f4ea; color:var(--ok); }
.signin { max-width:380px; margin:12vh auto; background:#fff; border:1px solid var(--line); border-radius:8px; padding:24px; }
.signin h1 { font-size:18px; margin:0 0 4px; }
.signin form { display:grid; gap:10px; margin-top:16px; }
.error-banner { background:#ffe3e3; color:var(--bad); padding:8px 12px; border-radius:6px; }
.empty { padding:16px; background:#fff; border:1px dashed var(--line); border-radius:8px; color:var(--muted); }
@media (max-width: 820px) { .card > .body { grid-template-columns: 1fr; } }
`;

/** Answers go to POST /inbox/approvals/:id as JSON; edits are checked against the action's JSON Schema first. */
export const INBOX_JS = `
(function () {
  "use strict";
  // The same as domain/money.ts formatMoney: Stripe's exponent (data-exponent, from the server: JPY 0, KWD 3, ISK 2)
  // and exact decimal strings, never CLDR's digits or a float division.
  function money(minor, currency, exponent) {
    try {
      var e = Number(exponent);
      var digits = String(Math.abs(Math.trunc(minor)));
      while (digits.length < e + 1) digits = "0" + digits;
      var major = (minor < 0 ? "-" : "") + (e === 0 ? digits : digits.slice(0, -e) + "." + digits.slice(-e));
      var needed = (major.split(".")[1] || "").replace(/0+$/, "").length;
      var code = currency.toUpperCase();
      var usual = new Intl.NumberFormat("en-US", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits;
      var d = Math.max(usual, needed);
      return new Intl.NumberFormat("en-US", { style: "currency", currency: code, minimumFractionDigits: d === usual ? undefined : d, maximumFractionDigits: d }).format(major);
    } catch (e) { return ""; }
  }
  function setPath(obj, path, value) {
    var o = obj;
    for (var i = 0; i < path.length - 1; i++) { o[path[i]] = o[path[i]] || {}; o = o[path[i]]; }
    o[path[path.length - 1]] = value;
  }
  function collect(form) {
    var out = {};
    form.querySelectorAll("[data-path]").forEach(function (input) {
      var raw = input.value.trim();
      if (raw === "") return;
      var t = input.getAttribute("data-type");
      setPath(out, input.getAttribute("data-path").split("."), t === "integer" || t === "number" ? Number(raw) : raw);
    });
    return out;
  }
  function typeOf(s) { return Array.isArray(s.type) ? s.type[0] : s.type; }
  function validate(schema, value, path, errors) {
    var here = path.join(".");
    var t = typeOf(schema);
    if (t === "object") {
      if (typeof value !== "object" || value === null) { errors.push([here, "required"]); return; }
      (schema.required || []).forEach(function (k) { if (value[k] === undefined) errors.push([path.concat(k).join("."), "required"]); });
      Object.keys(schema.properties || {}).forEach(function (k) { if (value[k] !== undefined) validate(schema.properties[k], value[k], path.concat(k), errors); });
      return;
    }
    if (t === "integer" || t === "number") {
      if (typeof value !== "number" || !isFinite(value)) { errors.push([here, "must be a number"]); return; }
      if (t === "integer" && Math.floor(value) !== value) { errors.push([here, "must be a whole number (minor units: 1999 = $19.99)"]); return; }
      if (schema.exclusiveMinimum !== undefined && !(value > schema.exclusiveMinimum)) errors.push([here, "must be more than " + schema.exclusiveMinimum]);
      if (schema.minimum !== undefined && value < schema.minimum) errors.push([here, "must be at least " + schema.minimum]);
      if (schema.maximum !== undefined && value > schema.maximum) errors.push([here, "must be at most " + schema.maximum]);
      return;
    }
    if (t === "string") {
      if (typeof value !== "string") { errors.push([here, "must be text"]); return; }
      if (schema.enum && schema.enum.indexOf(value) < 0) errors.push([here, "must be one of " + schema.enum.join(", ")]);
      if (schema.minLength !== undefined && value.length < schema.minLength) errors.push([here, "is too short"]);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push([here, "is longer than " + schema.maxLength + " characters"]);
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push([here, "does not look right (" + schema.pattern + ")"]);
    }
  }
  function result(card, text, kind) {
    var box = card.querySelector(".result");
    box.textContent = text;
    box.className = "result " + kind;
    box.hidden = false;
  }
  function busy(card, on) { card.querySelectorAll("button").forEach(function (b) { b.disabled = on; }); }
  // The session's CSRF token, which the sign-out form carries too.
  function csrfToken() { var input = document.querySelector('form[action="/inbox/logout"] input[name=csrf]'); return input ? input.value : ""; }
  function send(card, body) {
    busy(card, true);
    return fetch("/inbox/approvals/" + encodeURIComponent(card.getAttribute("data-approval")), {
      method: "POST", credentials: "same-origin", headers: { "content-type": "application/json", "x-csrf-token": csrfToken() }, body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        if (res.status === 401) { location.href = "/inbox"; return; }
        if (res.ok) {
          result(card, "Done: " + data.approval.status + " by " + data.approval.approver + ". Refreshing…", "ok");
          setTimeout(function () { location.reload(); }, 700);
          return;
        }
        var msg = data && data.error ? data.error.message : "HTTP " + res.status;
        var prefix = res.status === 409 ? "Already answered — " : res.status === 422 ? "The guard refused this edit — " : "Could not answer — ";
        result(card, prefix + msg, "err");
        busy(card, false);
      });
    }, function (err) { result(card, "Could not reach billops: " + err, "err"); busy(card, false); });
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-answer]");
    if (!b) return;
    var card = b.closest(".card");
    send(card, { type: b.getAttribute("data-answer") });
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var card = form.closest(".card");
    if (!card) return;
    e.preventDefault();
    if (form.classList.contains("reject")) {
      var reason = form.querySelector("textarea").value.trim();
      if (!reason) { result(card, "Say why you reject it: the reason goes to the audit trail.", "err"); return; }
      send(card, { type: "response", reason: reason });
      return;
    }
    form.querySelectorAll(".field-error").forEach(function (n) { n.remove(); });
    form.querySelectorAll(".invalid").forEach(function (n) { n.classList.remove("invalid"); });
    var args = collect(form);
    var errors = [];
    validate(JSON.parse(form.getAttribute("data-schema")), args, [], errors);
    if (errors.length) {
      errors.forEach(function (er) {
        var input = form.querySelector('[data-path="' + er[0] + '"]') || form.querySelector('[data-path^="' + er[0] + '."]');
        var note = document.createElement("div");
        note.className = "field-error";
        note.textContent = (er[0] || "form") + " " + er[1];
        if (input) { input.classList.add("invalid"); input.insertAdjacentElement("afterend", note); } else form.prepend(note);
      });
      result(card, "Fix the highlighted fields; nothing was sent.", "err");
      return;
    }
    send(card, { type: "edit", args: args });
  });
  document.addEventListener("input", function (e) {
    var input = e.target;
    if (input.classList && input.classList.contains("invalid")) {
      input.classList.remove("invalid");
      var note = input.nextElementSibling;
      if (note && note.classList.contains("field-error")) note.remove();
    }
    var cur = input.getAttribute && input.getAttribute("data-currency");
    if (!cur) return;
    var out = input.parentNode.querySelector(".money-preview");
    var n = Number(input.value);
    if (out) out.textContent = input.value && /^\\d+$/.test(input.value.trim()) ? "= " + money(n, cur, input.getAttribute("data-exponent")) : "";
  });
})();
`;
