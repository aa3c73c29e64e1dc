'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { runProcess, failureReason, lastJsonLine } = require('../proc.js');
const { spawnSpec } = require('../variants.js');
const { profileVariants } = require('../variants.js');
const { interleave } = require('../interleave.js');
const { summarize } = require('../compare.js');
const { median, min, max } = require('../stats.js');
const report = require('../report.js');
const cpu = require('./cpu.js');
const http = require('./http.js');

/*
 * What --profile costs: the cpu and http workloads under plain node, node --cpu-prof
 * and tripod --profile at 100 and 1000 Hz (stacks only), interleaved. The tripod
 * runs' logs also give the effective sampling rate. Then the main-thread stop at
 * each collection of the profile (stop + start every 5 s), against plain node's
 * longest stop at the same moments.
 */
const GAPS = path.join(__dirname, '..', 'workloads', 'flush_gaps.js');
const GAPS_SECONDS = 12;
const WORKLOADS = [
  { name: 'cpu', suite: cpu, pick: (r) => r.ops, unit: 'ops/s', scriptArgs: (ctx) => cpu.scriptArgsFor(ctx) },
  { name: 'http', suite: http, pick: (r) => r.rps, unit: 'req/s', scriptArgs: () => [http.SERVER] },
];

/** Samples per second over the profile records of a log: (samples - 1) / (last sample - first sample). */
function effectiveRate(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return NaN;
  }
  let samples = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const line of text.split('\n')) {
    if (!line.includes('"event":"profile"')) continue;
    const r = JSON.parse(line);
    samples += r.samples;
    first = Math.min(first, r.from);
    last = Math.max(last, r.to);
  }
  return samples > 1 ? ((samples - 1) * 1000) / (last - first) : NaN;
}

/** The suite's own log directory view: reads each tripod log's effective rate before it is removed. */
function rateReadingLogs(logs, seen) {
  return {
    dir: logs.dir,
    next: (label) => logs.next(label),
    remove: (file) => {
      seen.rate = effectiveRate(file);
      logs.remove(file);
    },
  };
}

async function measureFlushGaps(ctx) {
  const variants = profileVariants(ctx).filter((v) => v.baseline || v.rateHz);
  return interleave({
    suite: 'profile-gaps',
    runs: ctx.runs,
    variants,
    progress: ctx.progress,
    describe: (r) => `longest stop near the 5 s marks ${r.near.join(', ')} ms, elsewhere ${r.elsewhere} ms`,
    runOne: async (variant) => {
      const log = ctx.logs.next(`gaps-${variant.name}`);
      const spec = spawnSpec(variant, [GAPS, String(GAPS_SECONDS)], { TRIPOD_LOG: log });
      const r = await runProcess(spec.file, spec.args, { env: spec.env, cwd: ctx.repoRoot, timeoutMs: GAPS_SECONDS * 3000 + 60_000 });
      ctx.logs.remove(log);
      const reason = failureReason(r);
      if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
      const out = lastJsonLine(r.stdout);
      if (!out || !Array.isArray(out.near)) return { ok: false, error: 'no {"near":[...]} line on stdout', stderrTail: r.stderrTail };
      return { ok: true, near: out.near, elsewhere: out.elsewhere };
    },
  });
}

/*
 * --profile's restarts on a large heap: each logs every code object again, hundreds of ms at 180-480 MB, so the
 * recorder collects less often as a restart's cost grows. A 25 s tight loop after BIG_HEAP_MB of live objects
 * (preloaded), under plain node and under tripod --profile, keeping every stop over LONG_MS (a quiet machine's
 * node shows none over 60 ms; a restart at 180 MB is ~235 ms). Node runs a --require preload in every worker too,
 * so tripod's sampler builds a heap of its own as well: it starts later, the main thread is not slowed by it.
 */
const LONG_MS = 100;
const LONG_GAPS = path.join(__dirname, '..', 'workloads', 'long_gaps.js');
const BIG_HEAP = path.join(__dirname, '..', 'workloads', 'big_heap.js');
const LARGE_HEAPS_MB = [180, 480];
const LARGE_HEAP_SECONDS = 25;

async function measureLargeHeapGaps(ctx) {
  const variants = LARGE_HEAPS_MB.flatMap((mb) => [
    { name: `node, ${mb} MB heap`, mb, cmd: [ctx.node, '--require', BIG_HEAP], env: { BIG_HEAP_MB: String(mb) } },
    { name: `tripod --profile 100 Hz, ${mb} MB heap`, mb, cmd: [ctx.node, '--require', BIG_HEAP, ctx.tripod, '--profile', '--interval', '0'], env: { BIG_HEAP_MB: String(mb) } },
  ]);
  return interleave({
    suite: 'profile-large-heap',
    runs: Math.min(ctx.runs, 3),
    variants,
    progress: ctx.progress,
    describe: (r) => `stops over ${LONG_MS} ms: ${r.gaps.map(([at, ms]) => `${ms} ms at ${at} s`).join(', ') || 'none'} (${r.share}% of the run)`,
    runOne: async (variant) => {
      const log = ctx.logs.next(`large-heap-${variant.mb}`);
      const spec = spawnSpec(variant, [LONG_GAPS, String(LARGE_HEAP_SECONDS), String(LONG_MS)], { TRIPOD_LOG: log });
      const r = await runProcess(spec.file, spec.args, { env: spec.env, cwd: ctx.repoRoot, timeoutMs: LARGE_HEAP_SECONDS * 4000 + 120_000 });
      ctx.logs.remove(log);
      const reason = failureReason(r);
      if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
      const out = lastJsonLine(r.stdout);
      if (!out || !Array.isArray(out.gaps)) return { ok: false, error: 'no {"gaps":[...]} line on stdout', stderrTail: r.stderrTail };
      return { ok: true, ...out };
    },
  });
}

function renderLargeHeap(results) {
  const rows = results.map((entry) => {
    const ok = entry.runs.filter((r) => r.ok);
    const gaps = ok.flatMap((r) => r.gaps.map(([, ms]) => ms));
    return [
      entry.variant.name,
      report.runCount(entry, ok),
      ok.map((r) => r.gaps.map(([at, ms]) => `${report.num(ms, 0)}@${report.num(at, 1)}s`).join(' ') || '—').join('; '),
      gaps.length ? report.num(max(gaps), 1) : '—',
      report.num(median(ok.map((r) => r.share)), 2),
    ];
  });
  return [
    `## profile: restarts on a large heap, ${LARGE_HEAP_SECONDS} s tight loop (stops over ${LONG_MS} ms)`,
    report.table(['variant', 'runs', `each run's stops over ${LONG_MS} ms (ms@s from the loop's start)`, 'longest', 'share of the run in those stops, median %'], rows),
    'A restart\'s cost sets when the next collection comes (src/profile/recorder.ts nextFlushMs): every 5 s while cheap, later as it grows, at most 60 s apart; the last stop is the collection at exit.',
    report.variantCommands(results, [LONG_GAPS, String(LARGE_HEAP_SECONDS), String(LONG_MS)]),
    report.failureNotes(results),
  ]
    .filter(Boolean)
    .join('\n\n');
}

async function run(ctx) {
  const data = {};
  data.gaps = await measureFlushGaps(ctx);
  data.largeHeap = await measureLargeHeapGaps(ctx);
  for (const workload of WORKLOADS) {
    const variants = profileVariants(ctx);
    data[workload.name] = {
      scriptArgs: workload.scriptArgs(ctx),
      results: await interleave({
        suite: `profile-${workload.name}`,
        runs: ctx.runs,
        variants,
        progress: ctx.progress,
        describe: (r) => `${report.int(workload.pick(r))} ${workload.unit}${Number.isFinite(r.rateHz) ? `, ${report.num(r.rateHz, 1)} samples/s` : ''}`,
        runOne: async (variant) => {
          const seen = {};
          const result = await workload.suite.runOne({ ...ctx, logs: rateReadingLogs(ctx.logs, seen) }, variant);
          return variant.rateHz && result.ok ? { ...result, rateHz: seen.rate } : result;
        },
      }),
    };
  }
  return data;
}

/** Per round, variant / `other` (both higher-is-better), then the median: how far apart two variants ran. */
function pairedRatioTo(entry, other, pick) {
  const ratios = [];
  entry.runs.forEach((run, i) => {
    const o = other.runs[i];
    if (run.ok && o && o.ok) ratios.push(pick(run) / pick(o));
  });
  return median(ratios);
}

function renderGaps(results) {
  const rows = results.map((entry) => {
    const ok = entry.runs.filter((r) => r.ok);
    const near = ok.flatMap((r) => r.near);
    const elsewhere = ok.map((r) => r.elsewhere);
    return [entry.variant.name, report.runCount(entry, ok), report.num(median(near), 1), report.num(max(near), 1), report.num(median(elsewhere), 1)];
  });
  return [
    `## profile: the main thread's longest stop within ±300 ms of each 5 s collection, ${GAPS_SECONDS} s tight loop (ms, lower is better)`,
    report.table(['variant', 'runs', 'median of the longest stops near 5 s, 10 s', 'max', 'median longest stop elsewhere'], rows),
    'Plain node shows what the machine does to the loop by itself at the same moments. `bench/workloads/flush_gaps.js` keeps gaps above 1 ms between performance.now() reads.',
    report.variantCommands(results, [GAPS, String(GAPS_SECONDS)]),
    report.failureNotes(results),
  ]
    .filter(Boolean)
    .join('\n\n');
}

function render(data) {
  return [renderGaps(data.gaps), renderLargeHeap(data.largeHeap), ...WORKLOADS.map((workload) => {
    const { scriptArgs, results } = data[workload.name];
    const cpuProf = results.find((e) => e.variant.name === 'node --cpu-prof');
    const rows = summarize(results, workload.pick, { higherIsBetter: true }).map((s) => {
      const rates = s.ok.map((r) => r.rateHz).filter(Number.isFinite);
      const rate = median(rates);
      const rateCells = s.entry.variant.rateHz
        ? [`${report.num(rate, 1)} (${report.range(min(rates), max(rates), (x) => report.num(x, 1))})`, report.signedPct((rate / s.entry.variant.rateHz - 1) * 100)]
        : ['—', '—'];
      const vsCpuProf = s.entry.variant.rateHz && cpuProf ? report.num(pairedRatioTo(s.entry, cpuProf, workload.pick), 3) : '—';
      return [
        s.entry.variant.name,
        report.runCount(s.entry, s.ok),
        report.int(s.median),
        report.range(s.min, s.max, report.int),
        report.pairedRatioCell(s),
        report.overheadCell(s),
        vsCpuProf,
        ...rateCells,
      ];
    });
    return [
      `## profile, ${workload.name} workload (${workload.unit}, higher is better)`,
      report.table(
        ['variant', 'runs', `median ${workload.unit}`, 'min – max', 'paired ratio (variant/node)', 'overhead % vs node', 'paired ratio vs node --cpu-prof', 'effective rate, samples/s (min – max)', 'rate vs requested'],
        rows,
      ),
      `${report.PAIRED_NOTE}; overhead % = throughput lost vs node. ` +
        'Ratio vs node --cpu-prof: the same per-round median against the --cpu-prof run (1 = as fast, < 1 = slower). ' +
        'Effective rate: (samples - 1) / (last sample - first sample) over the run\'s profile records.',
      report.variantCommands(results, scriptArgs),
      report.failureNotes(results),
    ]
      .filter(Boolean)
      .join('\n\n');
  })].join('\n\n');
}

module.exports = { name: 'profile', run, render };
