'use strict';
const path = require('node:path');
const { runProcess, failureReason, lastJsonLine } = require('../proc.js');
const { throughputVariants, spawnSpec } = require('../variants.js');
const { interleave } = require('../interleave.js');
const { summarize } = require('../compare.js');
const report = require('../report.js');

const SCRIPT = path.join(__dirname, '..', 'workloads', 'cpu.js');

function scriptArgsFor(ctx) {
  return [SCRIPT, String(ctx.duration)];
}

/** One timed run of the workload under `variant`: { ok, ops, wallMs } or { ok: false, error, stderrTail }. */
async function runOne(ctx, variant) {
  const log = ctx.logs.next(`cpu-${variant.name}`);
  const spec = spawnSpec(variant, scriptArgsFor(ctx), { TRIPOD_LOG: log });
  const r = await runProcess(spec.file, spec.args, {
    env: spec.env,
    cwd: ctx.repoRoot,
    timeoutMs: ctx.duration * 2000 + 60_000,
  });
  ctx.logs.remove(log);
  const reason = failureReason(r);
  if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
  const out = lastJsonLine(r.stdout);
  if (!out || !Number.isFinite(out.ops)) {
    return { ok: false, error: 'no {"ops":...} line on stdout', stderrTail: r.stderrTail };
  }
  return { ok: true, ops: out.ops, wallMs: r.wallMs };
}

async function run(ctx) {
  const scriptArgs = scriptArgsFor(ctx);
  const results = await interleave({
    suite: 'cpu',
    runs: ctx.runs,
    variants: throughputVariants(ctx),
    progress: ctx.progress,
    describe: (r) => `${report.int(r.ops)} ops/s`,
    runOne: (variant) => runOne(ctx, variant),
  });
  return { scriptArgs, results };
}

function render({ scriptArgs, results }, ctx) {
  const rows = summarize(results, (r) => r.ops, { higherIsBetter: true }).map((s) => [
    s.entry.variant.name,
    report.runCount(s.entry, s.ok),
    report.int(s.median),
    report.range(s.min, s.max, report.int),
    report.ratioCell(s),
    report.pairedRatioCell(s),
    report.overheadCell(s),
  ]);
  return [
    `## cpu: synchronous loop that never yields, ${ctx.duration} s per run (ops/s, higher is better)`,
    report.table(['variant', 'runs', 'median ops/s', 'min – max', 'ratio of medians (variant/node)', 'paired ratio', 'overhead %'], rows),
    `${report.PAIRED_NOTE}; overhead % = throughput lost vs node, from the paired ratio.`,
    report.variantCommands(results, scriptArgs),
    report.failureNotes(results),
  ]
    .filter(Boolean)
    .join('\n\n');
}

module.exports = { name: 'cpu', run, render, runOne, scriptArgsFor };
