// Work-plan dashboard charts: data from the json_script block, each bar clickable to the rows
// behind it. No inline script (strict CSP).
(function () {
  "use strict";
  var COLORS = { on_time: "#1b7f3b", late: "#a15c00", missing: "#b3261e", returned: "#6a3d9a", pending: "#c5ccd3" };
  var ORDER = ["on_time", "late", "missing", "returned", "pending"];

  function go(url) { if (url) { window.location.href = url; } }

  function months(el, data) {
    var labels = el.dataset.labels.split("|");
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" }, legend: { data: labels },
      grid: { left: 40, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: data.months }, yAxis: { type: "value", minInterval: 1 },
      series: ORDER.map(function (key, i) {
        return { name: labels[i], type: "bar", stack: "all", data: data.by_month[key], itemStyle: { color: COLORS[key] } };
      }),
    });
    chart.on("click", function (p) { go(data.month_urls[p.dataIndex]); });
    return chart;
  }

  function progress(el, data) {
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { renderMode: "richText" }, grid: { left: 200, right: 24, top: 10, bottom: 24 },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", data: data.progress.map(function (p) { return p.name; }) },
      series: [{ type: "bar", data: data.progress.map(function (p) { return p.percent; }), itemStyle: { color: "#0b5cad" } }],
    });
    chart.on("click", function (p) { go(data.progress[p.dataIndex].url); });
    return chart;
  }

  function lateUnits(el, data) {
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { renderMode: "richText" }, grid: { left: 160, right: 24, top: 10, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: data.late_units.names, inverse: true },
      series: [{ name: el.dataset.label, type: "bar", data: data.late_units.counts, itemStyle: { color: COLORS.missing } }],
    });
    chart.on("click", function (p) { go(data.late_units.urls[p.dataIndex]); });
    return chart;
  }

  function milestones(el, data) {
    var labels = el.dataset.labels.split("|");
    var keys = ["done", "overdue", "open"];
    var colors = [COLORS.on_time, COLORS.missing, COLORS.pending];
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" }, legend: { data: labels },
      grid: { left: 40, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: ["Q1", "Q2", "Q3", "Q4"] }, yAxis: { type: "value", minInterval: 1 },
      series: keys.map(function (key, i) {
        return { name: labels[i], type: "bar", stack: "all", data: data.milestones[key], itemStyle: { color: colors[i] } };
      }),
    });
    chart.on("click", function () { go(data.milestones_url); });
    return chart;
  }

  var renderers = { months: months, progress: progress, "late-units": lateUnits, milestones: milestones };
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("workplan-dashboard-data");
    if (!window.echarts || !source) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-wp-chart]").forEach(function (el) {
      var render = renderers[el.dataset.wpChart];
      if (render) { charts.push(render(el, data)); }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
