#!/usr/bin/env node
// What --children adds to each child's start: a parent (bench/workloads/spawn_children.js) that starts
// CHILDREN `node -e` children one after the other and times, for each, how long until its first line of
// code runs (its first byte on stdout) and until it has exited. Run under `tripod -q` and under
// `tripod -q --children` (the same parent, sampled the same way: only the children differ), interleaved,
// ROUNDS rounds each. Prints the medians and the added time per child. `npm run build` first.
// Usage: node bench/experiments/children-startup.js [ROUNDS=5] [CHILDREN=15]
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const WORKLOAD = path.join(ROOT, 'bench', 'workloads', 'spawn_children.js');
const [rounds = '5', children = '15'] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'tripod-children-startup-'));
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

function runOnce(flags, n) {
  const log = path.join(dir, `run-${n}.log`);
  const out = execFileSync(process.execPath, [TRIPOD, '-q', '--log', log, ...flags, WORKLOAD, children], { encoding: 'utf8' });
  return JSON.parse(out);
}

const without = [];
const withChildren = [];
let n = 0;
for (let r = 0; r < Number(rounds); r++) {
  const pair = r % 2 === 0 ? [[], ['--children']] : [['--children'], []];
  for (const flags of pair) (flags.length ? withChildren : without).push(runOnce(flags, n++));
}
const firstLine = (list) => median(list.map((x) => x.firstLineMs));
const exited = (list) => median(list.map((x) => x.exitMs));
console.log(JSON.stringify({
  node: process.version,
  rounds: Number(rounds),
  children: Number(children),
  firstLineMs: { without: firstLine(without), children: firstLine(withChildren), added: +(firstLine(withChildren) - firstLine(without)).toFixed(1) },
  exitMs: { without: exited(without), children: exited(withChildren), added: +(exited(withChildren) - exited(without)).toFixed(1) },
  all: { without, children: withChildren },
}, null, 1));
