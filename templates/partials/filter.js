(function () {
  function apply(probe) {
    var table = document.getElementById("items-" + probe);
    if (!table) return;
    var outcome = document.querySelector('[data-filter-outcome="' + probe + '"]').value;
    var text = document.querySelector('[data-filter-text="' + probe + '"]').value.toLowerCase();
    var rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var show = (!outcome || row.getAttribute("data-outcome") === outcome) &&
                 (!text || row.textContent.toLowerCase().indexOf(text) !== -1);
      row.style.display = show ? "" : "none";
    }
  }
  document.querySelectorAll("[data-filter-outcome],[data-filter-text]").forEach(function (el) {
    var probe = el.getAttribute("data-filter-outcome") || el.getAttribute("data-filter-text");
    el.addEventListener("input", function () { apply(probe); });
  });
})();
