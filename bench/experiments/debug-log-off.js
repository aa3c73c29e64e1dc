#!/usr/bin/env node
// What a TRIPOD_DEBUG line costs when its section is off: ns per call of a section's function with four
// arguments, against an empty function, medians of 7 rounds of 10 million calls. `npm run build` first.
// A capture makes about ten such calls (probe, enable, pause, read, resume, tick, budget), so the off path
// adds (ns per call x 10) to a capture of ~1 ms or more.
'use strict';
const { debugLog } = require('../../dist/diagnostics/debug-log');

const CALLS = 10_000_000;
const ROUNDS = 7;
const debug = debugLog('capture');
function empty(_format, _a, _b, _c, _d) {}

function nsPerCall(fn) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) fn('probe answered (%s, %s frames)', 'main', i, undefined, undefined);
  return Number(process.hrtime.bigint() - started) / CALLS;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const off = [];
const baseline = [];
for (let r = 0; r < ROUNDS; r++) {
  baseline.push(nsPerCall(empty));
  off.push(nsPerCall(debug));
}
console.log(JSON.stringify({ node: process.version, emptyNsPerCall: +median(baseline).toFixed(2), offNsPerCall: +median(off).toFixed(2) }));
