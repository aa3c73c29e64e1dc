#!/usr/bin/env node
// What reading a tripod/flags flag's .value costs in a hot loop, against a plain object's property:
// ns per read, medians of 15 interleaved rounds (ABBA order) of 50 million reads each. `npm run build` first.
// Also what require('tripod/flags') takes in a fresh process (median of 15 processes; resolution
// through the package's exports and the reading of its one file included), beside a yardstick.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { flag } = require('../../dist/flags/index');

const READS = 50_000_000;
const ROUNDS = 15;
const handle = flag('benchFlag', 1);
const plain = { value: 1 };

// One loop function per holder, as a program's own loop would be: a shared one would see two object
// shapes and measure a polymorphic read instead.
const loop = () =>
  new Function('holder', 'READS', `let sum = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < READS; i++) sum += holder.value;
  const ns = Number(process.hrtime.bigint() - started) / READS;
  if (sum !== READS) throw new Error('the loop was not run');
  return ns;`);
const plainLoop = loop();
const flagLoop = loop();

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const flagNs = [];
const plainNs = [];
for (let r = 0; r < ROUNDS; r++) {
  // Alternating which goes first, so a drift of the machine's speed falls on both alike.
  if (r % 2 === 0) {
    plainNs.push(plainLoop(plain, READS));
    flagNs.push(flagLoop(handle, READS));
  } else {
    flagNs.push(flagLoop(handle, READS));
    plainNs.push(plainLoop(plain, READS));
  }
}

// Each measured after a first require of an empty file, so the loader's own first-use costs are not counted.
// CPU time (user + system, of this process): on a loaded machine wall time counts the waits for a core too.
const timed = (what) =>
  `require(${JSON.stringify(path.join(__dirname, 'empty.js'))}); const c = process.cpuUsage(); require(${JSON.stringify(what)}); const d = process.cpuUsage(c); process.stdout.write(String((d.user + d.system) / 1000));`;
const root = path.resolve(__dirname, '..', '..');
const requireMs = [];
const fileMs = [];
// A yardstick: `ms`, a one-file package of about the same size, required by name the same way.
const yardstickMs = [];
for (let i = 0; i < 15; i++) {
  yardstickMs.push(Number(execFileSync(process.execPath, ['-e', timed('ms')], { cwd: root, encoding: 'utf8' })));
  requireMs.push(Number(execFileSync(process.execPath, ['-e', timed('tripod/flags')], { cwd: root, encoding: 'utf8' })));
  fileMs.push(Number(execFileSync(process.execPath, ['-e', timed(path.join(root, 'dist', 'flags', 'index.js'))], { cwd: root, encoding: 'utf8' })));
}
console.log(JSON.stringify({
  node: process.version,
  plainNsPerRead: +median(plainNs).toFixed(3),
  flagNsPerRead: +median(flagNs).toFixed(3),
  ratio: +(median(flagNs) / median(plainNs)).toFixed(3),
  load: require('node:os').loadavg()[0],
  requireCpuMs: +median(requireMs).toFixed(3),
  requireByPathCpuMs: +median(fileMs).toFixed(3),
  requireMsPackageCpuMs: +median(yardstickMs).toFixed(3),
}));
