#!/usr/bin/env node
// What --threads costs the main thread per sampled worker: a main thread that counts loop turns for 4 s
// beside WORKERS busy workers (bench/workloads/threads_busy.js), under `tripod -q --interval S` with and
// without --threads, interleaved, ROUNDS rounds each; locals on (the runner's default) and off.
// Prints the medians and the main thread's time lost per worker sample. `npm run build` first.
// Usage: node bench/experiments/threads-main-cost.js [S=0.1] [ROUNDS=5] [WORKERS=4]
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const WORKLOAD = path.join(ROOT, 'bench', 'workloads', 'threads_busy.js');
const [interval = '0.1', rounds = '5', workers = '4'] = process.argv.slice(2);
const DURATION_MS = 4000;
const dir = mkdtempSync(path.join(tmpdir(), 'tripod-threads-cost-'));
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

function runOnce(flags, n) {
  const log = path.join(dir, `run-${n}.log`);
  const env = { ...process.env, WORKERS: workers, DURATION_MS: String(DURATION_MS), TRIPOD_LOCALS_BUDGET: '100' };
  const out = execFileSync(process.execPath, [TRIPOD, '-q', '--interval', interval, '--log', log, ...flags, WORKLOAD], { env, encoding: 'utf8' });
  const samples = readFileSync(log, 'utf8').split('\n').filter(Boolean).map(JSON.parse).filter((r) => r.event === 'sample');
  return { turns: JSON.parse(out).mainTurns, workerSamples: samples.filter((s) => s.threadId !== undefined).length };
}

let n = 0;
const result = { node: process.version, interval: Number(interval), workers: Number(workers), rounds: Number(rounds) };
for (const locals of [[], ['--no-locals']]) {
  const plain = [];
  const threads = [];
  const workerSamples = [];
  for (let r = 0; r < Number(rounds); r++) {
    plain.push(runOnce(locals, n++).turns);
    const withThreads = runOnce(['--threads', ...locals], n++);
    threads.push(withThreads.turns);
    workerSamples.push(withThreads.workerSamples);
  }
  // Worker samples over the whole run; the count covers DURATION_MS of it, plus the start and the end.
  const lostShare = 1 - median(threads) / median(plain);
  const samplesInWindow = median(workerSamples) * (DURATION_MS / (DURATION_MS + 700));
  result[locals.length ? 'noLocals' : 'locals'] = {
    mainTurnsWithout: median(plain),
    mainTurnsWith: median(threads),
    mainLostPct: +(lostShare * 100).toFixed(2),
    workerSamples: median(workerSamples),
    mainMsLostPerWorkerSample: +((lostShare * DURATION_MS) / samplesInWindow).toFixed(3),
    all: { plain, threads },
  };
}
console.log(JSON.stringify(result, null, 1));
