'use strict';
const path = require('node:path');
const { runProcess, failureReason, lastJsonLine } = require('../proc.js');
const { stopVariants, spawnSpec } = require('../variants.js');
const { interleave, okRuns } = require('../interleave.js');
const { readRunningSamples } = require('../tripod_log.js');
const { median, percentile, min, max } = require('../stats.js');
const report = require('../report.js');

const SCRIPT = path.join(__dirname, '..', 'workloads', 'stop_probe.js');
// The floor, measured in the same run: enable + pause + getProperties of each frame's locals + disable, every
// 100 ms, with no tripod code involved (bench/experiments/stop-floor.js), interleaved with the other variants.
const STOP_FLOOR = path.join(__dirname, '..', 'experiments', 'stop-floor.js');
const FLOOR_CYCLE = 'pause+scopes';
/** The variant whose first sample and per-sample stop are set against the floor. */
const LOCALS_VARIANT = 'tripod 0.1s, locals every sample';
// Gaps above this between consecutive performance.now() reads count as stops; the
// plain-node variant shows how many such gaps the machine produces on its own.
const THRESHOLD_MS = 0.3;

async function run(ctx) {
  const scriptArgs = [SCRIPT, String(ctx.duration), String(THRESHOLD_MS)];
  const results = await interleave({
    suite: 'stop',
    runs: ctx.runs,
    variants: [...stopVariants(ctx), floorVariant(ctx)],
    progress: ctx.progress,
    describe: (r) =>
      r.floor ? `floor p50 ${report.num(r.floor.stopMsP50, 2)} ms, p99 ${report.num(r.floor.stopMsP99, 2)} ms` :
      `${r.gaps.length} gaps, p50 ${report.num(median(r.gaps), 3)} ms, max ${report.num(max(r.gaps), 3)} ms` +
      (r.samplerStops.length ? `, ${r.samplerStops.length} samples, stoppedMs p50 ${report.num(median(r.samplerStops), 3)}` : ''),
    runOne: async (variant) => {
      if (variant.floor) return runFloor(ctx, variant);
      const log = ctx.logs.next(`stop-${variant.name}`);
      const spec = spawnSpec(variant, scriptArgs, { TRIPOD_LOG: log });
      const r = await runProcess(spec.file, spec.args, {
        env: spec.env,
        cwd: ctx.repoRoot,
        timeoutMs: ctx.duration * 3000 + 60_000,
      });
      const logged = readRunningSamples(log);
      ctx.logs.remove(log);
      const reason = failureReason(r);
      if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
      const out = lastJsonLine(r.stdout);
      if (!out || !Array.isArray(out.gaps)) {
        return { ok: false, error: 'no {"gaps":[...]} line on stdout', stderrTail: r.stderrTail };
      }
      // The samples taken while the probe's loop ran (its start is on stdout).
      const samples = logged.filter((s) => !(out.startedAt > s.capturedAt));
      const samplerStops = samples.map((s) => s.stoppedMs);
      const perSample = stopsPerSample(samples, out.gaps, out.gapStarts);
      return { ok: true, gaps: out.gaps, iterations: out.iterations, elapsedMs: out.elapsedMs, samplerStops, perSample };
    },
  });
  return { scriptArgs, results };
}

function floorVariant({ node }) {
  return { name: `floor: ${FLOOR_CYCLE} (stop-floor.js)`, floor: true, cmd: [node, STOP_FLOOR], env: { STOP_FLOOR_VARIANT: FLOOR_CYCLE } };
}

async function runFloor(ctx, variant) {
  const spec = spawnSpec(variant, [String(ctx.duration)]);
  const r = await runProcess(spec.file, spec.args, { env: spec.env, cwd: ctx.repoRoot, timeoutMs: ctx.duration * 3000 + 60_000 });
  const reason = failureReason(r);
  if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
  const out = lastJsonLine(r.stdout);
  if (!out || !Array.isArray(out.stops)) return { ok: false, error: 'no {"stops":[...]} line on stdout', stderrTail: r.stderrTail };
  return { ok: true, floor: out, gaps: [], samplerStops: [], perSample: out.stops };
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

/** The first sample's stop against the later ones', per run (the first read of locals pays V8's one-time work). */
function firstSampleLine(entry) {
  const ok = okRuns(entry).filter((r) => r.perSample.length > 1);
  if (ok.length === 0) return '';
  const first = median(ok.map((r) => r.perSample[0]));
  const later = median(ok.map((r) => median(r.perSample.slice(1))));
  const firstStopped = median(ok.map((r) => r.samplerStops[0]));
  return (
    `First sample, ${entry.variant.name}: stopped ${report.num(first, 2)} ms (median over ${ok.length} runs; stoppedMs ${report.num(firstStopped, 2)}), ` +
    `later samples ${report.num(later, 2)} ms (median of each run's median): ${report.num(first / later, 2)}x a later one.`
  );
}

/** The per-sample stop of the locals variant against the floor measured in the same run. */
function floorLine(results) {
  const floor = results.find((e) => e.variant.floor);
  const tripod = results.find((e) => e.variant.name === LOCALS_VARIANT);
  if (!floor || !tripod) return '';
  const floorStops = okRuns(floor).flatMap((r) => r.perSample);
  const stops = okRuns(tripod).flatMap((r) => r.perSample.slice(1));
  if (floorStops.length === 0 || stops.length === 0) return '';
  const [f50, f99, t50, t99] = [percentile(floorStops, 50), percentile(floorStops, 99), percentile(stops, 50), percentile(stops, 99)];
  return (
    `Against the floor in this run (${floor.variant.name}, ${floorStops.length} cycles: p50 ${report.num(f50, 2)} ms, p99 ${report.num(f99, 2)} ms), ` +
    `${LOCALS_VARIANT} stopped per sample (first samples left out) p50 ${report.num(t50, 2)} ms = ${report.num(t50 / f50, 2)}x, ` +
    `p99 ${report.num(t99, 2)} ms = ${report.num(t99 / f50, 2)}x the floor's p50 (${report.num(t99 / f99, 2)}x its p99).`
  );
}

function render({ scriptArgs, results: all }, ctx) {
  const results = all.filter((entry) => !entry.variant.floor);
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
    ...results.filter((entry) => /locals every sample/.test(entry.variant.name)).map(firstSampleLine),
    floorLine(all),
    report.variantCommands(results, scriptArgs),
    `- ${floorVariant(ctx).name}: \`STOP_FLOOR_VARIANT=${FLOOR_CYCLE} ${report.commandLine([ctx.node, STOP_FLOOR, String(ctx.duration)])}\``,
    report.failureNotes(all),
  ]);
}

module.exports = { name: 'stop', run, render };
