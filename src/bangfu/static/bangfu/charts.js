// Charts are declared in markup (data-chart + a json_script block); no inline script, so the CSP
// can stay strict.
(function () {
  "use strict";
  function townshipVillages(el) {
    var data = JSON.parse(document.getElementById("township-villages-data").textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { data: [el.dataset.labelVillages, el.dataset.labelPoor] },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: data.names },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: el.dataset.labelVillages, type: "bar", data: data.villages, itemStyle: { color: "#8aa1b4" } },
        { name: el.dataset.labelPoor, type: "bar", data: data.poor, itemStyle: { color: "#b3261e" } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var renderers = { "township-villages": townshipVillages };
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var render = renderers[el.dataset.chart];
      if (render) { render(el); }
    });
  });
})();
