// Social assistance network charts: declared in markup (data-chart + json_script), CSP-safe.
(function () {
  "use strict";
  function monthly(el) {
    var data = JSON.parse(document.getElementById("network-monthly-data").textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { data: [el.dataset.labelRegistrations, el.dataset.labelSales] },
      grid: { left: 48, right: 64, top: 36, bottom: 28 },
      xAxis: { type: "category", data: data.months },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value" }],
      series: [
        { name: el.dataset.labelRegistrations, type: "bar", data: data.registrations, itemStyle: { color: "#8aa1b4" } },
        { name: el.dataset.labelSales, type: "line", yAxisIndex: 1, data: data.sales, itemStyle: { color: "#b3261e" } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart='network-monthly']").forEach(monthly);
  });
})();
