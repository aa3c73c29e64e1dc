'use strict';
const fs = require('node:fs');
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
 * runs' logs also give the effective sampling rate.
 */
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

async function run(ctx) {
  const data = {};
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

function render(data) {
  return WORKLOADS.map((workload) => {
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
  }).join('\n\n');
}

module.exports = { name: 'profile', run, render };
