#!/usr/bin/env node
// How long SIGUSR1 holds a program, and whose part it is: Node's own (the signal alone, no client
// ever connects; and the inspector's close, the program calling inspector.close() itself) against a
// whole `tripod dump PID` and `tripod flags PID --ls 'flag*'` through SIGUSR1 (which open, read and
// close). Measured in the program: the worst lateness of its 1 ms timer in a window after each
// action, the sum of that lateness, and the main thread's own CPU time in the window (schedstat:
// what load elsewhere does not inflate), beside the same window with nothing done. The actions are
// interleaved round by round; medians of ROUNDS. A program of 1,000 modules (as flags-roundtrip.js),
// started with --inspect-port=0; and, as the load tripod's own process puts on the cores, a dump of
// another such process during the window. `npm run build` first.
// Usage: node bench/experiments/sigusr1-floor.js [ROUNDS]
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir, loadavg } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const ROUNDS = Number(process.argv[2] ?? 9);
const MODULES = 1000;
const WINDOW_MS = 400;

function makeProgram() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tripod-sigusr1-bench-'));
  mkdirSync(path.join(dir, 'lib'));
  for (let i = 0; i < MODULES; i++) writeFileSync(path.join(dir, 'lib', `m${i}.js`), `module.exports = { n: ${i}, f() { return ${i}; } };\n`);
  writeFileSync(
    path.join(dir, 'app.js'),
    `for (let i = 0; i < ${MODULES}; i++) require('./lib/m' + i + '.js');
const { flag } = require(${JSON.stringify(path.join(ROOT, 'dist', 'flags', 'index.js'))});
for (let i = 0; i < 10; i++) flag('flag' + i, i);
let worst = 0, sum = 0, last = performance.now();
setInterval(() => { const now = performance.now(); const late = Math.max(0, now - last - 1); worst = Math.max(worst, late); sum += late; last = now; }, 1);
process.stdin.setEncoding('utf8').on('data', (text) => {
  if (text.startsWith('close')) require('node:inspector').close();
  process.stdout.write('late ' + worst.toFixed(2) + ' ' + sum.toFixed(2) + '\\n'); worst = 0; sum = 0;
});
process.stdout.write('ready ' + process.pid + '\\n');`,
  );
  return path.join(dir, 'app.js');
}

function startTarget(app) {
  const child = spawn(process.execPath, ['--inspect-port=0', app], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  const waitLine = (prefix) =>
    new Promise((resolve) => {
      const check = () => {
        const line = out.split('\n').find((l) => l.startsWith(prefix));
        if (!line) return setTimeout(check, 5);
        out = out.slice(out.indexOf(line) + line.length + 1);
        resolve(line.slice(prefix.length));
      };
      check();
    });
  return { child, waitLine };
}

/** The main thread's time on a CPU so far, ns (/proc schedstat: load on the machine does not add to it, waiting does not count). */
const mainThreadCpuNs = (pid) => Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => +xs.slice().sort((a, b) => a - b)[xs.length >> 1].toFixed(1);

/** [worst, sum] of the program's timer lateness since the last ask; 'close' makes the program close its inspector first. */
async function lateness(target, line = 'x') {
  target.child.stdin.write(`${line}\n`);
  return (await target.waitLine('late ')).split(' ').map(Number);
}

function tripod(args) {
  const { status, stderr } = spawnSync(process.execPath, [TRIPOD, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (status !== 0) throw new Error(`tripod ${args.join(' ')} failed: ${stderr}`);
}

(async () => {
  const app = makeProgram();
  const target = startTarget(app);
  const pid = Number(await target.waitLine('ready '));
  // Another process like it, for a tripod that runs beside the program (its CPU on the same cores) without touching it.
  const other = startTarget(app);
  const otherPid = Number(await other.waitLine('ready '));
  const actions = {
    'nothing (the window alone)': async () => {},
    'SIGUSR1 alone, no client': async () => process.kill(pid, 'SIGUSR1'),
    "Node's close (inspector.close() in the program)": null, // measured after the signal alone, below
    'tripod dump PID (signal, read, close)': async () => tripod(['dump', String(pid)]),
    'tripod dump of another process (tripod beside, this one untouched)': async () => tripod(['dump', String(otherPid)]),
    "tripod flags PID --ls 'flag*' (signal, read, close)": async () => tripod(['flags', String(pid), '--ls', 'flag*']),
  };
  const rows = Object.fromEntries(Object.keys(actions).map((name) => [name, []]));
  // The first signal of a process costs more (Node's inspector built once): not measured.
  tripod(['dump', String(pid)]);
  tripod(['dump', String(otherPid)]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, action] of Object.entries(actions)) {
      if (!action) continue;
      await sleep(100);
      await lateness(target);
      const cpu = mainThreadCpuNs(pid);
      await action();
      await sleep(WINDOW_MS);
      rows[name].push([...(await lateness(target)), (mainThreadCpuNs(pid) - cpu) / 1e6]);
      if (name === 'SIGUSR1 alone, no client') {
        const before = mainThreadCpuNs(pid);
        await lateness(target, 'close');
        await sleep(WINDOW_MS);
        rows["Node's close (inspector.close() in the program)"].push([...(await lateness(target)), (mainThreadCpuNs(pid) - before) / 1e6]);
      }
    }
  }
  target.child.kill('SIGKILL');
  other.child.kill('SIGKILL');
  const results = Object.fromEntries(Object.entries(rows).map(([name, xs]) => [name, { worstLateMs: median(xs.map((x) => x[0])), lateSumMs: median(xs.map((x) => x[1])), mainThreadCpuMs: median(xs.map((x) => x[2])) }]));
  console.log(JSON.stringify({ node: process.version, modules: MODULES, rounds: ROUNDS, windowMs: WINDOW_MS, load: +loadavg()[0].toFixed(1), results }, null, 1));
})();
