'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { runProcess, failureReason } = require('../proc.js');
const { baseEnv } = require('../variants.js');
const { interleave } = require('../interleave.js');
const { okRuns } = require('../interleave.js');
const { median, min, max } = require('../stats.js');
const report = require('../report.js');

/*
 * How fast `tripod report` folds a large log, and in how much memory. The logs are
 * made here: a real --profile run of a workload with many distinct stacks gives
 * the records, which are repeated (times shifted, one record per second) up to the
 * sample count. Memory grows with distinct stacks, not samples: the "varied" log
 * renames its functions in 100 ways across the repeats, for 100 times the stacks.
 */
const TARGET_SAMPLES = 1_000_000;
const WORKLOAD = path.join(__dirname, '..', 'workloads', 'many_stacks.js');
const MAXRSS = path.join(__dirname, '..', 'workloads', 'print_maxrss.js');

const TEMPLATE_SECONDS = 10;
const LOGS = [
  { name: 'repeated', variety: 1 },
  { name: 'varied', variety: 100 },
];

async function recordTemplate(ctx) {
  const template = ctx.logs.next('report-template');
  const r = await runProcess(ctx.node, [ctx.tripod, '-q', '--profile', '--rate', '100', '--interval', '0', '--log', template, WORKLOAD, String(TEMPLATE_SECONDS)], {
    env: baseEnv(),
    cwd: ctx.repoRoot,
    timeoutMs: 120_000,
  });
  const reason = failureReason(r);
  if (reason) throw new Error(`template run failed: ${reason}\n${r.stderrTail}`);
  const lines = fs.readFileSync(template, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  ctx.logs.remove(template);
  const start = lines.find((l) => l.event === 'start');
  const profiles = lines.filter((l) => l.event === 'profile' && l.samples > 50);
  if (!profiles.length) throw new Error('the template run wrote no full profile record');
  return { start, profiles };
}

function makeLog(ctx, { start, profiles }, { name, variety }) {
  const file = ctx.logs.next(`report-1M-${name}`);
  const renamed = (frames, k) => (k === 0 ? frames : frames.map(([fn, ...where]) => [`${fn}_${k}`, ...where]));
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, `${JSON.stringify(start)}\n`);
  let samples = 0;
  let seq = 0;
  const base = profiles[0].from;
  let chunk = '';
  while (samples < TARGET_SAMPLES) {
    const r = profiles[seq % profiles.length];
    const shift = seq * 1000 + base - r.from;
    seq += 1;
    samples += r.samples;
    const frames = renamed(r.frames, seq % variety);
    chunk += `${JSON.stringify({ ...r, seq, frames, from: r.from + shift, to: r.to + shift, time: Math.round(r.to + shift) })}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, `${chunk}${JSON.stringify({ level: 30, time: Date.now(), pid: start.pid, event: 'end', exitCode: 0, samples: 0, profileSamples: samples, msg: 'end' })}\n`);
  fs.closeSync(fd);
  return { name, file, samples, records: seq, bytes: fs.statSync(file).size };
}

const FORMATS = [
  { name: 'table', args: [] },
  { name: 'svg', args: ['--format', 'svg'] },
  { name: 'pprof', args: ['--format', 'pprof'] },
  { name: 'cpuprofile', args: ['--format', 'cpuprofile'] },
];

async function run(ctx) {
  ctx.progress(`[report] recording a ${TEMPLATE_SECONDS} s template profile`);
  const template = await recordTemplate(ctx);
  const logs = LOGS.map((spec) => makeLog(ctx, template, spec));
  for (const log of logs) ctx.progress(`[report] ${log.name} log: ${log.samples} samples, ${log.records} records, ${(log.bytes / 1048576).toFixed(1)} MB`);
  const variants = logs.flatMap((log) =>
    FORMATS.map((f) => ({ name: `${log.name} log, --format ${f.name}`, log, cmd: [ctx.node, '--require', MAXRSS, ctx.tripod, 'report', ...f.args, log.file], env: {} })),
  );
  const results = await interleave({
    suite: 'report',
    runs: ctx.runs,
    variants,
    progress: ctx.progress,
    describe: (r) => `${report.num(r.wallMs / 1000, 2)} s, ${report.int(r.samplesPerSecond)} samples/s, peak RSS ${report.int(r.maxRssMiB)} MiB`,
    runOne: async (variant) => {
      const out = `${variant.log.file}.out`;
      const r = await runProcess(variant.cmd[0], [...variant.cmd.slice(1), '-o', out], { env: baseEnv(), cwd: ctx.repoRoot, timeoutMs: 600_000 });
      fs.rmSync(out, { force: true });
      const reason = failureReason(r);
      if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
      const rss = /\{"maxRssKiB":(\d+)\}/.exec(r.stderrTail);
      if (!rss) return { ok: false, error: 'no peak memory line on stderr', stderrTail: r.stderrTail };
      return { ok: true, wallMs: r.wallMs, samplesPerSecond: variant.log.samples / (r.wallMs / 1000), maxRssMiB: Number(rss[1]) / 1024 };
    },
  });
  for (const log of logs) ctx.logs.remove(log.file);
  return { logs: logs.map(({ name, samples, records, bytes }) => ({ name, samples, records, bytes })), results };
}

function render({ logs, results }) {
  const rows = results.map((entry) => {
    const ok = okRuns(entry);
    const rates = ok.map((r) => r.samplesPerSecond);
    const rss = ok.map((r) => r.maxRssMiB);
    return [
      entry.variant.name,
      report.runCount(entry, ok),
      report.num(median(ok.map((r) => r.wallMs / 1000)), 2),
      report.int(median(rates)),
      report.range(min(rates), max(rates), report.int),
      report.int(median(rss)),
      report.int(max(rss)),
    ];
  });
  return [
    `## report: \`tripod report\` on logs of ${logs[0].samples.toLocaleString('en-US')} samples`,
    logs.map((log) => `- ${log.name}: ${log.samples.toLocaleString('en-US')} samples in ${log.records.toLocaleString('en-US')} profile records, ${(log.bytes / 1048576).toFixed(1)} MB`).join('\n'),
    report.table(['command', 'runs', 'median wall s', 'median samples/s', 'min – max samples/s', 'median peak RSS MiB', 'max peak RSS MiB'], rows),
    'Wall time is spawn to exit of the whole CLI (Node start-up included), writing to a file with -o. ' +
      'Peak RSS is process.resourceUsage().maxRSS at exit, printed by a --require preload. ' +
      `Both logs repeat the profile records of \`tripod --profile --rate 100 --interval 0 bench/workloads/many_stacks.js ${TEMPLATE_SECONDS}\` ` +
      '(random call chains 2–20 deep, so most samples have a stack of their own), one record per second; ' +
      'the varied log renames every function in 100 ways across the repeats (fn_1 … fn_99), for 100 times the distinct stacks.',
    report.failureNotes(results),
  ]
    .filter(Boolean)
    .join('\n\n');
}

module.exports = { name: 'report', run, render };
