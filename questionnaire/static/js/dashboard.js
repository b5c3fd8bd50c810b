// Dashboard enhancements: client-side sorting, live figures (polling), the ECharts chart.
// The page is complete without this file. Data from the server is only ever written with
// textContent / DOM properties, never as HTML.
(function () {
  "use strict";
  var POLL_MS = 5000;
  var asOf = document.getElementById("as-of");
  if (!asOf) return;
  var apiUrl = asOf.getAttribute("data-api");
  var chart = null;
  var chartMode = "daily";
  var lastSeries = null;
  var failures = 0;

  function fmtNum(n) { return n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US"); }
  function fmtPct(v) { return v === null || v === undefined ? "—" : v.toFixed(2) + "%"; }
  // A rate withheld from this account (too few answers of a confidential channel): "样本不足".
  function fmtIndex(v, small) { return (v === null || v === undefined) && small ? "样本不足" : fmtPct(v); }
  function setText(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }

  // --- sorting ---------------------------------------------------------------------------
  function cellValue(tr, key) {
    if (key === "name") return tr.getAttribute("data-name") || "";
    var td = tr.querySelector('td[data-field="' + key + '"]');
    var raw = td ? td.getAttribute("data-value") : "";
    return raw === "" || raw === null ? null : Number(raw);
  }

  function sortTable(table) {
    var key = table.getAttribute("data-sort-key");
    var desc = table.getAttribute("data-sort-desc") === "1";
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, key), y = cellValue(b, key);
      if (x === null && y === null) return 0;
      if (x === null) return 1;   // rows without a value always last
      if (y === null) return -1;
      var c = x < y ? -1 : x > y ? 1 : 0;
      if (c === 0) c = (a.getAttribute("data-name") < b.getAttribute("data-name")) ? -1 : 1;
      return desc ? -c : c;
    });
    rows.forEach(function (tr, i) {
      tbody.appendChild(tr);
      var rank = tr.querySelector("td.rank");
      if (rank) rank.textContent = String(i + 1);
    });
    Array.prototype.forEach.call(table.querySelectorAll("th a.sort"), function (a) {
      var active = a.getAttribute("data-sort") === key;
      a.classList.toggle("active", active);
      a.classList.toggle("desc", active && desc);
      a.classList.toggle("asc", active && !desc);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    table.addEventListener("click", function (ev) {
      var a = ev.target.closest("a.sort");
      if (!a) return;
      ev.preventDefault();
      var key = a.getAttribute("data-sort");
      if (table.getAttribute("data-sort-key") === key) {
        table.setAttribute("data-sort-desc", table.getAttribute("data-sort-desc") === "1" ? "0" : "1");
      } else {
        table.setAttribute("data-sort-key", key);
        table.setAttribute("data-sort-desc", key === "name" ? "0" : "1");
      }
      sortTable(table);
    });
  });

  // --- live figures ----------------------------------------------------------------------
  function updateLeague(id, rows) {
    var table = document.getElementById(id);
    if (!table || !rows) return;
    rows.forEach(function (r) {
      var tr = table.querySelector('tr[data-unit-id="' + r.unit_id + '"]');
      if (!tr) return;
      var old = cellValue(tr, "responses");
      [["responses", r.responses, fmtNum], ["target", r.target, fmtNum], ["share", r.share, fmtPct],
       ["satisfaction_index", r.satisfaction_index, function (v) { return fmtIndex(v, r.small_sample); }],
       ["flagged", r.flagged, fmtNum]].forEach(function (f) {
        var td = tr.querySelector('td[data-field="' + f[0] + '"]');
        if (!td) return;
        td.setAttribute("data-value", f[1] === null || f[1] === undefined ? "" : String(f[1]));
        td.textContent = f[2](f[1]);
      });
      tr.classList.toggle("changed", old !== null && old !== r.responses);
    });
    sortTable(table);
  }

  function updateEntries(rows) {
    var table = document.getElementById("entries");
    if (!table || !rows) return;
    rows.forEach(function (e) {
      var tr = table.querySelector('tr[data-entry-id="' + e.entry_id + '"]');
      if (!tr) return;
      var cells = {responses: fmtNum(e.responses), satisfaction_index: fmtIndex(e.satisfaction_index, e.small_sample), flagged: fmtNum(e.flagged)};
      Object.keys(cells).forEach(function (k) {
        var td = tr.querySelector('td[data-field="' + k + '"]');
        if (td) td.textContent = cells[k];
      });
    });
  }

  function updateQuestions(questions) {
    var table = document.getElementById("questions");
    if (!table || !questions) return;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) {
      var key = tr.getAttribute("data-question");
      var q = questions.filter(function (x) { return x.questionnaire + "|" + x.question_id === key; })[0];
      if (!q) return;
      var answered = tr.querySelector('td[data-field="answered"]');
      if (answered) answered.textContent = fmtNum(q.answered);
      q.options.forEach(function (o) {
        Array.prototype.forEach.call(tr.querySelectorAll("b[data-option]"), function (b) {
          if (b.getAttribute("data-option") === o.value) b.textContent = fmtNum(o.count);
        });
      });
      if (q.type === "rating") {
        tr.querySelector('td[data-field="dont_know"]').textContent = fmtNum(q.dont_know);
        tr.querySelector('td[data-field="rate"]').textContent = fmtPct(q.rate);
      }
    });
  }

  function updateSuggestions(items) {
    var list = document.getElementById("suggestions");
    if (!list || !items) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!items.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = "暂无意见建议";
      list.appendChild(empty);
    }
    items.forEach(function (s) {
      var li = document.createElement("li");
      var meta = document.createElement("span");
      meta.className = "meta";
      var t = new Date(s.created_at);
      var cst = new Date(t.getTime() + 8 * 3600 * 1000);
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      meta.textContent = pad(cst.getUTCMonth() + 1) + "-" + pad(cst.getUTCDate()) + " " + pad(cst.getUTCHours()) + ":" +
        pad(cst.getUTCMinutes()) + " · " + s.unit + (s.flagged ? " · 标记答卷" : "");
      var text = document.createElement("span");
      text.className = "text";
      text.textContent = s.text;
      li.appendChild(meta);
      li.appendChild(text);
      var revealUrl = list.getAttribute("data-reveal-url");  // admins only: the text as typed, audited
      if (revealUrl && s.sealed) {
        var link = document.createElement("a");
        link.className = "reveal";
        link.href = revealUrl.replace("/0/", "/" + s.response_id + "/");
        link.textContent = "查看原文";
        li.appendChild(document.createTextNode(" "));
        li.appendChild(link);
      }
      list.appendChild(li);
    });
  }

  function updateSummary(s, label) {
    var total = document.getElementById("total");
    if (total) {
      total.textContent = fmtNum(s.total);
      total.setAttribute("data-value", String(s.total));
    }
    var bar = document.getElementById("progress");
    if (bar && s.target) bar.value = Math.min(s.total, s.target);
    setText("share", fmtPct(s.share));
    setText("last-24h", fmtNum(s.last_24h));
    setText("satisfaction-index", fmtIndex(s.satisfaction_index, s.small_sample));
    setText("flagged", fmtNum(s.flagged));
    setText("projection", s.projection.message);
    asOf.textContent = label ? "数据截至 " + label : "尚无统计数据";
    asOf.classList.remove("stale");
  }

  function updateDaily(series) {
    var table = document.getElementById("daily");
    if (!table || !series || !series.daily) return;
    var tbody = table.tBodies[0];
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    series.daily.slice(-14).reverse().forEach(function (d) {
      var tr = document.createElement("tr");
      var day = document.createElement("td");
      day.textContent = d.date;
      var n = document.createElement("td");
      n.className = "num";
      n.textContent = fmtNum(d.responses);
      tr.appendChild(day);
      tr.appendChild(n);
      tbody.appendChild(tr);
    });
  }

  // --- chart -----------------------------------------------------------------------------
  function drawChart(series) {
    var el = document.getElementById("chart");
    if (!el || !window.echarts || !series || !series.available) return;
    lastSeries = series;
    if (!chart) {
      chart = window.echarts.init(el);
      window.addEventListener("resize", function () { chart.resize(); });
      var switcher = document.createElement("div");
      switcher.className = "toggle";
      [["daily", "按日"], ["hourly", "近48小时"]].forEach(function (m) {
        var a = document.createElement("a");
        a.href = "#";
        a.textContent = m[1];
        a.className = m[0] === chartMode ? "on" : "";
        a.addEventListener("click", function (ev) {
          ev.preventDefault();
          chartMode = m[0];
          Array.prototype.forEach.call(switcher.children, function (x) { x.className = x === a ? "on" : ""; });
          drawChart(lastSeries);
        });
        switcher.appendChild(a);
      });
      el.parentNode.insertBefore(switcher, el);
    }
    var points = chartMode === "daily" ? series.daily : series.hourly;
    chart.setOption({
      animation: false,
      grid: {left: 56, right: 16, top: 24, bottom: 56},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: points.map(function (p) { return chartMode === "daily" ? p.date.slice(5) : p.label; })},
      yAxis: {type: "value", minInterval: 1},
      dataZoom: chartMode === "daily" && points.length > 45 ? [{type: "slider", start: 70, end: 100}] : [],
      series: [{name: "答卷数", type: chartMode === "daily" ? "bar" : "line",
                data: points.map(function (p) { return p.responses; }), itemStyle: {color: "#b21c1c"}}]
    }, {replaceMerge: ["dataZoom"]});
  }

  // --- polling ---------------------------------------------------------------------------
  function poll() {
    fetch(apiUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (resp) {
        if (resp.status === 401) {
          asOf.textContent = "登录已过期，请刷新页面重新登录";
          asOf.classList.add("stale");
          throw new Error("unauthorized");
        }
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.json();
      })
      .then(function (data) {
        failures = 0;
        updateSummary(data.summary, data.as_of_label);
        updateLeague("counties", data.counties);
        updateLeague("units", data.units);
        updateLeague("townships", data.townships);
        updateEntries(data.entries);
        updateQuestions(data.questions);
        updateSuggestions(data.suggestions);
        updateDaily(data.series);
        drawChart(data.series);
        setTimeout(poll, POLL_MS);
      })
      .catch(function (err) {
        if (err.message === "unauthorized") return;
        failures += 1;
        asOf.classList.add("stale");
        // Back off while the server is unreachable; keep the last figures on screen.
        setTimeout(poll, Math.min(POLL_MS * Math.pow(2, failures), 60000));
      });
  }

  poll();
})();
