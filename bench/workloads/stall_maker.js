'use strict';
// Blocks the event loop argv[2] times for argv[3] ms each, one block a second, and prints the epoch
// time each block began, so the watchdog's detection delay can be read off its log.
const count = Number(process.argv[2] || 10);
const blockMs = Number(process.argv[3] || 500);
const starts = [];

function block() {
  starts.push(Date.now());
  const until = Date.now() + blockMs;
  while (Date.now() < until);
}

let done = 0;
const timer = setInterval(() => {
  block();
  if (++done === count) {
    clearInterval(timer);
    process.stdout.write(`${JSON.stringify({ starts })}\n`);
  }
}, 1000);
