// Draws the report's charts with plotly.js. Each chart is a <div data-chart="ID"> and its
// figure a <script type="application/json" id="ID"> written by Django's json_script, so no
// inline script is needed (the Content-Security-Policy allows none). Without JavaScript the
// divs stay hidden and the tables beside them carry the same figures.
(function () {
  "use strict";
  if (!window.Plotly) {
    return;
  }
  // Charts are shown only with JavaScript (.js-enabled .app-plot). app.js sets the class
  // too, but it may run after this file, and plotly must measure a visible element.
  document.body.classList.add("js-enabled");
  var charts = document.querySelectorAll("[data-chart]");
  Array.prototype.forEach.call(charts, function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    element.classList.add("app-chart--drawn");
    window.Plotly.newPlot(element, figure.data, figure.layout, figure.config);
  });
})();
