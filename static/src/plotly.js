// plotly.js with the trace types the report draws (reports/charts.py): scatterpolar for the
// radars, bar for the stacked answer bars, and scatter (which the core registers itself) for
// the perception gap's dumbbells. `npm run build` bundles it with esbuild into
// static/build/plotly.min.js; the whole plotly.js bundle is over three times its size.
"use strict";

var Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/bar"), require("plotly.js/lib/scatterpolar")]);

module.exports = Plotly;
