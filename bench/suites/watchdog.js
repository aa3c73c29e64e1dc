'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { runProcess, failureReason, lastJsonLine } = require('../proc.js');
const { watchdogVariants, spawnSpec } = require('../variants.js');
const { interleave } = require('../interleave.js');
const { percentile, median } = require('../stats.js');
const report = require('../report.js');

const SCRIPT = path.join(__dirname, '..', 'workloads', 'stall_maker.js');
const THRESHOLD_MS = 200;
const BLOCKS = 10;
const BLOCK_MS = 500;

/**
 * Detection delay of each block: when the first stall capture after the block began
 * (and before the next one) began, minus when the block began plus the threshold.
 * A block with no such capture was missed and has no delay.
 */
function delays(logFile, starts) {
  const captured = fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"event":"stall"'))
    .map((line) => JSON.parse(line).capturedAt);
  return starts.flatMap((start, i) => {
    const end = starts[i + 1] ?? Infinity;
    const first = captured.find((at) => at >= start && at < end);
    return first === undefined ? [] : [first - (start + THRESHOLD_MS)];
  });
}

async function run(ctx) {
  const scriptArgs = [SCRIPT, String(BLOCKS), String(BLOCK_MS)];
  const results = await interleave({
    suite: 'watchdog',
    runs: ctx.runs,
    variants: watchdogVariants(ctx),
    progress: ctx.progress,
    describe: (r) => `${r.stalls}/${BLOCKS} stalls, delay p50 ${report.num(median(r.delays))} ms`,
    runOne: async (variant) => {
      const log = ctx.logs.next(`watchdog-${variant.name}`);
      const spec = spawnSpec(variant, scriptArgs, { TRIPOD_LOG: log });
      const r = await runProcess(spec.file, spec.args, { env: spec.env, cwd: ctx.repoRoot, timeoutMs: 60_000 });
      const reason = failureReason(r);
      const out = lastJsonLine(r.stdout);
      const result = reason || !out ? { ok: false, error: reason || 'no result line', stderrTail: r.stderrTail } : { ok: true, stalls: 0, delays: [] };
      if (result.ok) {
        result.delays = delays(log, out.starts);
        result.stalls = result.delays.length;
      }
      ctx.logs.remove(log);
      return result;
    },
  });
  return { scriptArgs, results };
}

function render({ scriptArgs, results }) {
  const rows = results.map(({ variant, runs }) => {
    const ok = runs.filter((r) => r.ok);
    const all = ok.flatMap((r) => r.delays);
    return [variant.name, `${ok.length}/${runs.length}`, `${ok.reduce((n, r) => n + r.stalls, 0)}/${ok.length * BLOCKS}`, report.num(percentile(all, 50)), report.num(percentile(all, 90)), report.num(percentile(all, 100))];
  });
  return report.section([
    `## watchdog: detection delay of ${BLOCK_MS} ms blocks under a ${THRESHOLD_MS} ms threshold (ms, lower is better)`,
    report.table(['variant', 'runs', 'stalls seen', 'delay p50', 'delay p90', 'delay max'], rows),
    'Delay = when the stall capture began (the record\'s capturedAt) minus (when the block began + the threshold), pooled over runs. Throughput and latency cost of the watchdog are in the cpu and http tables.',
    report.variantCommands(results, scriptArgs),
    report.failureNotes(results),
  ]);
}

module.exports = { name: 'watchdog', run, render };
