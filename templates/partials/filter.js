(function () {
  // Each probe's item list is one <details class="items">: its filters act on its own table only, so no
  // probe id (which a third-party probe chooses) is ever put into a selector.
  function apply(box) {
    var outcomeEl = box.querySelector("[data-filter-outcome]");
    var textEl = box.querySelector("[data-filter-text]");
    var table = box.querySelector("table.items");
    if (!table || !outcomeEl || !textEl) return;
    var outcome = outcomeEl.value;
    var text = textEl.value.toLowerCase();
    var rows = table.tBodies[0].rows;
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var show = (!outcome || row.getAttribute("data-outcome") === outcome) &&
                 (!text || row.textContent.toLowerCase().indexOf(text) !== -1);
      row.style.display = show ? "" : "none";
      if (show) shown++;
    }
    var count = box.querySelector("[data-filter-count]");
    if (count) count.textContent = shown + " of " + rows.length + " listed rows match";
  }
  document.querySelectorAll("details.items").forEach(function (box) {
    box.querySelectorAll("[data-filter-outcome],[data-filter-text]").forEach(function (el) {
      el.addEventListener("input", function () { apply(box); });
      el.addEventListener("change", function () { apply(box); });
    });
  });
})();
