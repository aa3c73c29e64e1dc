'use strict';
// Throws and catches errors in a loop for argv[2] seconds, then prints {"ops": per second}.
// Crash capture must not cost caught exceptions anything measurable.
const { performance } = require('node:perf_hooks');

function parse(text) {
  if (text.length % 3 === 0) throw new SyntaxError(`bad input ${text.length}`);
  return text.length;
}

function work(i) {
  try {
    return parse('x'.repeat(i % 7));
  } catch (error) {
    return error.message.length;
  }
}

const deadline = performance.now() + Number(process.argv[2] || 8) * 1000;
let ops = 0;
let sink = 0;
const start = performance.now();
while (performance.now() < deadline) {
  for (let i = 0; i < 1000; i++) sink += work(i);
  ops += 1000;
}
process.stdout.write(`${JSON.stringify({ ops: ops / ((performance.now() - start) / 1000), sink })}\n`);
