// WORKERS worker threads (default 4) beside a main thread, each doing the same work as threads_each.js
// but in chunks of CHUNK turns (default 100, ~1–2 ms) with a turn of its event loop between chunks
// (setImmediate), as a server or a pool worker that keeps its loop alive does: its event loop never
// stalls, so a watchdog's heartbeat runs the whole window. Counts turns over one window of DURATION_MS
// (default 8000) ms that starts 1 s in; prints {"main":{turns,cpuTicks},"workers":[...]} and ends them.
'use strict';
const { readFileSync } = require('node:fs');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const CHUNK = Number(process.env.CHUNK ?? 100);

function cpuTicks() {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function turnsUntil(until, done) {
  const ticksBefore = cpuTicks();
  let turns = 0;
  let h = 0;
  const chunk = () => {
    for (let c = 0; c < CHUNK; c++) {
      for (let i = 0; i < 10_000; i++) h = (h * 31 + i) % 1000003;
      turns++;
    }
    if (performance.timeOrigin + performance.now() < until) return setImmediate(chunk);
    done({ turns: turns + (h < 0 ? 1 : 0), cpuTicks: cpuTicks() - ticksBefore });
  };
  chunk();
}

function window() {
  const from = workerData?.from ?? Date.now() + 1000;
  return { from, until: from + Number(process.env.DURATION_MS ?? 8000) };
}

if (!isMainThread) {
  const { from, until } = window();
  const wait = () => (Date.now() < from ? setTimeout(wait, 1) : turnsUntil(until, (counts) => parentPort.postMessage(counts)));
  wait();
} else {
  const { from, until } = window();
  const workers = Array.from({ length: Number(process.env.WORKERS ?? 4) }, (_, i) => new Worker(__filename, { name: `chunker-${i}`, workerData: { from } }));
  const counts = workers.map((worker) => new Promise((resolve) => worker.once('message', resolve)));
  const start = () => {
    if (Date.now() < from) return setTimeout(start, 1);
    turnsUntil(until, (main) =>
      void Promise.all(counts).then((each) => {
        process.stdout.write(`${JSON.stringify({ main, workers: each })}\n`);
        for (const worker of workers) void worker.terminate();
      }),
    );
  };
  start();
}
