'use strict';
// A tight loop for argv[2] seconds that keeps every stop of the main thread above argv[3] ms (default 30), with when it began
// (seconds from the start): prints {"gaps":[[s, ms]...],"totalMs":ms,"share":% of the run}. For --profile's
// restarts on a large heap (preload big_heap.js), where each one stops the thread for hundreds of ms.

const { performance } = require('node:perf_hooks');

const durationMs = Number(process.argv[2] || 30) * 1000;
const LONG_MS = Number(process.argv[3] || 30);

const start = performance.now();
let prev = start;
const gaps = [];
while (prev - start < durationMs) {
  const now = performance.now();
  if (now - prev > LONG_MS) gaps.push([Math.round(prev - start) / 1000, Math.round((now - prev) * 10) / 10]);
  prev = now;
}
const totalMs = gaps.reduce((sum, [, ms]) => sum + ms, 0);
process.stdout.write(`${JSON.stringify({ gaps, totalMs: Math.round(totalMs * 10) / 10, share: Math.round((totalMs / durationMs) * 10000) / 100 })}\n`);
