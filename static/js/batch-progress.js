/* A letter batch's page (templates/letters/batch.html): follow its progress without reloading.
 * Every two seconds the page asks /surat/batch/<id>/progress.json and writes the counts into the
 * elements marked data-field; when the batch has ended it reloads once, to show the downloads
 * and every item's outcome. The batch runs in its own process on the server: closing or
 * reloading the page changes nothing. Without this file the page shows the counts as they were
 * when it was loaded, with a reload link. No inline script: the CSP allows only this site's files.
 */
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box || !window.fetch || box.dataset.finished === "1") {
    return;
  }
  var url = box.dataset.progressUrl;
  var failures = 0;

  function set(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (!el) {
      return;
    }
    if (name === "bar") {
      el.value = value;
    } else {
      el.textContent = String(value);
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (p) {
        failures = 0;
        ["status_label", "done", "percent", "issued", "skipped", "failed"].forEach(function (k) {
          set(k, p[k]);
        });
        set("bar", p.done);
        if (p.finished) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, 5000);
        }
      });
  }

  window.setTimeout(poll, 2000);
})();
