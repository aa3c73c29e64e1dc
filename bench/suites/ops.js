'use strict';
const { runProcess, failureReason, lastJsonLine } = require('../proc.js');
const { spawnSpec } = require('../variants.js');
const { interleave } = require('../interleave.js');
const { summarize } = require('../compare.js');
const report = require('../report.js');

/**
 * A suite for a workload that runs `duration` seconds and prints {"ops": per second}:
 * each variant's throughput against plain node.
 */
function opsSuite({ name, script, variants, title }) {
  function scriptArgsFor(ctx) {
    return [script, String(ctx.duration)];
  }

  /** One timed run of the workload under `variant`: { ok, ops, wallMs } or { ok: false, error, stderrTail }. */
  async function runOne(ctx, variant) {
    const log = ctx.logs.next(`${name}-${variant.name}`);
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
    const results = await interleave({
      suite: name,
      runs: ctx.runs,
      variants: variants(ctx),
      progress: ctx.progress,
      describe: (r) => `${report.int(r.ops)} ops/s`,
      runOne: (variant) => runOne(ctx, variant),
    });
    return { scriptArgs: scriptArgsFor(ctx), results };
  }

  function render({ scriptArgs, results }, ctx) {
    const rows = summarize(results, (r) => r.ops, { higherIsBetter: true }).map((s) => [
      ...report.throughputCells(s),
    ]);
    return report.section([
      `## ${name}: ${title}, ${ctx.duration} s per run (ops/s, higher is better)`,
      report.table(['variant', 'runs', 'median ops/s', 'min – max', 'ratio of medians (variant/node)', 'paired ratio', 'overhead %'], rows),
      `${report.PAIRED_NOTE}; overhead % = throughput lost vs node, from the paired ratio.`,
      report.variantCommands(results, scriptArgs),
      report.failureNotes(results),
    ]);
  }

  return { name, run, render, runOne, scriptArgsFor };
}

module.exports = { opsSuite };
