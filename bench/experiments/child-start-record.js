#!/usr/bin/env node
// How early a --children child's start record is in the log, and how early its preload runs: what a
// child killed by SIGKILL right after its spawn leaves. Runs ROUNDS idle `node -e` children one after
// the other from a parent under `tripod -q --children`, each killed by SIGKILL D ms after spawn for D
// in DELAYS, and counts the children whose start record is in the log; then, the same children not
// killed, the median ms from spawn to their start record appearing (the log polled every 2 ms), and,
// under plain node, from spawn to a `--require` preload's first line (where tripod's preload runs).
// `npm run build` first. Usage: node bench/experiments/child-start-record.js [ROUNDS=5] [DELAYS=25,50,100,200,400]
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const [rounds = '5', delays = '25,50,100,200,400'] = process.argv.slice(2);
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

if (process.env.CHILD_START_PARENT) {
  // The parent, under tripod --children: spawn, kill or wait, and report.
  const log = process.env.CHILD_START_LOG;
  const startOf = (pid) => readFileSync(log, 'latin1').includes(`"pid":${pid},"event":"start"`);
  const idle = ['-e', 'setInterval(() => {}, 1000)'];
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  (async () => {
    const killed = {};
    for (const delay of delays.split(',').map(Number)) {
      killed[delay] = [];
      for (let i = 0; i < Number(rounds); i++) {
        const child = spawn(process.execPath, idle, { stdio: 'ignore' });
        await sleep(delay);
        child.kill('SIGKILL');
        await new Promise((resolve) => child.on('exit', resolve));
        killed[delay].push(child.pid);
      }
    }
    await sleep(300);
    const withStart = Object.fromEntries(Object.entries(killed).map(([delay, pids]) => [delay, `${pids.filter(startOf).length}/${pids.length}`]));
    const untilStart = [];
    for (let i = 0; i < Number(rounds); i++) {
      const t0 = performance.now();
      const child = spawn(process.execPath, idle, { stdio: 'ignore' });
      while (!startOf(child.pid) && performance.now() - t0 < 5000) await sleep(2);
      untilStart.push(performance.now() - t0);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
    }
    process.stdout.write(JSON.stringify({ withStartRecord: withStart, msUntilStartRecord: +median(untilStart).toFixed(1), msUntilStartRecordAll: untilStart.map((t) => +t.toFixed(1)) }));
  })();
} else {
  const dir = mkdtempSync(path.join(tmpdir(), 'tripod-child-start-'));
  const log = path.join(dir, 'run.log');
  const env = { ...process.env, CHILD_START_PARENT: '1', CHILD_START_LOG: log };
  const underTripod = JSON.parse(execFileSync(process.execPath, [TRIPOD, '-q', '--children', '--log', log, __filename, rounds, delays], { env, encoding: 'utf8' }));
  // The preload's first line, under plain node: it writes the time on the clock both processes share.
  const mark = path.join(dir, 'mark.js');
  writeFileSync(mark, "process.stdout.write(String(performance.timeOrigin + performance.now())); process.exit(0);\n");
  const untilPreload = [];
  for (let i = 0; i < Number(rounds); i++) {
    const t0 = performance.timeOrigin + performance.now();
    const out = execFileSync(process.execPath, ['--require', mark, '-e', '0'], { encoding: 'utf8' });
    untilPreload.push(Number(out) - t0);
  }
  console.log(JSON.stringify({ node: process.version, rounds: Number(rounds), ...underTripod, msUntilPreload: +median(untilPreload).toFixed(1) }, null, 1));
}
