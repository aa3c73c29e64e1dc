'use strict';
const path = require('node:path');
const { runProcess, failureReason } = require('../proc.js');
const { startupVariants, spawnSpec } = require('../variants.js');
const { interleave } = require('../interleave.js');
const { summarize } = require('../compare.js');
const report = require('../report.js');

const SCRIPT = path.join(__dirname, '..', 'workloads', 'empty.js');
// Startup runs are cheap and noisy, so they always get at least this many.
const MIN_RUNS = 10;
const TIMEOUT_MS = 30_000;

async function run(ctx) {
  const scriptArgs = [SCRIPT];
  const results = await interleave({
    suite: 'startup',
    runs: Math.max(MIN_RUNS, ctx.runs),
    variants: startupVariants(ctx),
    progress: ctx.progress,
    describe: (r) => `${report.num(r.wallMs, 1)} ms`,
    runOne: async (variant) => {
      const log = ctx.logs.next(`startup-${variant.name}`);
      const spec = spawnSpec(variant, scriptArgs, { TRIPOD_LOG: log });
      const r = await runProcess(spec.file, spec.args, { env: spec.env, cwd: ctx.repoRoot, timeoutMs: TIMEOUT_MS });
      ctx.logs.remove(log);
      const reason = failureReason(r);
      if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
      return { ok: true, wallMs: r.wallMs };
    },
  });
  return { scriptArgs, results };
}

function render({ scriptArgs, results }) {
  const rows = summarize(results, (r) => r.wallMs, { higherIsBetter: false }).map((s) => [
    s.entry.variant.name,
    report.runCount(s.entry, s.ok),
    report.num(s.median, 1),
    report.range(s.min, s.max, (x) => report.num(x, 1)),
    s.entry.variant.baseline ? '—' : `${s.diff >= 0 ? '+' : ''}${report.num(s.diff, 1)}`,
    report.ratioCell(s),
    report.pairedRatioCell(s),
    report.overheadCell(s),
  ]);
  return report.section([
    '## startup: spawn to exit of an empty script (ms, lower is better)',
    report.table(['variant', 'runs', 'median ms', 'min – max', 'Δ vs node ms', 'ratio of medians (node/variant)', 'paired ratio', 'overhead %'], rows),
    `${report.PAIRED_NOTE}; overhead % = extra wall time vs node, from the paired ratio.`,
    report.variantCommands(results, scriptArgs),
    report.failureNotes(results),
  ]);
}

module.exports = { name: 'startup', run, render };
