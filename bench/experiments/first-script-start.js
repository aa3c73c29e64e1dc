#!/usr/bin/env node
// When a script's first line runs under `tripod -q FLAG`: ms from process start (performance.now() at
// the script's first line), this build's bin/tripod.js against OTHER (another build's bin/tripod.js,
// e.g. one made with `git archive COMMIT | tar -x -C /tmp/old` and `npx tsc` there), ROUNDS interleaved
// pairs; prints both medians and the paired difference's median and range. Run it under each Node.
// `npm run build` first. Usage: node bench/experiments/first-script-start.js OTHER [ROUNDS=11] [FLAG=--children]
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const THIS = path.resolve(__dirname, '..', '..', 'bin', 'tripod.js');
const [other, rounds = '11', flag = '--children'] = process.argv.slice(2);
if (!other) throw new Error('usage: first-script-start.js OTHER_BIN [ROUNDS] [FLAG]');
const dir = mkdtempSync(path.join(tmpdir(), 'tripod-first-start-'));
const script = path.join(dir, 'first.js');
writeFileSync(script, 'process.stdout.write(performance.now().toFixed(1));\n');
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const once = (bin, n) => Number(execFileSync(process.execPath, [bin, '-q', flag, '--log', path.join(dir, `${n}.log`), script], { encoding: 'utf8' }));
const runs = { other: [], this: [] };
for (let i = 0; i < Number(rounds); i++) {
  runs.other.push(once(other, `o${i}`));
  runs.this.push(once(THIS, `t${i}`));
}
const diffs = runs.this.map((t, i) => t - runs.other[i]);
console.log(JSON.stringify({ node: process.version, flag, rounds: Number(rounds), otherMs: median(runs.other), thisMs: median(runs.this), addedMs: +median(diffs).toFixed(1), range: [Math.min(...diffs), Math.max(...diffs)].map((d) => +d.toFixed(1)) }));
