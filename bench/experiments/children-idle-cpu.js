#!/usr/bin/env node
// The CPU time (user + system, from /proc) an idle Node child spends over WINDOW seconds, started by a parent
// under `tripod -q` and under `tripod -q --children` (default 5 s interval): what following a child costs in
// CPU, the sampler's thread included, where the main-thread stop figures do not see it. Interleaved, ROUNDS
// rounds each; prints the medians. `npm run build` first.
// Usage: node bench/experiments/children-idle-cpu.js [ROUNDS=5] [WINDOW=10]
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const [rounds = '5', windowS = '10'] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'tripod-children-idle-'));
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

// The parent: starts an idle child, waits 3 s for its start, then reads its CPU time over the window.
const parent = path.join(dir, 'parent.js');
writeFileSync(parent, `
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const windowMs = ${Number(windowS) * 1000};
const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, ' + (windowMs + 6000) + ')'], { stdio: 'ignore' });
const cpuMs = () => { const s = readFileSync('/proc/' + child.pid + '/stat', 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
setTimeout(() => { const before = cpuMs(); setTimeout(() => { console.log(cpuMs() - before); child.kill(); }, windowMs); }, 3000);
`);

const without = [];
const withChildren = [];
for (let r = 0; r < Number(rounds); r++) {
  for (const flags of r % 2 === 0 ? [[], ['--children']] : [['--children'], []]) {
    const out = execFileSync(process.execPath, [TRIPOD, '-q', '--log', path.join(dir, `run-${r}.log`), ...flags, parent], { encoding: 'utf8' });
    (flags.length ? withChildren : without).push(Number(out.trim()));
  }
}
console.log(JSON.stringify({ node: process.version, rounds: Number(rounds), windowS: Number(windowS), childCpuMsWithout: median(without), childCpuMsWithChildren: median(withChildren), all: { without, withChildren } }));
