// The Yulu zero-omission dashboard: missing and paid per township (data from a json_script block).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.querySelector('[data-chart="yulu-townships"]');
    if (!el || !window.echarts) { return; }
    var data = JSON.parse(document.getElementById("yulu-townships-data").textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { data: [el.dataset.labelPaid, el.dataset.labelMissing] },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: data.names },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: el.dataset.labelPaid, type: "bar", stack: "s", data: data.paid, itemStyle: { color: "#8aa1b4" } },
        { name: el.dataset.labelMissing, type: "bar", stack: "s", data: data.missing, itemStyle: { color: "#b3261e" } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
