'use strict';
// CPU-bound worst case for a sampler: a synchronous loop that never yields to the
// event loop for the whole run. Prints {"ops": <records per second>} and exits.

// The global `performance` is a lazy getter in Node; a module binding keeps it off the hot path and the sampled stack.
const { performance } = require('node:perf_hooks');

const durationMs = Number(process.argv[2] || 8) * 1000;
const BATCH = 8;

function makeRecord(i) {
  return {
    id: i,
    name: `item-${i % 97}`,
    tags: ['alpha', 'beta', i % 2 ? 'odd' : 'even'],
    pos: { x: i % 13, y: (i * 7) % 29 },
    score: i * 0.5,
  };
}

function roundTrip(record) {
  return JSON.parse(JSON.stringify(record));
}

function distance(pos) {
  return Math.sqrt(pos.x * pos.x + pos.y * pos.y) + Math.sin(pos.x) * Math.cos(pos.y);
}

function scoreRecord(record) {
  const copy = roundTrip(record);
  return distance(copy.pos) + copy.score / (copy.tags.length + copy.name.length);
}

function processBatch(start) {
  let acc = 0;
  for (let i = 0; i < BATCH; i++) acc += scoreRecord(makeRecord(start + i));
  return acc;
}

function runFor(ms) {
  const start = performance.now();
  const deadline = start + ms;
  let ops = 0;
  let checksum = 0;
  let now = start;
  while (now < deadline) {
    checksum += processBatch(ops);
    ops += BATCH;
    now = performance.now();
  }
  return { ops, seconds: (now - start) / 1000, checksum };
}

function main() {
  const { ops, seconds, checksum } = runFor(durationMs);
  // The checksum is printed so the optimizer cannot discard the work.
  process.stdout.write(`${JSON.stringify({ ops: ops / seconds, seconds, checksum })}\n`);
}

main();
