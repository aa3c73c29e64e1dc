'use strict';
// The target of the attach suite: loads every module in a folder (1,000 of them),
// says {"ready":pid}, then spins in a tight loop a few frames deep for the given
// seconds, recording every gap above the threshold between consecutive clock
// reads with the epoch time it began: [[atMs, gapMs], ...]. A gap is the main
// thread stopped (by tripod, or by the machine). Prints {"gaps":[...]} and exits.
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const [moduleDir, seconds = '3', threshold = '0.3'] = process.argv.slice(2);
const durationMs = Number(seconds) * 1000;
const thresholdMs = Number(threshold);

const loaded = fs.readdirSync(moduleDir).filter((f) => f.endsWith('.js')).map((f) => require(path.join(moduleDir, f)));

function spin(label) {
  const gaps = [];
  const origin = performance.timeOrigin;
  const start = performance.now();
  const deadline = start + durationMs;
  let prev = start;
  for (;;) {
    const now = performance.now();
    if (now - prev > thresholdMs) gaps.push([Math.round(origin + prev), Math.round((now - prev) * 1000) / 1000]);
    prev = now;
    if (now >= deadline) break;
  }
  return { label, gaps };
}

function work(modules) {
  const count = modules.length;
  const result = spin(`after ${count} modules`);
  return { ...result, count };
}

process.stdout.write(`${JSON.stringify({ ready: process.pid, modules: loaded.length })}\n`);
const { gaps, count } = work(loaded);
process.stdout.write(`${JSON.stringify({ modules: count, gaps })}\n`);
