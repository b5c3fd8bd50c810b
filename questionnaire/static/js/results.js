// Results pages: fresh figures without reloading. The page is complete without this file.
// Polls the results JSON (cached server-side per tally state) and writes every value with
// textContent only, never as HTML. Rows are re-ordered by their new rank.
(function () {
  "use strict";
  var POLL_MS = 10000;
  var asOf = document.getElementById("results-as-of");
  if (!asOf) return;
  var apiUrl = asOf.getAttribute("data-api");
  var unitId = asOf.getAttribute("data-unit-id");  // the entity page follows one entity
  var failures = 0;

  function setField(root, field, text) {
    var el = root.querySelector('[data-field="' + field + '"]');
    if (el && text !== null && text !== undefined && el.textContent !== String(text)) el.textContent = String(text);
  }

  function updateRow(tr, e) {
    setField(tr, "rank", (e.tied ? "并列" : "") + e.rank);
    setField(tr, "score", e.score);
    setField(tr, "year_score", e.year_score);
    setField(tr, "grade", e.grade);
    setField(tr, "weighted_rate", e.weighted_rate);
    var grade = tr.querySelector('[data-field="grade"]');
    if (grade) grade.className = "grade grade-" + e.grade;
    e.channels.forEach(function (c) {
      setField(tr, "rate-" + c.channel, c.rate);
      setField(tr, "n-" + c.channel, "n=" + c.responses);
      var flag = tr.querySelector('[data-field="short-' + c.channel + '"]');
      if (flag) flag.hidden = !c.short;
    });
  }

  function updateLeague(kind, k) {
    var table = document.getElementById("results-" + kind);
    if (!table) return;
    var tbody = table.tBodies[0];
    var order = [];
    k.entities.forEach(function (e) {
      var tr = tbody.querySelector('tr[data-unit-id="' + e.unit_id + '"]');
      if (!tr) return;
      updateRow(tr, e);
      order.push(tr);
    });
    order.forEach(function (tr) { tbody.appendChild(tr); });  // the JSON lists entities best first
  }

  function updateEntity(kinds) {
    Object.keys(kinds).forEach(function (kind) {
      kinds[kind].entities.forEach(function (e) {
        if (String(e.unit_id) !== unitId) return;
        var head = document.getElementById("entity-headline");
        if (!head) return;
        setField(head, "score", e.score);
        setField(head, "weighted_rate", e.weighted_rate);
        setField(head, "rank_label", e.rank_label + "（共 " + e.of + " 个）");
        setField(head, "grade", e.grade);
        var grade = head.querySelector('[data-field="grade"]');
        if (grade) grade.className = "grade grade-" + e.grade;
      });
    });
  }

  function apply(body) {
    var label = "";
    Object.keys(body.kinds).forEach(function (kind) {
      var k = body.kinds[kind];
      label = label || k.as_of;
      if (unitId) return;
      updateLeague(kind, k);
    });
    if (unitId) updateEntity(body.kinds);
    if (label) asOf.textContent = "数据截至 " + label;
  }

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", apiUrl);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status === 200) {
        failures = 0;
        try { apply(JSON.parse(xhr.responseText)); } catch (err) { failures += 1; }
      } else {
        failures += 1;
      }
      schedule();
    };
    xhr.onerror = function () { failures += 1; schedule(); };
    xhr.send();
  }

  function schedule() {
    // Back off while the server does not answer (up to a minute), so a dead network costs little.
    window.setTimeout(poll, Math.min(POLL_MS * Math.pow(2, failures), 60000));
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) failures = 0;
  });
  schedule();
})();
