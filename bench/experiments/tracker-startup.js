#!/usr/bin/env node
// What the request tracker and the probe's holder add to a script's start (issue 15: "startup of the tracker
// < 1 ms"), as the runner pays it: their modules taken from a bundle as the CLI's (dist/cli.bundle.js holds
// them so), then installed; RUNS fresh processes, min and median of each part.
// `npm run build` first. Usage: node bench/experiments/tracker-startup.js [RUNS=20] [NODE=node]
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const esbuild = require('esbuild');

const DIST = path.resolve(__dirname, '..', '..', 'dist');
const [runs = '20', node = process.execPath] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'tripod-tracker-startup-'));
const entry = path.join(dir, 'entry.js');
writeFileSync(
  entry,
  `const t0 = performance.now();
const { installRequestTracker } = require(${JSON.stringify(path.join(DIST, 'requests', 'tracker.js'))});
const { installProbeHolder } = require(${JSON.stringify(path.join(DIST, 'capture', 'probe-context.js'))});
const t1 = performance.now();
installProbeHolder(installRequestTracker({ keepQuery: false, running: false }).snapshot);
console.log(JSON.stringify({ loadMs: t1 - t0, installMs: performance.now() - t1 }));
`,
);
const bundle = path.join(dir, 'bundle.js');
esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', outfile: bundle, logLevel: 'warning' });
const rows = Array.from({ length: Number(runs) }, () => JSON.parse(execFileSync(node, [bundle], { encoding: 'utf8' })));
const stat = (key) => {
  const xs = rows.map((r) => r[key]).sort((a, b) => a - b);
  return { min: Math.round(xs[0] * 100) / 100, p50: Math.round(xs[xs.length >> 1] * 100) / 100 };
};
const total = rows.map((r) => r.loadMs + r.installMs).sort((a, b) => a - b);
console.log(JSON.stringify({ node: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(), runs: rows.length, load: stat('loadMs'), install: stat('installMs'), totalMin: Math.round(total[0] * 100) / 100, totalP50: Math.round(total[total.length >> 1] * 100) / 100 }));
