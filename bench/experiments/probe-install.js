'use strict';
// What the stack probe's install costs a process tripod did not start (SIGUSR1, no agent): the main thread's
// stop that `tripod dump` reports for the first dump (finds Node's natives, makes the probe's context,
// installs the holder) against the second (the holder is there), each pair in a fresh busy target, and the
// same for a program that replaced Object.getOwnPropertyDescriptor (each attach then makes a context to
// find the holder in). Medians of the pairs, interleaved.
// Usage: npm run build && node bench/experiments/probe-install.js [runs=7] [node=this node]
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const TRIPOD = path.join(__dirname, '..', '..', 'bin', 'tripod.js');
const SPIN = 'process.stdout.write("ready\\n"); const end = Date.now() + 20000; while (Date.now() < end);';
const HOSTILE = 'Object.getOwnPropertyDescriptor = ((d) => function (...a) { return d(...a); })(Object.getOwnPropertyDescriptor); ';

async function pair(node, source) {
  const target = spawn(node, ['--inspect-port=0', '-e', source], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve) => target.stdout.once('data', resolve));
  try {
    return [dumpStop(node, target.pid), dumpStop(node, target.pid)];
  } finally {
    target.kill('SIGKILL');
  }
}

function dumpStop(node, pid) {
  const out = execFileSync(node, [TRIPOD, 'dump', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const stopped = /took ([\d.]+) s, main thread stopped ([\d.]+) ms/.exec(out);
  if (!stopped) throw new Error(`no timing line in:\n${out}`);
  return Number(stopped[2]);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

(async () => {
  const runs = Number(process.argv[2] || 7);
  const node = process.argv[3] || process.execPath;
  const figures = { plain: [[], []], replaced: [[], []] };
  for (let run = 0; run < runs; run++) {
    for (const [name, source] of [['plain', SPIN], ['replaced', HOSTILE + SPIN]]) {
      const [first, second] = await pair(node, source);
      figures[name][0].push(first);
      figures[name][1].push(second);
    }
  }
  for (const [name, [first, second]] of Object.entries(figures)) {
    console.log(`${name}: main thread stopped, median of ${runs}: first dump (installs) ${median(first).toFixed(1)} ms, second ${median(second).toFixed(1)} ms`);
  }
})();
