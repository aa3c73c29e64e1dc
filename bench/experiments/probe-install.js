'use strict';
// What the stack probe's install costs a process tripod did not start (SIGUSR1, no agent), in the program's own
// time: a target spins 4 s and sums the gaps of over 0.3 ms in its loop (the time its main thread was taken from
// it: the inspector's messages run in interrupts, plus the machine's scheduling noise). Per round, interleaved,
// each in a fresh target: no dump; one `tripod dump` (finds Node's natives, makes the probe's context, installs
// the holder); two dumps (the second finds the holder). The same with a program that replaced
// Object.getOwnPropertyDescriptor (each attach then makes a context to look for the holder in). Medians.
// TRIPOD=path/to/bin/tripod.js measures another build (an older checkout's) the same way; DUMP_ARGS=--locals
// dumps with locals (the in-target reader's install too).
// Usage: npm run build && node bench/experiments/probe-install.js [runs=5] [node=this node]
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const TRIPOD = process.env.TRIPOD || path.join(__dirname, '..', '..', 'bin', 'tripod.js');
const SPIN = `process.stdout.write("ready\\n"); let lost = 0, last = performance.now(); const end = last + 4000;
while (true) { const now = performance.now(); if (now - last > 0.3) lost += now - last; last = now; if (now > end) break; }
process.stdout.write("lost " + lost.toFixed(2) + "\\n");`;
const DUMP_ARGS = (process.env.DUMP_ARGS || '').split(' ').filter(Boolean);
const HOSTILE = 'Object.getOwnPropertyDescriptor = ((d) => function (...a) { return d(...a); })(Object.getOwnPropertyDescriptor); ';

async function lostWith(node, source, dumps) {
  const target = spawn(node, ['--inspect-port=0', '-e', source], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  target.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  while (!out.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 5));
  for (let i = 0; i < dumps; i++) execFileSync(node, [TRIPOD, 'dump', ...DUMP_ARGS, String(target.pid)], { stdio: 'ignore' });
  await new Promise((resolve) => target.once('exit', resolve));
  return Number(/lost ([\d.]+)/.exec(out)[1]);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

(async () => {
  const runs = Number(process.argv[2] || 5);
  const node = process.argv[3] || process.execPath;
  const figures = {};
  for (let run = 0; run < runs; run++) {
    for (const [name, source] of [['plain', SPIN], ['replaced', HOSTILE + SPIN]]) {
      for (const dumps of [0, 1, 2]) (figures[`${name}, ${dumps} dump(s)`] ??= []).push(await lostWith(node, source, dumps));
    }
  }
  for (const [name, values] of Object.entries(figures)) console.log(`${name}: main thread taken ${median(values).toFixed(1)} ms (median of ${runs}; ${values.map((v) => v.toFixed(1)).join(', ')})`);
})();
