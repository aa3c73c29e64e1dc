'use strict';
// What --async-stacks adds to an idle sample: the probe's round trip (the sample's captureMs, the main thread
// busy in the probe for most of it) with 20 server requests in flight, each suspended three async functions
// deep on a slow upstream (bench/workloads/async_stacks_target.js), under `tripod --interval 0.05` with and
// without --async-stacks, runs interleaved.
// Usage: npm run build && node bench/experiments/async-stacks-probe.js [runs=5] [node=this node]
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');

const ROOT = path.join(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const TARGET = path.join(ROOT, 'bench', 'workloads', 'async_stacks_target.js');
const runs = Number(process.argv[2] || 5);
const node = process.argv[3] || process.execPath;

function once(withStacks) {
  const log = path.join(mkdtempSync(path.join(tmpdir(), 'tripod-bench-')), 'run.log');
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('TRIPOD_')) delete env[key];
  execFileSync(node, [TRIPOD, '-q', '--interval', '0.05', ...(withStacks ? ['--async-stacks'] : []), '--log', log, TARGET], { env, stdio: 'ignore' });
  const samples = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((r) => r.event === 'sample');
  const full = samples.filter((s) => s.state === 'idle' && s.inFlight?.serverTotal >= 20);
  if (withStacks && !full.some((s) => s.inFlight.server.every((r) => r.path.startsWith('/stock/') || r.awaiting?.length >= 3))) throw new Error('no sample listed the chains');
  return full.map((s) => s.captureMs);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const results = { without: [], with: [] };
for (let run = 0; run < runs; run++) {
  for (const [name, flag] of [['without', false], ['with', true]]) {
    const times = once(flag);
    results[name].push(median(times));
    process.stderr.write(`run ${run + 1} ${name} --async-stacks: ${times.length} idle samples with 20 requests in flight, median ${median(times).toFixed(2)} ms\n`);
  }
}
const version = execFileSync(node, ['-v'], { encoding: 'utf8' }).trim();
console.log(`| ${version}, ${runs} interleaved runs | idle sample's captureMs, median of run medians |`);
console.log('| --- | --- |');
console.log(`| without --async-stacks | ${median(results.without).toFixed(2)} ms |`);
console.log(`| with --async-stacks (20 chains of 3) | ${median(results.with).toFixed(2)} ms |`);
