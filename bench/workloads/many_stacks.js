'use strict';
// A pessimistic program to profile: random call chains through 24 functions, 2–20 deep,
// so nearly every sample has a stack of its own. Runs for argv[2] seconds.

const durationMs = Number(process.argv[2] || 3) * 1000;
const FUNCTIONS = 24;

let seed = 12345;
function random() {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}

function work() {
  let x = 0;
  for (let i = 0; i < 2000; i++) x += Math.sqrt(i);
  return x;
}

// Distinct named functions, so the profiler sees distinct frames.
const steps = Array.from({ length: FUNCTIONS }, (_, i) =>
  // eslint-disable-next-line no-new-func
  new Function('next', 'work', `return function step${i}(depth) { return depth > 0 ? next()(depth - 1) : work(); };`)(pick, work),
);

function pick() {
  return steps[Math.floor(random() * FUNCTIONS)];
}

const end = Date.now() + durationMs;
let total = 0;
while (Date.now() < end) total += pick()(2 + Math.floor(random() * 18));
process.stdout.write(`${JSON.stringify({ total })}\n`);
