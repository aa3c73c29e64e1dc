#!/usr/bin/env node
// What one synchronous full collection costs the main thread, by the way tripod could ask for it (the scripts its
// reads pile up: docs/design.md, "Scripts that pile up"): `Runtime.queryObjects` from a worker's session (a full GC
// plus a walk of the heap; the program's main thread is busy meanwhile, as in a sample) against `gc()` under
// --expose-gc, at HEAP_MB of live objects. Five of each, in ms; the main thread's own gaps are the program's view.
// Usage: node bench/experiments/collector-cost.js [HEAP_MB=0] [NODE=node]   (it runs itself twice under NODE)
'use strict';
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { spawnSync } = require('node:child_process');

const MODE = process.env.COLLECTOR_COST_MODE;
if (!MODE && isMainThread) {
  const [heapMb = '0', node = process.execPath] = process.argv.slice(2);
  const once = (mode, flags) => JSON.parse(spawnSync(node, ['--max-old-space-size=4000', ...flags, __filename, heapMb], { encoding: 'utf8', env: { ...process.env, COLLECTOR_COST_MODE: mode } }).stdout);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(JSON.stringify({ node: version, heapMb: Number(heapMb), queryObjects: once('query', []), gc: once('gc', ['--expose-gc']) }));
} else if (isMainThread) {
  const heapMb = Number(process.argv[2] || 0);
  const keep = (globalThis.keep = []);
  for (let i = 0; i < heapMb * 2048; i++) keep.push({ a: new Array(60).fill(i) });
  const usedMb = () => Math.round(process.memoryUsage().heapUsed / 1048576);
  if (MODE === 'gc') {
    const took = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      gc();
      took.push(+(performance.now() - t).toFixed(1));
    }
    console.log(JSON.stringify({ usedMb: usedMb(), ms: took }));
  } else {
    const gaps = [];
    let done = false;
    const worker = new Worker(__filename, { env: { ...process.env } });
    worker.on('message', (seen) => {
      done = true;
      console.log(JSON.stringify({ usedMb: usedMb(), ms: seen, mainThreadGaps: gaps }));
      worker.terminate();
    });
    setTimeout(function spin() {
      let prev = performance.now();
      const t0 = prev;
      for (;;) {
        const now = performance.now();
        if (now - prev > 5) gaps.push(+(now - prev).toFixed(1));
        prev = now;
        if (now - t0 > 100) break;
      }
      if (!done) setImmediate(spin);
    }, 200);
  }
} else {
  const { Session } = require('node:inspector');
  const post = (s, m, p = {}) => new Promise((resolve, reject) => s.post(m, p, (e, r) => (e ? reject(e) : resolve(r))));
  const alive = setInterval(() => {}, 1000);
  (async () => {
    await new Promise((r) => setTimeout(r, 500));
    const session = new Session();
    session.connectToMainThread();
    const took = [];
    for (let i = 0; i < 5; i++) {
      // An object nothing inherits from: the query finds nothing, and only the collection and the walk remain.
      const made = await post(session, 'Runtime.evaluate', { expression: '({})', silent: true });
      const t = performance.now();
      await post(session, 'Runtime.queryObjects', { prototypeObjectId: made.result.objectId });
      took.push(+(performance.now() - t).toFixed(1));
      await new Promise((r) => setTimeout(r, 300));
    }
    parentPort.postMessage(took);
    clearInterval(alive);
  })();
}
