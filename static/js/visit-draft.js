/* The visit form's draft on the phone, sent again when the connection returns.
 *
 * Without this file the form is a plain form: it works, and its hidden idempotency key (made by
 * the server when the form was opened) already makes a second sending find the first visit.
 * With it:
 *  - every change is kept in the browser's IndexedDB, fields and chosen photos alike (files are
 *    stored as they are, so a draft may hold several megabytes), under one draft per user and
 *    kecamatan, with the form's idempotency key among its fields;
 *  - sending the form first marks the draft "to send", then sends it; offline, nothing is sent:
 *    the page says the draft waits, and sends it by itself when the browser is back online;
 *  - opening the same form again on this device (fresh from the server) puts the draft back,
 *    photos included, with its original key, and sends it at once when it was waiting to be sent:
 *    if an earlier sending did arrive, the server answers with that visit, never a second one;
 *  - a visit page whose key is a draft's (the sending arrived) removes that draft; a form the
 *    server showed again with messages replaces the draft's fields with what it shows (the photos
 *    it accepted are kept on the server, so the draft no longer holds files);
 *  - the visit list names the drafts still waiting, with a link to their form.
 * The texts come from data attributes of the page's elements, so they are translated with it.
 * No inline script: the Content-Security-Policy allows only files from this site.
 */
(function () {
  "use strict";
  var DB_NAME = "jenjang";
  var STORE = "draf-kunjungan";
  var SKIP = { csrf_token: true };

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) {
        reject(new Error("IndexedDB tidak tersedia"));
        return;
      }
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = transaction.onabort = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  var drafts = {
    get: function (id) {
      return withStore("readonly", function (store) {
        return store.get(id);
      });
    },
    put: function (draft) {
      return withStore("readwrite", function (store) {
        return store.put(draft);
      });
    },
    remove: function (id) {
      return withStore("readwrite", function (store) {
        return store.delete(id);
      });
    },
    all: function () {
      return withStore("readonly", function (store) {
        return store.getAll();
      });
    },
  };

  function say(box, text) {
    if (!box) {
      return;
    }
    var target = box.querySelector(".draft-text") || box;
    target.textContent = text;
    box.hidden = !text;
  }

  function when(timestamp) {
    try {
      return new Date(timestamp).toLocaleString(document.documentElement.lang || "id", {
        dateStyle: "medium",
        timeStyle: "short",
      });
    } catch (error) {
      return new Date(timestamp).toLocaleString();
    }
  }

  // --- the form page -----------------------------------------------------------------------

  function snapshot(form, withFiles) {
    var fields = [];
    var files = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.disabled) {
        return;
      }
      if (el.type === "file") {
        if (withFiles) {
          Array.prototype.forEach.call(el.files || [], function (file) {
            files.push([el.name, file]);
          });
        }
      } else if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) {
          fields.push([el.name, el.value]);
        }
      } else if (el.type !== "submit" && el.type !== "button") {
        fields.push([el.name, el.value]);
      }
    });
    var key = form.querySelector("[name=idempotency_key]");
    return {
      id: form.dataset.draftId,
      url: location.pathname + location.search,
      key: key ? key.value : "",
      fields: fields,
      files: files,
      savedAt: Date.now(),
      pending: false,
    };
  }

  // A KIM's section is named by its position (findings-3-…): the draft's positions are matched
  // to the page's by KIM id, so a KIM added to the kecamatan since cannot shift what was typed
  // onto its neighbour. A section of a KIM no longer on the page is left out.
  var SECTION = /^findings-(\d+)-(.*)$/;

  function sectionNames(form, draft) {
    var oldIndex = {};
    draft.fields.forEach(function (pair) {
      var match = SECTION.exec(pair[0]);
      if (match && match[2] === "kim_id") {
        oldIndex[pair[1]] = match[1];
      }
    });
    var rename = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name$='-kim_id']"), function (el) {
      var match = SECTION.exec(el.name);
      if (match && oldIndex[el.value] !== undefined) {
        rename[oldIndex[el.value]] = match[1];
      }
    });
    return function (name) {
      var match = SECTION.exec(name);
      if (!match) {
        return name;
      }
      if (match[2] === "kim_id" || rename[match[1]] === undefined) {
        return null;
      }
      return "findings-" + rename[match[1]] + "-" + match[2];
    };
  }

  function restore(form, draft) {
    var renamed = sectionNames(form, draft);
    var values = {};
    draft.fields.forEach(function (pair) {
      var name = renamed(pair[0]);
      if (name !== null) {
        (values[name] = values[name] || []).push(pair[1]);
      }
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file") {
        return;
      }
      var saved = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = !!saved && saved.indexOf(el.value) !== -1;
      } else if (saved && el.type !== "submit" && el.type !== "button") {
        el.value = saved[0];
      }
    });
    var byName = {};
    (draft.files || []).forEach(function (pair) {
      var name = renamed(pair[0]);
      if (name !== null) {
        (byName[name] = byName[name] || []).push(pair[1]);
      }
    });
    Object.keys(byName).forEach(function (name) {
      var input = form.querySelector('input[type=file][name="' + name + '"]');
      if (!input || !window.DataTransfer) {
        return;
      }
      try {
        var transfer = new DataTransfer();
        byName[name].forEach(function (file) {
          transfer.items.add(file);
        });
        input.files = transfer.files;
      } catch (error) {
        /* a browser that cannot set files: the fields are back, the photos are chosen again */
      }
    });
    // open the sections that hold something, so the restored values can be seen
    Array.prototype.forEach.call(form.querySelectorAll("details"), function (section) {
      var filled = Array.prototype.some.call(section.querySelectorAll("input, textarea"), function (el) {
        if (el.type === "hidden") {
          return false;
        }
        if (el.type === "file") {
          return el.files && el.files.length > 0;
        }
        if (el.type === "checkbox" || el.type === "radio") {
          return el.checked && el.value !== "";
        }
        return el.value !== "" && el.value !== el.defaultValue;
      });
      if (filled) {
        section.open = true;
      }
    });
  }

  function formPage(form) {
    var notice = form.querySelector(".draft-notice");
    var fresh = form.hasAttribute("data-fresh");
    var id = form.dataset.draftId;
    var waiting = false;
    var sending = false;
    var timer = null;

    function save(pending) {
      var draft = snapshot(form, true);
      draft.pending = !!pending;
      return drafts.put(draft).catch(function () {
        /* no storage (private mode, full disk): the form still works without a draft */
      });
    }

    function send() {
      if (sending) {
        return;
      }
      sending = true;
      waiting = false;
      say(notice, notice.dataset.sending);
      save(true).then(function () {
        form.submit(); // a plain sending: the server's answer (the visit, or messages) is shown
      });
    }

    function wait() {
      waiting = true;
      save(true).then(function () {
        say(notice, notice.dataset.offline);
      });
    }

    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        save(false);
      }, 400);
    });
    form.addEventListener("change", function () {
      clearTimeout(timer);
      save(false);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      if (navigator.onLine === false) {
        wait();
      } else {
        send();
      }
    });
    window.addEventListener("online", function () {
      if (waiting) {
        send();
      }
    });
    setInterval(function () {
      if (waiting && navigator.onLine !== false) {
        send();
      }
    }, 15000);
    notice.querySelector(".draft-discard").addEventListener("click", function () {
      drafts.remove(id).then(function () {
        location.replace(location.pathname + location.search);
      });
    });

    drafts
      .get(id)
      .then(function (draft) {
        if (!draft) {
          return;
        }
        if (!fresh) {
          // the server showed this form again with its messages: what it shows is the draft now
          save(false);
          return;
        }
        restore(form, draft);
        say(notice, (notice.dataset.restored || "").replace("%s", when(draft.savedAt)));
        if (draft.pending) {
          if (navigator.onLine === false) {
            wait();
          } else {
            send();
          }
        }
      })
      .catch(function () {
        /* no IndexedDB: nothing to restore */
      });
  }

  // --- the other pages ---------------------------------------------------------------------

  function forgetSaved(key) {
    return drafts.all().then(function (all) {
      return Promise.all(
        all
          .filter(function (draft) {
            return draft.key === key;
          })
          .map(function (draft) {
            return drafts.remove(draft.id);
          })
      );
    });
  }

  function listWaiting(box) {
    drafts.all().then(function (all) {
      var waiting = all.filter(function (draft) {
        return draft.pending;
      });
      if (!waiting.length) {
        return;
      }
      box.textContent = box.dataset.waiting || "";
      waiting.forEach(function (draft) {
        var link = document.createElement("a");
        link.href = draft.url;
        link.textContent = " " + (box.dataset.open || draft.url) + " (" + when(draft.savedAt) + ")";
        box.appendChild(link);
      });
      box.hidden = false;
    });
  }

  var form = document.querySelector("form[data-draft-id]");
  if (form) {
    formPage(form);
  }
  var saved = document.querySelector("[data-saved-key]");
  if (saved) {
    forgetSaved(saved.dataset.savedKey).catch(function () {});
  }
  var box = document.querySelector(".draft-waiting");
  if (box) {
    listWaiting(box);
  }
})();
