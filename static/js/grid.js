/* The data-entry grid on a phone (templates/activity/grid.html, "data-entry grid" in app.css).
 *
 * The page works without this file: the CSS shows one KIM card (#kim-N, or the one the server
 * marked .current) and the previous/next links are plain anchors. This file only
 *  - keeps .current on the card the address names, so a browser without :has() shows one card;
 *  - after a refused save, brings the first wrong field into view and puts the cursor in it;
 *  - makes Enter in a card's field save with that card's button, so the page comes back on the
 *    same card (the form's first button would bring it back to the first KIM).
 * No inline script anywhere: the Content-Security-Policy allows only files from this site.
 */
(function () {
  "use strict";
  var table = document.querySelector(".measure-grid");
  if (!table) {
    return;
  }
  var form = table.closest("form");

  function show(id) {
    var row = id ? document.getElementById(id) : null;
    if (!row || row.parentElement.parentElement !== table) {
      return;
    }
    var current = table.querySelectorAll("tbody > tr.current");
    for (var i = 0; i < current.length; i += 1) {
      current[i].classList.remove("current");
    }
    row.classList.add("current");
  }

  window.addEventListener("hashchange", function () {
    show(decodeURIComponent(location.hash.slice(1)));
  });
  if (location.hash) {
    show(decodeURIComponent(location.hash.slice(1)));
  }

  var wrong = table.querySelector("[aria-invalid=true]");
  if (wrong) {
    show(wrong.closest("tr").id);
    wrong.scrollIntoView({ block: "center" });
    wrong.focus({ preventScroll: true });
  }

  if (form) {
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.target.tagName !== "INPUT") {
        return;
      }
      var row = event.target.closest("tr");
      var save = row ? row.querySelector("button[name=kartu]") : null;
      if (save && save.offsetParent !== null && form.requestSubmit) {
        event.preventDefault();
        form.requestSubmit(save);
      }
    });
  }
})();
