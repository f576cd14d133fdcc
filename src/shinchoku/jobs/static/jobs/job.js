// Keeps a running job's status up to date: every two seconds the page is read again and
// its status region replaced when its text has changed (the region is aria-live, so a
// screen reader hears the change once). Stops when the job has finished.
(function () {
  "use strict";
  var region = document.getElementById("job-status");
  if (!region || region.dataset.finished === "true" || !window.fetch || !window.DOMParser) {
    return;
  }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-status");
        if (!fresh) {
          return;
        }
        if (fresh.textContent !== region.textContent) {
          region.innerHTML = fresh.innerHTML;
        }
        region.dataset.finished = fresh.dataset.finished;
        if (fresh.dataset.finished !== "true") {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 10000);
      });
  }
  window.setTimeout(poll, 2000);
})();
