'use strict';
// Starts N (argv[2], default 15) `node -e` children one after the other, each writing one byte and exiting,
// and prints the medians of {"firstLineMs": spawn to its first byte on stdout, "exitMs": spawn to its exit}.
const { spawn } = require('node:child_process');

const count = Number(process.argv[2] || 15);
const firstLine = [];
const exit = [];
const median = (xs) => +xs.slice().sort((a, b) => a - b)[xs.length >> 1].toFixed(1);

function one(i) {
  if (i === count) return void process.stdout.write(`${JSON.stringify({ firstLineMs: median(firstLine), exitMs: median(exit) })}\n`);
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("x")'], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.once('data', () => firstLine.push(performance.now() - start));
  child.on('close', () => {
    exit.push(performance.now() - start);
    one(i + 1);
  });
}
one(0);
