#!/usr/bin/env node
// `tripod flags PID` (and, as a yardstick for the attach itself, a stack-only `tripod dump PID`) against a program of 1,000 modules (plus tripod/flags with 10 flags, pino with a
// root and a child logger, and debug), through the agent and through SIGUSR1 (--inspect-port=0):
// the wall time of each command as a process, the stop tripod reports on its timing line, and the
// longest the program's main thread was away as the program saw it (the worst lateness of a 1 ms
// timer during the command, the same figure with no command beside it). Medians of ROUNDS runs.
// `npm run build` first. Usage: node bench/experiments/flags-roundtrip.js [ROUNDS]
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, mkdirSync, writeFileSync } = require('node:fs');
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
  writeFileSync(
    path.join(dir, 'app.js'),
    `for (let i = 0; i < ${MODULES}; i++) require('./lib/m' + i + '.js');
const { flag } = require(${JSON.stringify(path.join(ROOT, 'dist', 'flags', 'index.js'))});
const pino = require(${JSON.stringify(require.resolve('pino', { paths: [ROOT] }))});
require(${JSON.stringify(require.resolve('debug', { paths: [ROOT] }))})('app:x');
const flags = [];
for (let i = 0; i < 10; i++) flags.push(flag('flag' + i, i, 'bench flag ' + i));
const log = pino(pino.destination({ dest: '/dev/null', sync: true }));
log.child({ module: 'db' });
let worst = 0, last = performance.now();
setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last - 1); last = now; }, 1);
process.stdin.setEncoding('utf8').on('data', () => { process.stdout.write('late ' + worst.toFixed(2) + '\\n'); worst = 0; });
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

async function worstLateness(target) {
  target.child.stdin.write('x\n');
  return Number(await target.waitLine('late '));
}

function runTripod(args) {
  const started = performance.now();
  const { stderr, status } = spawnSync(process.execPath, [TRIPOD, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (status !== 0) throw new Error(`tripod ${args.join(' ')} failed: ${stderr}`);
  const wallMs = performance.now() - started;
  const stopped = / \*\* took ([\d.]+) s, main thread (?:stopped ([\d.<]+) ms|not stopped)/.exec(stderr);
  return { wallMs, reportedWallMs: stopped ? Number(stopped[1]) * 1000 : NaN, reportedStopMs: stopped ? Number((stopped[2] ?? '0').replace('<', '')) : NaN };
}

const median = (xs) => +xs.slice().sort((a, b) => a - b)[xs.length >> 1].toFixed(1);

async function measure(route, nodeArgs, app) {
  const target = startTarget(app, nodeArgs);
  const pid = Number(await target.waitLine('ready '));
  const commands = {
    'ls flags': ['flags', String(pid), '--ls', 'flag*'],
    'set one flag': ['flags', String(pid), '--set', 'flag1=5'],
    'ls everything (pino heap walk)': ['flags', String(pid), '--ls'],
    // The attach alone, as a yardstick: a stack-only dump reaches the process the same way.
    'dump (yardstick)': ['dump', String(pid)],
  };
  const results = {};
  runTripod(['flags', String(pid), '--ls', 'flag*']); // the first attach of SIGUSR1 opens the inspector
  for (const [name, args] of Object.entries(commands)) {
    const rows = [];
    for (let r = 0; r < ROUNDS; r++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const idle = await worstLateness(target);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await worstLateness(target);
      const run = runTripod(args);
      rows.push({ ...run, lateMs: await worstLateness(target), idleLateMs: idle });
    }
    results[name] = {
      wallMs: median(rows.map((r) => r.wallMs)),
      tripodSaysMs: median(rows.map((r) => r.reportedWallMs)),
      tripodSaysStoppedMs: median(rows.map((r) => r.reportedStopMs)),
      programSawLateMs: median(rows.map((r) => r.lateMs)),
      programLateWithoutCommandMs: median(rows.map((r) => r.idleLateMs)),
    };
  }
  target.child.kill('SIGKILL');
  return { route, ...results };
}

(async () => {
  const app = makeProgram();
  const agent = await measure('agent', ['--require', path.join(ROOT, 'dist', 'attach', 'agent.js')], app);
  const signal = await measure('SIGUSR1', ['--inspect-port=0'], app);
  console.log(JSON.stringify({ node: process.version, modules: MODULES, rounds: ROUNDS, load: +loadavg()[0].toFixed(1), results: [agent, signal] }, null, 1));
})();
