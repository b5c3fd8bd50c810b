/* Export progress: poll the JSON status and update the bar; reload once the job ends.
   Without JavaScript the page refreshes itself through <noscript><meta refresh>. */
(function () {
  var box = document.getElementById("export-job");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        if (s.status !== "queued" && s.status !== "started" && s.status !== "deferred" && s.status !== "scheduled") {
          window.location.reload();
          return;
        }
        if (bar) { bar.max = s.total || 1; bar.value = s.done || 0; }
        if (text) { text.textContent = "正在导出，请稍候……已写入 " + (s.done || 0) + (s.total !== null ? " / " + s.total : "") + " 行。"; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
