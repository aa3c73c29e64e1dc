'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { runProcess, failureReason } = require('../proc.js');
const { startupVariants, spawnSpec } = require('../variants.js');
const { interleave } = require('../interleave.js');
const { summarize } = require('../compare.js');
const report = require('../report.js');
const { median } = require('../stats.js');

const SCRIPT = path.join(__dirname, '..', 'workloads', 'empty.js');
// GNU time reports the CPU (user + system) the run used, every thread and child of it counted.
const TIME = '/usr/bin/time';
const hasTime = fs.existsSync(TIME);
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
      const cpuFile = `${log}.cpu`;
      const [file, args] = hasTime ? [TIME, ['-f', '%U %S', '-o', cpuFile, spec.file, ...spec.args]] : [spec.file, spec.args];
      const r = await runProcess(file, args, { env: spec.env, cwd: ctx.repoRoot, timeoutMs: TIMEOUT_MS });
      ctx.logs.remove(log);
      const cpuMs = hasTime ? readCpuMs(cpuFile) : NaN;
      const reason = failureReason(r);
      if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
      return { ok: true, wallMs: r.wallMs, cpuMs };
    },
  });
  return { scriptArgs, results };
}

/** User + system CPU of a run, in ms, from GNU time's output file (removed once read). */
function readCpuMs(file) {
  try {
    const [user, system] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
    return (user + system) * 1000;
  } catch {
    return NaN;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** CPU added per run against the baseline run of the same round, median over rounds. */
function cpuAddedLine(results) {
  const base = results.find((e) => e.variant.baseline);
  if (!base) return '';
  const lines = results
    .filter((e) => !e.variant.baseline)
    .map((entry) => {
      const added = entry.runs.map((r, i) => (r.ok && base.runs[i]?.ok ? r.cpuMs - base.runs[i].cpuMs : NaN)).filter(Number.isFinite);
      const own = entry.runs.filter((r) => r.ok && Number.isFinite(r.cpuMs)).map((r) => r.cpuMs);
      const baseCpu = base.runs.filter((r) => r.ok && Number.isFinite(r.cpuMs)).map((r) => r.cpuMs);
      return added.length ? `CPU (user + system, every thread), ${entry.variant.name}: ${report.num(median(own), 1)} ms against node's ${report.num(median(baseCpu), 1)} ms, +${report.num(median(added), 1)} ms added (median of the paired differences).` : '';
    });
  return lines.filter(Boolean).join('\n');
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
    cpuAddedLine(results),
    report.variantCommands(results, scriptArgs),
    report.failureNotes(results),
  ]);
}

module.exports = { name: 'startup', run, render };
