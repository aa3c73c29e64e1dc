// WORKERS busy worker threads (default 4) beside a busy main thread, each counting turns of the same
// loop over one window of DURATION_MS (default 8000) ms that starts 1 s in (workers up, and joined by a
// recording); prints {"main":{turns,cpuTicks},"workers":[{turns,cpuTicks},...]} and ends them. cpuTicks is
// the thread's own CPU time over the window (utime+stime of /proc/thread-self/stat, in clock ticks):
// turns per tick is the thread's throughput whatever share of the cores a loaded machine gave it.
'use strict';
const { readFileSync } = require('node:fs');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

function cpuTicks() {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function turnsUntil(until) {
  const ticksBefore = cpuTicks();
  let turns = 0;
  let h = 0;
  while (performance.timeOrigin + performance.now() < until) {
    for (let i = 0; i < 10_000; i++) h = (h * 31 + i) % 1000003;
    turns++;
  }
  return { turns: turns + (h < 0 ? 1 : 0), cpuTicks: cpuTicks() - ticksBefore };
}

function window() {
  const from = workerData?.from ?? Date.now() + 1000;
  return { from, until: from + Number(process.env.DURATION_MS ?? 8000) };
}

if (!isMainThread) {
  const { from, until } = window();
  const wait = () => (Date.now() < from ? setTimeout(wait, 1) : parentPort.postMessage(turnsUntil(until)));
  wait();
} else {
  const { from, until } = window();
  const workers = Array.from({ length: Number(process.env.WORKERS ?? 4) }, (_, i) => new Worker(__filename, { name: `spinner-${i}`, workerData: { from } }));
  const counts = workers.map((worker) => new Promise((resolve) => worker.once('message', resolve)));
  const start = () => {
    if (Date.now() < from) return setTimeout(start, 1);
    const main = turnsUntil(until);
    void Promise.all(counts).then((each) => {
      process.stdout.write(`${JSON.stringify({ main, workers: each })}\n`);
      for (const worker of workers) void worker.terminate();
    });
  };
  start();
}
