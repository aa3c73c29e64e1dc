'use strict';
// Measures how long the main thread is stopped from outside: at the bottom of a
// 20-frame stack with locals in every frame, a tight loop reads performance.now()
// and records every gap above the threshold. Prints {"gaps":[ms...], "gapStarts":[epoch ms...], ...} and exits
// (gapStarts on the wall clock, so a gap can be matched with the sample that logged the same moment).

// The global `performance` is a lazy getter in Node; a module binding keeps it off the hot path and the sampled stack.
const { performance } = require('node:perf_hooks');

const durationMs = Number(process.argv[2] || 8) * 1000;
const thresholdMs = Number(process.argv[3] || 0.3);
const DEPTH = 20;
const MAX_GAPS = 1e6;

function spin() {
  const gaps = [];
  const gapStarts = [];
  let iterations = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  let prev = start;
  for (;;) {
    const now = performance.now();
    const gap = now - prev;
    if (gap > thresholdMs && gaps.length < MAX_GAPS) {
      gaps.push(Math.round(gap * 1000) / 1000);
      gapStarts.push(Math.round((performance.timeOrigin + prev) * 1000) / 1000);
    }
    prev = now;
    iterations++;
    if (now >= deadline) break;
  }
  return { gaps, gapStarts, iterations, elapsedMs: prev - start, startedAt: Math.round(performance.timeOrigin + start), check: 0 };
}

function descend(depth) {
  const count = depth * 3.5;
  const label = `frame-${depth}`;
  const info = { depth, label, even: depth % 2 === 0 };
  const values = Array.from({ length: 10 }, (_, i) => i * depth);
  const result = depth < DEPTH ? descend(depth + 1) : spin();
  // Using the locals after the call keeps them alive (and visible) while the loop runs.
  result.check += count + label.length + info.depth + values[9];
  return result;
}

const { gaps, gapStarts, iterations, elapsedMs, startedAt, check } = descend(1);
process.stdout.write(`${JSON.stringify({ thresholdMs, iterations, elapsedMs, startedAt, check, gaps, gapStarts })}\n`);
