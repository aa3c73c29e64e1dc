'use strict';
/*
 * What one Debugger.enable costs as the heap grows: V8 walks the whole heap when
 * the debugger comes on (to collect source positions), on the main thread.
 * `node bench/experiments/enable-vs-heap.js [MB...]` keeps MB of small objects
 * alive in a child per size, lets a worker time 9 enable/disable cycles while the
 * main thread runs JS, and prints the median enable round trip per heap size.
 */
const { execFileSync } = require('node:child_process');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

if (require.main === module && !process.env.ENABLE_VS_HEAP_MB) {
  const sizes = process.argv.slice(2).map(Number);
  for (const mb of sizes.length ? sizes : [0, 50, 200, 800]) {
    const out = execFileSync(process.execPath, ['--max-old-space-size=8000', __filename], { env: { ...process.env, ENABLE_VS_HEAP_MB: String(mb) } });
    process.stdout.write(out);
  }
} else if (isMainThread) {
  const mb = Number(process.env.ENABLE_VS_HEAP_MB);
  const kept = [];
  for (let i = 0; i < (mb * 1024 * 1024) / 64; i++) kept.push({ id: i, tag: null });
  const worker = new Worker(__filename);
  let done = false;
  worker.on('message', (m) => {
    done = true;
    const heapMB = Math.round(process.memoryUsage().heapUsed / 1048576);
    console.log(JSON.stringify({ heapMB, ...m, kept: kept.length }));
    worker.terminate();
  });
  // JS runs all the time, in 50 ms slices, so the enable is handled in an interrupt as it is when tripod samples.
  const spin = () => {
    const end = Date.now() + 50;
    while (Date.now() < end);
    if (!done) setImmediate(spin);
  };
  spin();
} else {
  const { Session } = require('node:inspector');
  const keepAlive = setInterval(() => {}, 1000);
  const session = new Session();
  session.connectToMainThread();
  const post = (method) => new Promise((resolve, reject) => session.post(method, {}, (e, r) => (e ? reject(e) : resolve(r))));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  (async () => {
    await sleep(300);
    const times = [];
    for (let i = 0; i < 9; i++) {
      const started = performance.now();
      await post('Debugger.enable');
      times.push(performance.now() - started);
      await post('Debugger.disable');
      await sleep(30);
    }
    times.sort((a, b) => a - b);
    clearInterval(keepAlive);
    parentPort.postMessage({ enableMsMedian: Number(times[4].toFixed(1)), enableMsMin: Number(times[0].toFixed(1)), enableMsMax: Number(times[8].toFixed(1)) });
  })();
}
