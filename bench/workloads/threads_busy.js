// WORKERS busy worker threads (default 4) and a main thread that counts turns of a
// loop for DURATION_MS (default 4000) ms, then prints {"mainTurns":N} and ends them.
'use strict';
const { Worker, isMainThread } = require('node:worker_threads');

function spinInWorker() {
  let h = 0;
  for (;;) h = (h * 31 + 7) % 1000003;
}

if (!isMainThread) spinInWorker();
else {
  const workers = Array.from({ length: Number(process.env.WORKERS ?? 4) }, (_, i) => new Worker(__filename, { name: `spinner-${i}` }));
  // Let the workers start (and join a recording) before counting.
  setTimeout(() => {
    const until = performance.now() + Number(process.env.DURATION_MS ?? 4000);
    let turns = 0;
    let h = 0;
    while (performance.now() < until) {
      for (let i = 0; i < 10_000; i++) h = (h * 31 + i) % 1000003;
      turns++;
    }
    process.stdout.write(`${JSON.stringify({ mainTurns: turns, h })}\n`);
    for (const worker of workers) void worker.terminate();
  }, 500);
}
