'use strict';
// How late --slow finds a slow request: runs samples/slow_requests.js under tripod --slow 300 (ORDERS orders
// whose upstream answers after 700 ms, so each order and each upstream request is slow), RUNS times, and
// prints the p50, p90 and max of (the slow record's age of the request) - 300 ms: the scan's delay plus
// the capture's. Usage: npm run build && node bench/experiments/slow-latency.js [runs=5] [node=this node]
const path = require('node:path');
const { readFileSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const runs = Number(process.argv[2] || 5);
const node = process.argv[3] || process.execPath;
const THRESHOLD = 300;
const lateness = [];
for (let run = 0; run < runs; run++) {
  const log = path.join(mkdtempSync(path.join(tmpdir(), 'tripod-slow-')), 'run.log');
  execFileSync(node, [path.join(ROOT, 'bin', 'tripod.js'), '-q', '--interval', '1', '--slow', String(THRESHOLD), '--log', log, path.join(ROOT, 'samples', 'slow_requests.js')], {
    env: { ...process.env, ORDERS: '10', UPSTREAM_MS: '700' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const record = JSON.parse(line);
    if (record.event === 'slow') lateness.push(record.slow.ageMs - THRESHOLD);
  }
}
lateness.sort((a, b) => a - b);
const at = (p) => lateness[Math.min(lateness.length - 1, Math.ceil(p * lateness.length) - 1)];
console.log(`${execFileSync(node, ['-v']).toString().trim()}: ${lateness.length} slow records over ${runs} runs; found late by p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${lateness.at(-1)} ms`);
