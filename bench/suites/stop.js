'use strict';
const path = require('node:path');
const { runProcess, failureReason, lastJsonLine } = require('../proc.js');
const { stopVariants, spawnSpec } = require('../variants.js');
const { interleave, okRuns } = require('../interleave.js');
const { readRunningSamples } = require('../tripod_log.js');
const { median, percentile, min, max } = require('../stats.js');
const report = require('../report.js');

const SCRIPT = path.join(__dirname, '..', 'workloads', 'stop_probe.js');
// Gaps above this between consecutive performance.now() reads count as stops; the
// plain-node variant shows how many such gaps the machine produces on its own.
const THRESHOLD_MS = 0.3;

async function run(ctx) {
  const scriptArgs = [SCRIPT, String(ctx.duration), String(THRESHOLD_MS)];
  const results = await interleave({
    suite: 'stop',
    runs: ctx.runs,
    variants: stopVariants(ctx),
    progress: ctx.progress,
    describe: (r) =>
      `${r.gaps.length} gaps, p50 ${report.num(median(r.gaps), 3)} ms, max ${report.num(max(r.gaps), 3)} ms` +
      (r.samplerStops.length ? `, ${r.samplerStops.length} samples, stoppedMs p50 ${report.num(median(r.samplerStops), 3)}` : ''),
    runOne: async (variant) => {
      const log = ctx.logs.next(`stop-${variant.name}`);
      const spec = spawnSpec(variant, scriptArgs, { TRIPOD_LOG: log });
      const r = await runProcess(spec.file, spec.args, {
        env: spec.env,
        cwd: ctx.repoRoot,
        timeoutMs: ctx.duration * 3000 + 60_000,
      });
      const samples = readRunningSamples(log);
      const samplerStops = samples.map((s) => s.stoppedMs);
      ctx.logs.remove(log);
      const reason = failureReason(r);
      if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
      const out = lastJsonLine(r.stdout);
      if (!out || !Array.isArray(out.gaps)) {
        return { ok: false, error: 'no {"gaps":[...]} line on stdout', stderrTail: r.stderrTail };
      }
      const perSample = stopsPerSample(samples, out.gaps, out.gapStarts);
      return { ok: true, gaps: out.gaps, iterations: out.iterations, elapsedMs: out.elapsedMs, samplerStops, perSample };
    },
  });
  return { scriptArgs, results };
}

/**
 * The main thread's total stop for each sample: the gaps that fall inside the
 * window the sampler logged for it (capturedAt is whole milliseconds, hence the
 * 1 ms of slack each side). This counts every stop a sample causes (the probe and
 * Debugger.enable, then the pause), which stoppedMs does only in part.
 */
function stopsPerSample(samples, gaps, gapStarts) {
  if (!Array.isArray(gapStarts) || gapStarts.length !== gaps.length) return [];
  return samples.map(({ capturedAt, captureMs }) => {
    const from = capturedAt - 1;
    const to = capturedAt + captureMs + 1;
    let total = 0;
    for (let i = 0; i < gaps.length; i++) if (gapStarts[i] + gaps[i] >= from && gapStarts[i] <= to) total += gaps[i];
    return total;
  });
}

function render({ scriptArgs, results }, ctx) {
  const rows = results.map((entry) => {
    const ok = okRuns(entry);
    const counts = ok.map((r) => r.gaps.length);
    const gaps = ok.flatMap((r) => r.gaps);
    const stops = ok.flatMap((r) => r.samplerStops);
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);
    const gapTotals = ok.map((r) => sum(r.gaps));
    const stopTotals = ok.map((r) => sum(r.samplerStops));
    const perSample = ok.flatMap((r) => r.perSample ?? []);
    return [
      entry.variant.name,
      report.runCount(entry, ok),
      report.int(median(counts)),
      report.range(min(counts), max(counts), report.int),
      report.num(percentile(gaps, 50), 3),
      report.num(percentile(gaps, 99), 3),
      report.num(max(gaps), 3),
      report.num(median(gapTotals), 1),
      stops.length ? String(stops.length) : report.NA,
      report.num(percentile(stops, 50), 3),
      report.num(percentile(stops, 99), 3),
      stops.length ? report.num(median(stopTotals), 1) : report.NA,
      report.num(percentile(perSample, 50), 3),
      report.num(percentile(perSample, 99), 3),
    ];
  });
  return report.section([
    `## stop: main-thread stops at a 20-frame stack with locals, ${ctx.duration} s per run (ms, lower is better)`,
    report.table(
      [
        'variant',
        'runs',
        'gaps/run (median)',
        'gaps/run min – max',
        'gap p50',
        'gap p99',
        'gap max',
        'gap total/run',
        'sampler records',
        'stoppedMs p50',
        'stoppedMs p99',
        'stoppedMs total/run',
        'stopped per sample p50',
        'stopped per sample p99',
      ],
      rows,
    ),
    `A gap is a pause above ${THRESHOLD_MS} ms between consecutive performance.now() reads in a tight loop; ` +
      'gap percentiles and max pool every gap from all runs; totals are medians over runs of the per-run sum. ' +
      'stoppedMs comes from the tripod log (msg "sample", state "running"), also pooled; n/a = no such records. ' +
      'stopped per sample = the sum of the gaps inside each sample\'s logged window (capturedAt to capturedAt + captureMs): ' +
      'every stop that sample caused, the probe and Debugger.enable included, which stoppedMs leaves out.',
    report.variantCommands(results, scriptArgs),
    report.failureNotes(results),
  ]);
}

module.exports = { name: 'stop', run, render };
