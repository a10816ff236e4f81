/* The session timeout, seen from the browser.
 *
 * The server ends a signed-in session after SESSION_IDLE_MINUTES without a request (and a fixed
 * number of hours after the login). On a page of a signed-in user (the <body> carries
 * data-session-idle, data-session-warn and the texts, so they are translated with the page):
 *  - SESSION_WARNING_MINUTES before the idle end a banner says so, with a "stay signed in"
 *    button that asks the server for nothing but the session (auth.keep_alive);
 *  - what is typed in the page's forms (text fields, text areas, choices; never passwords, files
 *    or the CSRF token) is kept in the browser's sessionStorage under the page's address, and
 *    put back into the same form the next time the page is opened from the server without it.
 *    A form sent while the session had already ended brings the login page, then this page again:
 *    the typed work returns. A sending that arrived (the next page is not the login page) drops
 *    the copy.
 * No inline script: the Content-Security-Policy allows only files from this site.
 */
(function () {
  "use strict";
  var PREFIX = "jenjang-isian:";
  var PENDING = "jenjang-isian-terkirim";
  var SKIP_TYPES = { password: true, file: true, hidden: true, submit: true, button: true };

  function store() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null;
    }
  }

  function key(path) {
    return PREFIX + (path || window.location.pathname + window.location.search);
  }

  function fields(form) {
    var out = [];
    for (var i = 0; i < form.elements.length; i += 1) {
      var el = form.elements[i];
      if (!el.name || el.name === "csrf_token" || SKIP_TYPES[el.type]) continue;
      out.push(el);
    }
    return out;
  }

  function snapshot() {
    var forms = document.querySelectorAll("main form[method='post'], main form[method='POST']");
    var saved = [];
    for (var f = 0; f < forms.length; f += 1) {
      var values = {};
      var any = false;
      fields(forms[f]).forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          values[el.name + "=" + el.value] = el.checked;
        } else if (el.tagName === "SELECT" && el.multiple) {
          values[el.name] = Array.prototype.filter
            .call(el.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; });
        } else {
          values[el.name] = el.value;
          if (el.value) any = true;
        }
      });
      saved.push(any ? values : null);
    }
    return saved;
  }

  function save() {
    var s = store();
    if (!s) return;
    var saved = snapshot();
    if (saved.some(function (v) { return v; })) {
      s.setItem(key(), JSON.stringify(saved));
    }
  }

  function restore() {
    var s = store();
    if (!s) return;
    var raw = s.getItem(key());
    if (!raw) return;
    var saved;
    try {
      saved = JSON.parse(raw);
    } catch (e) {
      s.removeItem(key());
      return;
    }
    var forms = document.querySelectorAll("main form[method='post'], main form[method='POST']");
    for (var f = 0; f < forms.length && f < saved.length; f += 1) {
      var values = saved[f];
      if (!values) continue;
      fields(forms[f]).forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          var k = el.name + "=" + el.value;
          if (k in values) el.checked = values[k];
        } else if (el.tagName === "SELECT" && el.multiple && Array.isArray(values[el.name])) {
          Array.prototype.forEach.call(el.options, function (o) {
            o.selected = values[el.name].indexOf(o.value) >= 0;
          });
        } else if (el.name in values && typeof values[el.name] === "string") {
          el.value = values[el.name];
        }
      });
    }
    s.removeItem(key());
  }

  function banner(body, text, button) {
    var box = document.createElement("div");
    box.className = "flash flash-warning session-warning";
    box.setAttribute("role", "alert");
    var p = document.createElement("span");
    p.textContent = text + " ";
    box.appendChild(p);
    if (button) box.appendChild(button);
    var main = document.querySelector("main") || body;
    main.insertBefore(box, main.firstChild);
    return box;
  }

  function start(body) {
    var idle = parseInt(body.getAttribute("data-session-idle"), 10);
    var warn = parseInt(body.getAttribute("data-session-warn"), 10);
    if (!(idle > 0)) return;
    var shown = null;
    var timers = [];

    function schedule() {
      timers.forEach(window.clearTimeout);
      timers = [
        window.setTimeout(showWarning, Math.max(idle - warn, 0) * 1000),
        window.setTimeout(showEnded, idle * 1000),
      ];
    }

    function stay() {
      var url = body.getAttribute("data-session-ping");
      window
        .fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
        .then(function (response) {
          if (response.status === 204) {
            if (shown) shown.remove();
            shown = null;
            schedule();
          } else {
            showEnded();
          }
        })
        .catch(function () {});
    }

    function showWarning() {
      save();
      if (shown) shown.remove();
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = body.getAttribute("data-session-stay");
      button.addEventListener("click", stay);
      shown = banner(body, body.getAttribute("data-session-warning"), button);
    }

    function showEnded() {
      save();
      if (shown) shown.remove();
      shown = banner(body, body.getAttribute("data-session-ended"), null);
    }

    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    var s = store();
    var signedIn = body.hasAttribute("data-session-idle");
    var loginPage = body.hasAttribute("data-session-login-page");
    if (s && !loginPage) {
      // a form sent from a page was received (this is not the login page): drop its copy
      var sent = s.getItem(PENDING);
      if (sent) {
        if (sent !== key()) s.removeItem(sent);
        s.removeItem(PENDING);
      }
    }
    if (!signedIn) return;
    restore();
    document.addEventListener("input", save);
    document.addEventListener("change", save);
    document.addEventListener("submit", function () {
      save();
      if (s) s.setItem(PENDING, key());
    });
    start(body);
  });
})();
