#!/usr/bin/env node
// Does the worker heartbeat's install (src/watchdog/worker-heartbeat.ts) reach every kind of worker? A
// sampler-like worker reaches the program's workers through the NodeWorker domain, as --threads does, and
// evaluates in each a function that starts perf_hooks.monitorEventLoopDelay there and posts the histogram
// on a BroadcastChannel of a random name, closed at once. Workers: idle on a timer, idle on their port,
// spinning synchronously when the install comes, loading modules at start, and three started while the
// sampler runs (reached during their boot). Prints, per worker kind and round, whether the post worked,
// ms from attach to the histogram's arrival, and how much the count grew over the next 500 ms (0 for the
// spinning one: its loop is away, which is what the watchdog sees). ROUNDS runs of the whole program.
// Usage: node bench/experiments/worker-heartbeat-install.js [ROUNDS=3]
'use strict';
const { execFileSync } = require('node:child_process');
const { Worker, isMainThread, workerData, parentPort, BroadcastChannel } = require('node:worker_threads');
const inspector = require('node:inspector');

function startInWorker(name, periodMs) {
  let channel;
  try {
    const load = process.getBuiltinModule;
    const monitor = load('node:perf_hooks').monitorEventLoopDelay({ resolution: periodMs });
    monitor.enable();
    channel = new (load('node:worker_threads').BroadcastChannel)(name);
    channel.postMessage(monitor);
    return monitor;
  } catch (error) {
    return `failed: ${error.message}`;
  } finally {
    try { channel?.close(); } catch {}
  }
}

function program() {
  if (workerData.kind === 'port') parentPort.on('message', () => {});
  if (workerData.kind === 'timer') setTimeout(() => {}, 2500);
  if (workerData.kind === 'spinning') { const t = Date.now() + 1500; while (Date.now() < t); }
  if (workerData.kind === 'loading') { for (const m of ['util', 'http', 'zlib', 'crypto', 'stream']) require(`node:${m}`); setTimeout(() => {}, 2500); }
}

function sampler() {
  const session = new inspector.Session();
  session.connectToMainThread();
  let nextId = 1;
  const pending = new Map();
  const results = {};
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
    const message = JSON.parse(params.message);
    if (message.id) pending.get(message.id)?.(message);
  });
  const send = (sessionId, method, p) => new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params: p }) });
  });
  session.on('NodeWorker.attachedToWorker', async ({ params }) => {
    const title = params.workerInfo.title.replace(/^\[worker \d+\] /, '');
    if (title === 'sampler') return;
    const attachedAt = performance.now();
    const name = `heartbeat-${Math.random().toString(36).slice(2)}`;
    const channel = new BroadcastChannel(name);
    channel.onmessage = ({ data }) => {
      channel.close();
      const arrivedMs = +(performance.now() - attachedAt).toFixed(1);
      const from = data.count;
      setTimeout(() => (results[title] = { posted: true, arrivedMs, countGrewBy: data.count - from }), 500);
    };
    const answer = await send(params.sessionId, 'Runtime.evaluate', { expression: `(${startInWorker})(${JSON.stringify(name)}, 10)`, objectGroup: 'heartbeat' });
    const value = answer.result?.result;
    if (value?.type !== 'object') {
      channel.close();
      results[title] = { posted: false, why: value?.value ?? JSON.stringify(answer) };
    }
  });
  session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  setTimeout(() => {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    process.exit(0);
  }, 2600);
}

if (!isMainThread) {
  if (workerData.role === 'sampler') sampler();
  else program();
} else if (process.argv[2] === '--program') {
  new Worker(__filename, { workerData: { role: 'sampler' }, name: 'sampler' });
  const start = (kind) => new Worker(__filename, { workerData: { role: 'program', kind }, name: kind });
  start('timer');
  start('port').unref();
  setTimeout(() => { start('spinning'); start('loading'); start('port-late').unref(); }, 400);
  setTimeout(() => {}, 2800);
} else {
  const rounds = Number(process.argv[2] ?? 3);
  const all = [];
  for (let r = 0; r < rounds; r++) all.push(JSON.parse(execFileSync(process.execPath, [__filename, '--program'], { encoding: 'utf8' })));
  const kinds = [...new Set(all.flatMap((round) => Object.keys(round)))].sort();
  const summary = Object.fromEntries(kinds.map((kind) => [kind, all.map((round) => round[kind] ?? 'no answer in time')]));
  console.log(JSON.stringify({ node: process.version, rounds, workers: summary }, null, 1));
}
