'use strict';
// plotly.js with only the trace types the cockpit draws (components/figures*.py).
// tests/web/test_plotly_bundle.py fails when a figure uses a type missing here.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/sankey'),
    require('plotly.js/lib/scattergeo'),
]);

module.exports = Plotly;
