// Same esbuild settings as plotly.js's own partial bundles (its esbuild-config.js),
// less the WebGL shader plugin: none of the cockpit's traces use WebGL.
const path = require('path');
const { environmentPlugin } = require('esbuild-plugin-environment');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const { version } = require('plotly.js/package.json');
// The types registered in entry.js, named in the banner for the app and its tests.
const traces = [...require('fs').readFileSync(path.join(__dirname, 'entry.js'), 'utf8')
    .matchAll(/require\('plotly\.js\/lib\/(\w+)'\)/g)].map(m => m[1]).filter(t => t !== 'core');

require('esbuild').build({
    entryPoints: [path.join(__dirname, 'entry.js')],
    outfile: path.join(__dirname, '..', '..', 'assets', 'vendor', 'plotly', 'plotly-cockpit.min.js'),
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    legalComments: 'inline',
    // First line, where V8 looks for it: compile every function while the file
    // streams in, on a background thread. The page calls most of plotly during
    // its first draw, and compiling lazily did that on the main thread.
    banner: { js: `//# allFunctionsCalledOnLoad\n/* plotly.js v${version} cockpit bundle; traces: scatter,${traces.join(',')} */` },
    logLevel: 'info',
}).then(() => {
    // Air-gapped: the defaults that would fetch from the internet point home
    // (world topojson, served from assets/) or nowhere (Chart Studio export).
    const fs = require('fs');
    const out = path.join(__dirname, '..', '..', 'assets', 'vendor', 'plotly', 'plotly-cockpit.min.js');
    fs.writeFileSync(out, fs.readFileSync(out, 'utf8')
        .replace('https://cdn.plot.ly/un/', '/assets/topojson/')
        .replace('https://cloud.plotly.com', ''));
}).catch(() => process.exit(1));
