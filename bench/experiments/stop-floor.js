'use strict';
/*
 * The least any pause-based read of locals can stop the main thread, with no
 * tripod code involved: a bare process recurses 20 frames deep (locals in each)
 * and spins at the bottom, timing every gap; a worker holding an inspector
 * session on it does, every 100 ms, only the protocol steps a sample cannot do
 * without, and the gaps inside each cycle's window are added up.
 *
 *   enable          Debugger.enable, Debugger.disable
 *   pause           enable, pause, disable (which resumes) as soon as it is paused
 *   pause+scopes    the same, reading the local scope of each of the program's 21 frames
 *                   with Runtime.getProperties before the disable (tripod does not read
 *                   Node's own frames either)
 *   pause+call      the same with one Runtime.callFunctionOn instead: V8 compiles its
 *                   function anew each time (no compilation cache while the debugger
 *                   is on), and every enable replays each such script until a full GC
 *                   collects it, so the stop grows cycle after cycle
 *
 * `node bench/experiments/stop-floor.js [seconds]` runs each variant in its own
 * process and prints the median and p99 of the stop per cycle, the median of
 * the first and of the last ten cycles, and how many scripts the first and the
 * last cycle's Debugger.enable replayed.
 */
const { execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const VARIANTS = ['enable', 'pause', 'pause+scopes', 'pause+call'];
const DEPTH = 20;
/** As bench/workloads/stop_probe.js counts them, so the two can be compared. */
const GAP_MS = 0.3;

if (require.main === module && !process.env.STOP_FLOOR_VARIANT) {
  const seconds = process.argv[2] || '4';
  for (const variant of VARIANTS) {
    const out = execFileSync(process.execPath, [__filename, seconds], { env: { ...process.env, STOP_FLOOR_VARIANT: variant } });
    process.stdout.write(out);
  }
} else if (isMainThread) {
  const variant = process.env.STOP_FLOOR_VARIANT;
  const durationMs = Number(process.argv[2]) * 1000;
  const worker = new Worker(__filename, { workerData: { variant } });
  worker.once('message', () => {
    const { gaps, gapStarts } = descend(1, durationMs);
    worker.postMessage('done');
    worker.once('message', ({ windows, replayed }) => {
      const stops = windows.map(([from, to]) => gaps.reduce((sum, gap, i) => (gapStarts[i] >= from - 0.5 && gapStarts[i] <= to ? sum + gap : sum), 0));
      const first = quantile(stops.slice(0, 10), 0.5);
      const last = quantile(stops.slice(-10), 0.5);
      console.log(JSON.stringify({ node: process.version, variant, cycles: stops.length, stopMsP50: quantile(stops, 0.5), stopMsP99: quantile(stops, 0.99), first10: first, last10: last, scriptsReplayedFirst: replayed[0], scriptsReplayedLast: replayed.at(-1), stops: stops.map((ms) => Number(ms.toFixed(3))) }));
      worker.terminate();
    });
  });
} else {
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connectToMainThread();
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  const paused = () => new Promise((resolve) => session.once('Debugger.paused', (m) => resolve(m.params)));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const windows = [];
  // Scripts each Debugger.enable replays (scriptParsed events per cycle): those compiled for Runtime.callFunctionOn pile up.
  const replayed = [];
  let parsed = 0;
  session.on('Debugger.scriptParsed', () => parsed++);
  let done = false;
  parentPort.once('message', () => (done = true));
  // Enable, pause, `whilePaused(callFrames)`, then disable, which also resumes.
  const pauseCycle = (whilePaused) => async () => {
    await post('Debugger.enable');
    const stopped = paused();
    await post('Debugger.pause');
    const { callFrames } = await stopped;
    await whilePaused(callFrames);
    await post('Debugger.disable');
  };
  const readLocalScopes = (callFrames) => {
    const own = callFrames.filter((frame) => frame.functionName === 'spin' || frame.functionName === 'descend');
    const locals = own.map((frame) => frame.scopeChain.find((scope) => scope.type === 'local')).filter(Boolean);
    return Promise.all(locals.map((scope) => post('Runtime.getProperties', { objectId: scope.object.objectId, ownProperties: true })));
  };
  const callOnce = (callFrames) =>
    post('Runtime.callFunctionOn', { objectId: callFrames[0].scopeChain[0].object.objectId, functionDeclaration: 'function () { return 1; }', returnByValue: true });
  const cycle = {
    enable: async () => {
      await post('Debugger.enable');
      await post('Debugger.disable');
    },
    pause: pauseCycle(async () => {}),
    'pause+scopes': pauseCycle(readLocalScopes),
    'pause+call': pauseCycle(callOnce),
  }[workerData.variant];
  (async () => {
    parentPort.postMessage('ready');
    await sleep(300);
    while (!done) {
      const from = performance.timeOrigin + performance.now();
      parsed = 0;
      await cycle();
      windows.push([from, performance.timeOrigin + performance.now()]);
      replayed.push(parsed);
      await sleep(100);
    }
    parentPort.postMessage({ windows: windows.slice(1), replayed: replayed.slice(1) });
  })();
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2));
}

function spin(durationMs) {
  const gaps = [];
  const gapStarts = [];
  const deadline = performance.now() + durationMs;
  let prev = performance.now();
  for (;;) {
    const now = performance.now();
    if (now - prev > GAP_MS) {
      gaps.push(now - prev);
      gapStarts.push(performance.timeOrigin + prev);
    }
    prev = now;
    if (now >= deadline) break;
  }
  return { gaps, gapStarts, check: 0 };
}

function descend(depth, durationMs) {
  const count = depth * 3.5;
  const label = `frame-${depth}`;
  const info = { depth, label, even: depth % 2 === 0 };
  const values = Array.from({ length: 10 }, (_, i) => i * depth);
  const result = depth < DEPTH ? descend(depth + 1, durationMs) : spin(durationMs);
  result.check += count + label.length + info.depth + values[9];
  return result;
}
