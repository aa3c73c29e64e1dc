'use strict';
// The main thread's longest stop around each moment tripod --profile collects its
// profile (every 5 s from the start) and elsewhere: a tight loop reads performance.now()
// and keeps gaps above 1 ms with when they began. Prints {"near":[ms...],"elsewhere":ms}.

const { performance } = require('node:perf_hooks');

const durationMs = Number(process.argv[2] || 12) * 1000;
const FLUSH_MS = 5000;
const NEAR_MS = 300;

const start = performance.now();
let prev = start;
const gaps = [];
while (prev - start < durationMs) {
  const now = performance.now();
  if (now - prev > 1) gaps.push([prev - start, now - prev]);
  prev = now;
}
const near = [];
let elsewhere = 0;
for (let flush = FLUSH_MS; flush < durationMs; flush += FLUSH_MS) near.push(0);
for (const [at, gap] of gaps) {
  const flush = Math.round(at / FLUSH_MS);
  if (flush >= 1 && flush <= near.length && Math.abs(at - flush * FLUSH_MS) <= NEAR_MS) near[flush - 1] = Math.max(near[flush - 1], gap);
  else elsewhere = Math.max(elsewhere, gap);
}
process.stdout.write(`${JSON.stringify({ near: near.map((g) => Math.round(g * 100) / 100), elsewhere: Math.round(elsewhere * 100) / 100 })}\n`);
