// Chart marks that stand for a claim are links to the claim's row on the ledger page. On hover
// the browser shows the mark's <title>; on keyboard focus (and hover) this shows the same words
// in a line under the chart, so keyboard readers see what the mark claims before following it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("svg.nkreport-chart").forEach(function (chart) {
    var marks = chart.querySelectorAll("a.chart-claim");
    if (!marks.length) return;
    var readout = document.createElement("p");
    readout.className = "chart-claim-readout";
    readout.setAttribute("aria-hidden", "true");
    chart.parentNode.insertBefore(readout, chart.nextSibling);
    function show(event) { readout.textContent = event.currentTarget.querySelector("title").textContent; }
    function hide() { readout.textContent = ""; }
    marks.forEach(function (mark) {
      mark.addEventListener("focus", show);
      mark.addEventListener("mouseenter", show);
      mark.addEventListener("blur", hide);
      mark.addEventListener("mouseleave", hide);
    });
  });
});
