// Touch-first menus: a tap on a menu head opens (or closes) its menu instead of following the link;
// a tap outside or Escape closes it. Under 800 px the menu button shows the whole menu as a list.
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll(".navgroup.open").forEach(function (group) {
      if (group !== except) {
        group.classList.remove("open");
        var head = group.querySelector(".navhead");
        if (head) head.setAttribute("aria-expanded", "false");
      }
    });
  }
  document.addEventListener("click", function (event) {
    var head = event.target.closest(".navhead");
    if (head) {
      event.preventDefault();
      var group = head.closest(".navgroup");
      closeAll(group);
      var open = group.classList.toggle("open");
      head.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var toggle = event.target.closest(".navtoggle");
    if (toggle) {
      var bar = toggle.closest(".topbar");
      var shown = bar.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", shown ? "true" : "false");
      return;
    }
    if (!event.target.closest(".navmenu")) closeAll(null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeAll(null);
      var bar = document.querySelector(".topbar.nav-open");
      if (bar) {
        bar.classList.remove("nav-open");
        var toggle = bar.querySelector(".navtoggle");
        if (toggle) { toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
      }
    }
  });
})();
// Every data table gets its own horizontal scroll box, so a wide table never widens the page.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("main table").forEach(function (table) {
    var parent = table.parentElement;
    if (parent.classList.contains("table-scroll") || table.closest(".table-scroll")) return;
    var box = document.createElement("div");
    box.className = "table-scroll";
    parent.insertBefore(box, table);
    box.appendChild(table);
  });
});
