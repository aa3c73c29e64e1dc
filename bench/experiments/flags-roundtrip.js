#!/usr/bin/env node
// `tripod flags PID` (and, as a yardstick for the attach itself, a stack-only `tripod dump PID`) against a program of 1,000 modules (plus tripod/flags with 10 flags, pino with a
// root logger exported by lib/log.js and a child held at the top of lib/db.js, and debug), through the agent and through SIGUSR1 (--inspect-port=0):
// the wall time of each command as a process, the stop tripod reports on its timing line, and the
// longest the program's main thread was away as the program saw it (the worst lateness of a 1 ms
// timer during the command, the same figure with no command beside it), and the sum of that
// timer's lateness over the command, and the main thread's own CPU time during the command beyond
// what it spends idle (schedstat: load elsewhere does not inflate it). Medians of ROUNDS runs. Last, Node's own part of SIGUSR1: the
// signal alone, no client at all, the program closing its inspector itself after each.
// `npm run build` first. Usage: node bench/experiments/flags-roundtrip.js [ROUNDS]
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir, loadavg } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const ROUNDS = Number(process.argv[2] ?? 7);
const MODULES = 1000;

function makeProgram() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tripod-flags-bench-'));
  mkdirSync(path.join(dir, 'lib'));
  for (let i = 0; i < MODULES; i++) writeFileSync(path.join(dir, 'lib', `m${i}.js`), `module.exports = { n: ${i}, f() { return ${i}; } };\n`);
  const pino = JSON.stringify(require.resolve('pino', { paths: [ROOT] }));
  writeFileSync(path.join(dir, 'lib', 'log.js'), `const pino = require(${pino});\nmodule.exports = pino(pino.destination({ dest: '/dev/null', sync: true }));\n`);
  writeFileSync(path.join(dir, 'lib', 'db.js'), `const log = require('./log').child({ module: 'db' });\nmodule.exports = { query(sql) { log.debug({ sql }, 'query'); } };\n`);
  writeFileSync(
    path.join(dir, 'app.js'),
    `for (let i = 0; i < ${MODULES}; i++) require('./lib/m' + i + '.js');
const { flag } = require(${JSON.stringify(path.join(ROOT, 'dist', 'flags', 'index.js'))});
const log = require('./lib/log.js');
const db = require('./lib/db.js');
require(${JSON.stringify(require.resolve('debug', { paths: [ROOT] }))})('app:x');
const flags = [];
for (let i = 0; i < 10; i++) flags.push(flag('flag' + i, i, 'bench flag ' + i));
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

function startTarget(app, nodeArgs) {
  const child = spawn(process.execPath, [...nodeArgs, app], { stdio: ['pipe', 'pipe', 'pipe'] });
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

/** [worst, sum] of the program's 1 ms timer lateness since the last ask. */
async function lateness(target, line = 'x') {
  target.child.stdin.write(`${line}\n`);
  return (await target.waitLine('late ')).split(' ').map(Number);
}

function runTripod(args) {
  const started = performance.now();
  const { stderr, status } = spawnSync(process.execPath, [TRIPOD, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (status !== 0) throw new Error(`tripod ${args.join(' ')} failed: ${stderr}`);
  const wallMs = performance.now() - started;
  const stopped = / \*\* took ([\d.]+) s, main thread (?:stopped ([\d.<]+) ms|not stopped)/.exec(stderr);
  return { wallMs, reportedWallMs: stopped ? Number(stopped[1]) * 1000 : NaN, reportedStopMs: stopped ? Number((stopped[2] ?? '0').replace('<', '')) : NaN };
}

/** The program's main thread's time on a CPU so far, ms (/proc schedstat: load elsewhere does not add to it). */
const mainThreadCpuMs = (pid) => Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const median = (xs) => +xs.slice().sort((a, b) => a - b)[xs.length >> 1].toFixed(1);

async function measure(route, nodeArgs, app) {
  const target = startTarget(app, nodeArgs);
  const pid = Number(await target.waitLine('ready '));
  const commands = {
    'ls flags': ['flags', String(pid), '--ls', 'flag*'],
    'set one flag': ['flags', String(pid), '--set', 'flag1=5'],
    'ls everything (pino through module scopes)': ['flags', String(pid), '--ls'],
    'ls everything --deep (pino heap walk)': ['flags', String(pid), '--ls', '--deep'],
    'set pino=warn (module scopes)': ['flags', String(pid), '--set', 'pino=warn'],
    // The attach alone, as a yardstick: a stack-only dump reaches the process the same way.
    'dump (yardstick)': ['dump', String(pid)],
  };
  const results = {};
  runTripod(['flags', String(pid), '--ls', 'flag*']); // the first attach of SIGUSR1 opens the inspector
  for (const [name, args] of Object.entries(commands)) {
    const rows = [];
    for (let r = 0; r < ROUNDS; r++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [idle] = await lateness(target);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await lateness(target);
      // What the main thread spends while nothing is asked of it (its 1 ms timer), per ms, is taken off the command's.
      const idleFrom = [performance.now(), mainThreadCpuMs(pid)];
      await new Promise((resolve) => setTimeout(resolve, 100));
      const idleRate = (mainThreadCpuMs(pid) - idleFrom[1]) / (performance.now() - idleFrom[0]);
      const from = [performance.now(), mainThreadCpuMs(pid)];
      const run = runTripod(args);
      const cpuMs = mainThreadCpuMs(pid) - from[1] - idleRate * (performance.now() - from[0]);
      const [late, lateSum] = await lateness(target);
      rows.push({ ...run, lateMs: late, lateSumMs: lateSum, idleLateMs: idle, cpuMs });
    }
    results[name] = {
      wallMs: median(rows.map((r) => r.wallMs)),
      tripodSaysMs: median(rows.map((r) => r.reportedWallMs)),
      tripodSaysStoppedMs: median(rows.map((r) => r.reportedStopMs)),
      programSawLateMs: median(rows.map((r) => r.lateMs)),
      programLateSumMs: median(rows.map((r) => r.lateSumMs)),
      mainThreadCpuMs: median(rows.map((r) => r.cpuMs)),
      programLateWithoutCommandMs: median(rows.map((r) => r.idleLateMs)),
    };
  }
  target.child.kill('SIGKILL');
  return { route, ...results };
}

/** Node's own part of SIGUSR1: the signal alone (Node starts its inspector, no client connects), the program closing it itself after each. */
async function signalAlone(app) {
  const target = startTarget(app, ['--inspect-port=0']);
  const pid = Number(await target.waitLine('ready '));
  const rows = [];
  for (let r = 0; r < ROUNDS; r++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    await lateness(target); // what the last close cost is not the signal's
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [idle] = await lateness(target);
    process.kill(pid, 'SIGUSR1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [late, lateSum] = await lateness(target, 'close');
    rows.push({ late, lateSum, idle });
  }
  target.child.kill('SIGKILL');
  return { route: 'SIGUSR1 alone, no client', programSawLateMs: median(rows.map((r) => r.late)), programLateSumMs: median(rows.map((r) => r.lateSum)), programLateWithoutCommandMs: median(rows.map((r) => r.idle)) };
}

(async () => {
  const app = makeProgram();
  const agent = await measure('agent', ['--require', path.join(ROOT, 'dist', 'attach', 'agent.js')], app);
  const signal = await measure('SIGUSR1', ['--inspect-port=0'], app);
  const floor = await signalAlone(app);
  console.log(JSON.stringify({ node: process.version, modules: MODULES, rounds: ROUNDS, load: +loadavg()[0].toFixed(1), results: [agent, signal, floor] }, null, 1));
})();
