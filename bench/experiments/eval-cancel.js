#!/usr/bin/env node
// What stopping a running eval costs and risks (issue 13, Ctrl-C cancels an eval).
//  1. Where the code runs decides what a Runtime.terminateExecution does to the program: per VARIANT,
//     a child whose main thread ticks a timer, chains promises and runs immediates, while a worker's
//     in-process session evaluates a busy loop scheduled so, and sends terminateExecution 1 s later:
//     dispatch (the loop inside the evaluate), microtask (`await undefined` first), immediate
//     (setImmediate), timeout (setTimeout 0). Prints whether the terminate was answered, whether the
//     program went on, and how it ended.
//  2. `eval 1 + 1` round trips through `tripod monitor --json` (the agent route), ROUNDS x 20 evals,
//     interleaved: a plain target (the eval runs in a task of its own, eval-run.ts) and one whose
//     Atomics.waitAsync is replaced (tripod falls back to Runtime.evaluate in the dispatch). wallMs medians.
// `npx tsc -p tsconfig.json` first. Usage: node bench/experiments/eval-cancel.js [ROUNDS=5]
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const AGENT = path.join(ROOT, 'dist', 'attach', 'agent.js');
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

const VARIANTS = {
  dispatch: '(() => { while (true) {} })()',
  microtask: '(async () => { await undefined; while (true) {} })()',
  immediate: 'new Promise(() => setImmediate(() => { while (true) {} }))',
  timeout: 'new Promise(() => setTimeout(() => { while (true) {} }, 0))',
};

if (process.argv[2] === '--variant') {
  const { Worker, isMainThread, workerData, parentPort } = require('node:worker_threads');
  const say = (text) => require('node:fs').writeSync(2, `${text}\n`);
  if (isMainThread) {
    const seen = { ticks: 0, chained: 0, immediates: 0, uncaught: 0 };
    process.on('uncaughtException', () => seen.uncaught++);
    process.on('exit', (code) => say(`exit handler: code ${code}, ${JSON.stringify(seen)}`));
    setInterval(() => {
      seen.ticks++;
      Promise.resolve().then(() => seen.chained++);
      setImmediate(() => seen.immediates++);
    }, 50);
    new Worker(__filename, { argv: ['--variant'], workerData: process.argv[3] }).on('message', () => {
      const before = seen.ticks;
      setTimeout(() => {
        say(`went on: ${seen.ticks - before} ticks in the 1 s after the terminate`);
        process.exit(0);
      }, 1000);
    });
  } else {
    const { Session } = require('node:inspector');
    const session = new Session();
    session.connectToMainThread();
    const post = (method, params) => new Promise((resolve) => session.post(method, params, (error, result) => resolve(error ? { error: error.message } : result)));
    void post('Runtime.evaluate', { expression: VARIANTS[workerData], awaitPromise: true });
    setTimeout(async () => {
      const sent = performance.now();
      const answer = await Promise.race([post('Runtime.terminateExecution', {}), new Promise((resolve) => setTimeout(() => resolve('no answer in 3 s'), 3000))]);
      say(`terminate: ${typeof answer === 'string' ? answer : `answered in ${(performance.now() - sent).toFixed(1)} ms`}`);
      parentPort.postMessage('sent');
      setTimeout(() => {}, 3000);
    }, 1000);
  }
  return;
}

function variant(name) {
  const ran = spawnSync(process.execPath, [__filename, '--variant', name], { encoding: 'utf8', timeout: 8000 });
  const lines = ran.stderr.split('\n').filter((line) => /^(terminate|went on|exit handler|Error)/.test(line));
  return `${name}: exit ${ran.status ?? ran.signal}; ${lines.join('; ')}`;
}

function target(replaceWaitAsync) {
  const program = `${replaceWaitAsync ? 'Atomics.waitAsync = function waitAsync() { throw new Error("replaced"); };' : ''} setInterval(() => {}, 1000); process.stdout.write('ready\\n');`;
  const child = spawn(process.execPath, ['--require', AGENT, '-e', program], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve) => child.stdout.once('data', () => resolve(child)));
}

async function evalTrips(replaceWaitAsync) {
  const child = await target(replaceWaitAsync);
  const ran = spawnSync(process.execPath, [TRIPOD, 'monitor', '--json', String(child.pid), ...Array.from({ length: 21 }, () => ['-e', 'eval 1 + 1']).flat()], { encoding: 'utf8' });
  child.kill('SIGKILL');
  // The first eval of a session also looks the natives up: left out.
  return ran.stdout.trim().split('\n').map((line) => JSON.parse(line)).slice(1).map((line) => line.wallMs);
}

(async () => {
  console.log(`node ${process.version}, load average ${require('node:os').loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const name of Object.keys(VARIANTS)) console.log(variant(name));
  const rounds = Number(process.argv[2] || 5);
  const task = [];
  const dispatch = [];
  for (let i = 0; i < rounds; i++) {
    task.push(...(await evalTrips(false)));
    dispatch.push(...(await evalTrips(true)));
  }
  console.log(`eval 1 + 1 wallMs p50: in a task of its own ${median(task).toFixed(2)} ms, in the evaluate's dispatch (fallback) ${median(dispatch).toFixed(2)} ms (${task.length} evals each)`);
  console.log(`load average after ${require('node:os').loadavg().map((x) => x.toFixed(1)).join(' ')}`);
})();
