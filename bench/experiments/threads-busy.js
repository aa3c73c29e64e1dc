#!/usr/bin/env node
// What `tripod --threads` costs each thread's throughput: WORKERS busy workers beside a busy main thread
// (bench/workloads/threads_each.js), each counting loop turns over the same 8 s window, run under plain
// node and under `tripod -q --threads --interval S`, interleaved, ROUNDS rounds. Prints, per thread, the
// median turns per CPU tick of that thread (its throughput for the CPU it got: on a loaded machine the
// share of the cores each thread gets varies far more than tripod's cost) with and without, the cost in
// %, and the same for wall-clock turns. Locals on (the runner's default, budget 1%). BASE=tripod compares
// against `tripod -q --interval S` without --threads instead of plain node: what --threads itself adds;
// BASE=threads against `tripod -q --threads --interval S`, with EXTRA (tripod flags, e.g. "--watchdog 200")
// added to the measured runs only: what those flags add to --threads. PROFILE=1 adds --profile (each thread
// profiled at 100 Hz) to the measured runs the same way. WORKLOAD names another program of bench/workloads
// (threads_yielding.js: threads that turn their event loops between chunks of work).
// `npm run build` first. Usage: node bench/experiments/threads-busy.js [S=5] [ROUNDS=5] [WORKERS=4] [BASE=node]
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const WORKLOAD = path.join(ROOT, 'bench', 'workloads', process.env.WORKLOAD ?? 'threads_each.js');
const EXTRA = (process.env.EXTRA ?? '').split(' ').filter(Boolean);
const [interval = '5', rounds = '5', workers = '4', base = 'node'] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'tripod-threads-busy-'));
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const env = { ...process.env, WORKERS: workers };

function runOnce(traced, n) {
  const log = path.join(dir, `run-${n}.log`);
  const profile = process.env.PROFILE === '1' ? ['--profile'] : [];
  const tripodArgs = (threads, extra = []) => [TRIPOD, '-q', ...(threads ? ['--threads'] : []), ...extra, '--interval', interval, '--log', log, WORKLOAD];
  const args = traced ? tripodArgs(true, [...EXTRA, ...profile]) : base === 'tripod' ? tripodArgs(false) : base === 'threads' ? tripodArgs(true) : [WORKLOAD];
  const counts = JSON.parse(execFileSync(process.execPath, args, { env, encoding: 'utf8' }));
  // An unexpected end would leave the counts short: the run is refused rather than averaged in.
  if (counts.workers.length !== Number(workers)) throw new Error(`run ${n}: ${counts.workers.length} workers reported`);
  const samples = traced || base !== 'node' ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map(JSON.parse).filter((r) => r.event === 'sample').length : 0;
  const stalls = traced && EXTRA.length > 0 ? readFileSync(log, 'utf8').split('\n').filter((line) => line.includes('"event":"stall"')).length : 0;
  return { threads: [counts.main, ...counts.workers], samples, stalls };
}

const plain = [];
const traced = [];
const samples = [];
const stalls = [];
for (let r = 0, n = 0; r < Number(rounds); r++) {
  plain.push(runOnce(false, n++).threads);
  const run = runOnce(true, n++);
  traced.push(run.threads);
  samples.push(run.samples);
  stalls.push(run.stalls);
}
// Workers are numbered in start order; each is compared with the same worker of the plain runs.
const names = ['main', ...Array.from({ length: Number(workers) }, (_, i) => `worker ${i + 1}`)];
const perTick = (t) => t.turns / Math.max(1, t.cpuTicks);
const cost = (without, withTripod) => +((1 - withTripod / without) * 100).toFixed(2);
const perThread = names.map((name, i) => {
  const without = median(plain.map((t) => perTick(t[i])));
  const withTripod = median(traced.map((t) => perTick(t[i])));
  const wallWithout = median(plain.map((t) => t[i].turns));
  const wallWith = median(traced.map((t) => t[i].turns));
  return { thread: name, turnsPerTick: [+without.toFixed(2), +withTripod.toFixed(2)], costPct: cost(without, withTripod), wallTurns: [wallWithout, wallWith], wallCostPct: cost(wallWithout, wallWith) };
});
const sum = (t) => t.reduce((a, b) => a + b.turns, 0);
const total = { without: median(plain.map(sum)), with: median(traced.map(sum)) };
console.log(JSON.stringify({ node: process.version, base, extra: EXTRA.join(' '), profile: process.env.PROFILE === '1', workload: path.basename(WORKLOAD), stalls: median(stalls), interval: Number(interval), workers: Number(workers), rounds: Number(rounds), samples: median(samples), perThread, wallTotalCostPct: cost(total.without, total.with) }, null, 1));
