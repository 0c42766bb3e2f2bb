// Polls the fiche build status (projects:fiche_status) every 2 seconds, then downloads the fiche once ready.
// Without JavaScript the page still says to come back later and the fiche URL works on its own.
(function () {
  "use strict";
  var box = document.querySelector("[data-fiche-status-url]");
  if (!box) return;
  var text = box.querySelector("[data-fiche-status-text]");
  var errorBox = box.querySelector("[data-fiche-status-error]");
  var link = box.querySelector("[data-fiche-download]");
  var tries = 0;

  function poll() {
    tries += 1;
    fetch(box.dataset.ficheStatusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.status === "ready") {
          text.textContent = data.label;
          link.hidden = false;
          window.location.assign(data.url);
          return;
        }
        if (data.status === "failed") {
          text.textContent = data.message;
          if (data.error) { errorBox.textContent = data.error; errorBox.hidden = false; }
          return;
        }
        // Stop after about ten minutes: the page keeps its link to try again.
        if (tries < 300) window.setTimeout(poll, 2000);
      })
      .catch(function () { if (tries < 300) window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
