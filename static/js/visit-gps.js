/* The GPS button of the visit form (templates/visits/form.html).
 *
 * Without this file the latitude, longitude and accuracy are plain fields a person may type or
 * leave empty. With it, and a browser that can tell where it is, a button fills them from the
 * phone (the browser asks the user first). The texts come from the button's data attributes, so
 * they are translated with the page. No inline script: the Content-Security-Policy allows only
 * files from this site.
 */
(function () {
  "use strict";
  var tools = document.querySelector(".gps-tools");
  if (!tools || !navigator.geolocation) {
    return;
  }
  var form = tools.closest("form");
  var button = tools.querySelector(".gps-button");
  var status = tools.querySelector(".gps-status");
  var fields = {
    lat: form.querySelector("[name=gps_lat]"),
    lon: form.querySelector("[name=gps_lon]"),
    accuracy: form.querySelector("[name=gps_accuracy]"),
  };
  tools.hidden = false;

  function set(input, value) {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true })); // the draft keeps it too
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = button.dataset.asking || "";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var coords = position.coords;
        set(fields.lat, coords.latitude.toFixed(6));
        set(fields.lon, coords.longitude.toFixed(6));
        set(fields.accuracy, String(Math.round(coords.accuracy)));
        status.textContent = (button.dataset.done || "").replace("%s", fields.accuracy.value);
        button.disabled = false;
      },
      function (error) {
        status.textContent =
          error.code === error.PERMISSION_DENIED ? button.dataset.denied : button.dataset.failed;
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  });
})();
