// Draws the report's charts with plotly.js. Each chart is a <div data-chart="ID"> and its
// figure a <script type="application/json" id="ID"> written by Django's json_script, so no
// inline script is needed (the Content-Security-Policy allows none). Without JavaScript the
// divs stay hidden and the tables beside them carry the same figures.
(function () {
  "use strict";
  // Charts are shown only with JavaScript (.js-enabled .app-plot). app.js sets the class
  // too, but it may run after this file, and plotly must measure a visible element.
  document.body.classList.add("js-enabled");
  var script = document.currentScript;
  // Plotly labels break lines at <br>: break `text` again into lines of about `width`.
  function rewrap(text, width) {
    var lines = [];
    var line = "";
    text.split("<br>").join(" ").split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines.join("<br>");
  }
  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    if (figure.layout.polar && element.clientWidth < 480) {
      // A phone: a radar sized for a desktop would leave the chart a sliver or cut it off,
      // so its margins and labels shrink to fit the screen.
      figure.layout.margin = { l: 70, r: 70, t: 60, b: 24 };
      figure.layout.font = Object.assign({}, figure.layout.font, { size: 10 });
      figure.layout.height = Math.max(320, element.clientWidth + 40);
      figure.layout.polar.angularaxis.tickfont = { size: 10 };
      // Shorter lines, so that the labels at the sides fit in the margins.
      figure.layout.polar.angularaxis.ticktext = figure.layout.polar.angularaxis.ticktext.map(
        function (text) { return rewrap(text, 11); }
      );
      figure.layout.polar.radialaxis.tickfont = { size: 9 };
    }
    element.classList.add("app-chart--drawn");
    window.Plotly.newPlot(element, figure.data, figure.layout, figure.config);
  }
  // A chart hidden at this width (the report's radar on a narrow screen, where the dot
  // chart takes its place) is drawn when the window grows to show it: plotly cannot
  // measure a hidden element.
  // plotly.js itself is loaded only once some chart is to be drawn: on a phone the page
  // shows charts drawn on the server, and a megabyte of script would be parsed for nothing.
  var waiting = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
  var loading = false;
  function drawVisible() {
    var visible = waiting.filter(function (element) {
      return element.offsetParent !== null;
    });
    if (!visible.length) {
      return;
    }
    if (!window.Plotly) {
      if (!loading && script && script.getAttribute("data-plotly")) {
        loading = true;
        var plotly = document.createElement("script");
        plotly.src = script.getAttribute("data-plotly");
        plotly.onload = drawVisible;
        document.body.appendChild(plotly);
      }
      return;
    }
    waiting = waiting.filter(function (element) {
      if (visible.indexOf(element) === -1) {
        return true;
      }
      draw(element);
      return false;
    });
  }
  drawVisible();
  if (waiting.length) {
    window.addEventListener("resize", drawVisible);
  }
})();
