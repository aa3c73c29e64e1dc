#!/usr/bin/env node
// What `tripod --threads` costs each thread's throughput: WORKERS busy workers beside a busy main thread
// (bench/workloads/threads_each.js), each counting loop turns over the same 8 s window, run under plain
// node and under `tripod -q --threads --interval S`, interleaved, ROUNDS rounds. Prints each thread's
// median turns with and without, and the cost in %. Locals on (the runner's default, budget 1%).
// `npm run build` first. Usage: node bench/experiments/threads-busy.js [S=5] [ROUNDS=5] [WORKERS=4]
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const WORKLOAD = path.join(ROOT, 'bench', 'workloads', 'threads_each.js');
const [interval = '5', rounds = '5', workers = '4'] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'tripod-threads-busy-'));
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const env = { ...process.env, WORKERS: workers };

function runOnce(traced, n) {
  const log = path.join(dir, `run-${n}.log`);
  const args = traced ? [TRIPOD, '-q', '--threads', '--interval', interval, '--log', log, WORKLOAD] : [WORKLOAD];
  const counts = JSON.parse(execFileSync(process.execPath, args, { env, encoding: 'utf8' }));
  const samples = traced ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map(JSON.parse).filter((r) => r.event === 'sample').length : 0;
  return { threads: [counts.main, ...counts.workers], samples };
}

const plain = [];
const traced = [];
const samples = [];
for (let r = 0, n = 0; r < Number(rounds); r++) {
  plain.push(runOnce(false, n++).threads);
  const run = runOnce(true, n++);
  traced.push(run.threads);
  samples.push(run.samples);
}
// Workers are numbered in start order; each is compared with the same worker of the plain runs.
const names = ['main', ...Array.from({ length: Number(workers) }, (_, i) => `worker ${i + 1}`)];
const perThread = names.map((name, i) => {
  const without = median(plain.map((t) => t[i]));
  const withTripod = median(traced.map((t) => t[i]));
  return { thread: name, without, with: withTripod, costPct: +((1 - withTripod / without) * 100).toFixed(2) };
});
const sum = (t) => t.reduce((a, b) => a + b, 0);
const total = { without: median(plain.map(sum)), with: median(traced.map(sum)) };
console.log(JSON.stringify({ node: process.version, interval: Number(interval), workers: Number(workers), rounds: Number(rounds), samples: median(samples), perThread, totalCostPct: +((1 - total.with / total.without) * 100).toFixed(2), all: { plain, traced } }, null, 1));
