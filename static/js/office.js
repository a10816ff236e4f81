/* The letter settings page (templates/letters/office.html): the example number follows the
 * numbering template as it is typed. The server formats it (/surat/pengaturan/contoh-nomor),
 * so the page and the letters share one implementation; without this file the example shows the
 * saved or last submitted template. No inline script: the CSP allows only files from this site.
 */
(function () {
  "use strict";
  var box = document.getElementById("number-example");
  if (!box || !window.fetch) {
    return;
  }
  var inputs = ["number_template", "classification_code", "unit_code"].map(function (id) {
    return document.getElementById(id);
  });
  if (inputs.some(function (input) { return !input; })) {
    return;
  }
  var timer = null;
  var asked = 0;

  function show(text, isError) {
    box.textContent = "";
    var value = document.createElement(isError ? "span" : "strong");
    value.className = isError ? "field-error example-error" : "example-value";
    value.textContent = text;
    if (!isError) {
      box.appendChild(document.createTextNode(box.dataset.label));
    }
    box.appendChild(value);
  }

  function refresh() {
    var ask = ++asked;
    var url = box.dataset.exampleUrl + "?" + new URLSearchParams({
      format: inputs[0].value, kode: inputs[1].value, unit: inputs[2].value
    }).toString();
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && ask === asked) {
          show(body.example || body.error, !body.example);
        }
      })
      .catch(function () { /* the saved example stays */ });
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
  });
}());
