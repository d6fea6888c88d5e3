// Progressive enhancement only: every page works without this file.
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
  window.GOVUKFrontend.initAll();
}

// Wide tables and charts scroll sideways in their own container on small screens. The
// containers are tab stops (tabindex="0" in the HTML) so that keyboard users can scroll
// them; here they stay tab stops only while they do scroll, so that on a wide screen the
// keyboard does not stop at each table and chart for nothing. Checked again when the
// window changes size and when a details element opens (a table in a closed one has no
// width to measure).
(function () {
  var scrollers = document.querySelectorAll(".app-table-scroll, .app-plot-scroll");
  var pending = false;
  function update() {
    pending = false;
    Array.prototype.forEach.call(scrollers, function (scroller) {
      if (scroller.scrollWidth > scroller.clientWidth) {
        scroller.setAttribute("tabindex", "0");
      } else if (scroller !== document.activeElement) {
        scroller.removeAttribute("tabindex");
      }
    });
  }
  function schedule() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(update);
    }
  }
  if (scrollers.length) {
    update();
    window.addEventListener("resize", schedule);
    // "toggle" does not bubble: listen in the capture phase.
    document.addEventListener("toggle", schedule, true);
  }
})();
