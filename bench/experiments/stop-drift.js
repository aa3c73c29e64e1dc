#!/usr/bin/env node
// Whether the stop per sample with locals creeps up over a long run (issue 17: "no upward drift between the
// first and the tenth minute of a 10-minute run at 1 s"): the stop benchmark's program (20 frames, locals in
// each, a loop that notices every gap) under `tripod --interval 1 --locals-budget 100` for MINUTES minutes;
// the stoppedMs tripod logged and the gaps the program saw in each sample's window, minute by minute (p50, p99).
// `npm run build` first. Usage: node bench/experiments/stop-drift.js [MINUTES=10] [NODE=node]
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const PROBE = path.join(ROOT, 'bench', 'workloads', 'stop_probe.js');
const [minutes = '10', node = process.execPath] = process.argv.slice(2);
const pct = (xs, q) => (xs.length ? xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] : NaN);
const r2 = (x) => Math.round(x * 100) / 100;

const dir = mkdtempSync(path.join(tmpdir(), 'tripod-drift-'));
const log = path.join(dir, 'drift.log');
const seconds = Number(minutes) * 60;
const run = spawnSync(node, [TRIPOD, '-q', '--interval', '1', '--locals-budget', '100', '--log', log, PROBE, String(seconds), '0.3'], { encoding: 'utf8', maxBuffer: 1 << 30 });
if (run.status !== 0) throw new Error(`tripod exited ${run.status}: ${run.stderr.slice(-500)}`);
const out = JSON.parse(run.stdout.trim().split('\n').at(-1));
const samples = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.event === 'sample' && r.state === 'running' && r.capturedAt >= out.startedAt);
rmSync(dir, { recursive: true, force: true });

/** The program's own gaps inside a sample's window (capturedAt .. capturedAt + captureMs, 1 ms of slack each side). */
function seenStop(sample) {
  let total = 0;
  for (let i = 0; i < out.gaps.length; i++) {
    if (out.gapStarts[i] >= sample.capturedAt - 1 && out.gapStarts[i] <= sample.capturedAt + sample.captureMs + 1) total += out.gaps[i];
  }
  return total;
}

const rows = [];
for (let m = 0; m < Number(minutes); m++) {
  const from = out.startedAt + m * 60_000;
  const inMinute = samples.filter((s) => s.capturedAt >= from && s.capturedAt < from + 60_000);
  const logged = inMinute.map((s) => s.stoppedMs);
  const seen = inMinute.map(seenStop);
  rows.push({ minute: m + 1, samples: inMinute.length, stoppedP50: r2(pct(logged, 0.5)), stoppedP99: r2(pct(logged, 0.99)), seenP50: r2(pct(seen, 0.5)), seenP99: r2(pct(seen, 0.99)) });
}
console.log(JSON.stringify({ node: spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim(), minutes: Number(minutes), rows }, null, 1));
