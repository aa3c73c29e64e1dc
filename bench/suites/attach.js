'use strict';
// Attach (issue 5): what `tripod dump PID` costs a running process, and what the
// dormant preload agent costs one that never uses it.
//   dump: a target that loaded 1,000 modules spins in a gap-measuring loop;
//   tripod dump PID (SIGUSR1, stack only / --locals) runs against it. Wall =
//   spawn of `tripod dump` to its exit (attach + dump + detach + tripod's own
//   start); stop = the sum of the target's gaps during that window.
//   agent: startup (empty script) and CPU throughput with and without
//   `--require tripod/agent`.
const fs = require('node:fs');
const path = require('node:path');
const { runProcess, startProcess, failureReason, lastJsonLine } = require('../proc.js');
const { agentVariants, attachVariants, spawnSpec, baseEnv } = require('../variants.js');
const { interleave, okRuns } = require('../interleave.js');
const { summarize } = require('../compare.js');
const { median, min, max } = require('../stats.js');
const report = require('../report.js');

const TARGET = path.join(__dirname, '..', 'workloads', 'attach_target.js');
const EMPTY = path.join(__dirname, '..', 'workloads', 'empty.js');
const CPU = path.join(__dirname, '..', 'workloads', 'cpu.js');
const MODULES = 1000;
const TARGET_SECONDS = 4;
const SETTLE_MS = 500;
const THRESHOLD_MS = 0.3;
/** Gaps that begin this long after tripod exits still count: the target may notice the last one late. */
const WINDOW_SLACK_MS = 50;
const MIN_STARTUP_RUNS = 10;

function writeModules(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < MODULES; i++) {
    const name = `m${String(i).padStart(4, '0')}`;
    const body = `'use strict';\nconst table = [${i}, ${i * 2}, ${i * 3}];\nfunction ${name}(x) {\n  return x + table[${i % 3}];\n}\nmodule.exports = ${name};\n`;
    fs.writeFileSync(path.join(dir, `${name}.js`), body);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function dumpOnce(ctx, variant, moduleDir) {
  const target = startProcess(ctx.node, ['--inspect-port=0', TARGET, moduleDir, String(TARGET_SECONDS), String(THRESHOLD_MS)], { env: baseEnv(), cwd: ctx.repoRoot });
  const ready = await target.waitForJson((v) => v && v.ready, 60_000);
  if (!ready.ok) return { ok: false, error: ready.error, stderrTail: target.stderrTail() };
  const pid = ready.value.ready;
  await sleep(SETTLE_MS);
  const waited = runqueueWaitMs(pid);
  const from = Date.now();
  let wallMs = null;
  let tripodMs = null;
  let failure = null;
  if (variant.args) {
    const r = await runProcess(variant.cmd[0], [...variant.cmd.slice(1), ...variant.args, String(pid)], { env: baseEnv(), cwd: ctx.repoRoot, timeoutMs: 60_000 });
    failure = failureReason(r) && { error: failureReason(r), stderrTail: r.stderrTail };
    wallMs = r.wallMs;
    tripodMs = lastJsonLine(r.stdout)?.tripodMs ?? null;
  } else await sleep(300);
  const to = Date.now() + WINDOW_SLACK_MS;
  await sleep(WINDOW_SLACK_MS);
  const preemptedMs = runqueueWaitMs(pid) - waited;
  const done = await target.waitForJson((v) => v && Array.isArray(v.gaps), TARGET_SECONDS * 1000 + 60_000);
  await target.stop(5000);
  if (failure) return { ok: false, ...failure };
  if (!done.ok) return { ok: false, error: done.error, stderrTail: target.stderrTail() };
  const inWindow = done.value.gaps.filter(([at, gap]) => at + gap >= from && at <= to).map(([, gap]) => gap);
  const gapMs = inWindow.reduce((a, b) => a + b, 0);
  return { ok: true, wallMs, tripodMs, gapMs, preemptedMs, stopMs: Math.max(0, gapMs - preemptedMs), gaps: inWindow.length, maxGapMs: max(inWindow) };
}

/**
 * Time the target's main thread spent runnable but waiting for a CPU (the
 * second field of /proc/<pid>/task/<pid>/schedstat, in ns): gaps made by other
 * processes — this shared 2-core machine's, and tripod's own start, which a
 * server with more cores would run elsewhere. Subtracted from the gaps.
 */
function runqueueWaitMs(pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return NaN;
  }
}

async function runDumps(ctx) {
  const moduleDir = path.join(ctx.logs.dir, 'modules');
  writeModules(moduleDir);
  return interleave({
    suite: 'attach',
    runs: ctx.runs,
    variants: attachVariants(ctx),
    progress: ctx.progress,
    describe: (r) =>
      `${r.wallMs === null ? 'no dump' : `${report.num(r.wallMs, 1)} ms wall, ${report.num(r.tripodMs, 1)} ms in tripod`}, gaps ${report.num(r.gapMs, 2)} ms (${r.gaps}), preempted ${report.num(r.preemptedMs, 2)} ms, stopped ${report.num(r.stopMs, 2)} ms`,
    runOne: (variant) => dumpOnce(ctx, variant, moduleDir),
  });
}

function measureAgent(ctx, suite, script, scriptArgs, runs, pick) {
  return interleave({
    suite,
    runs,
    variants: agentVariants(ctx),
    progress: ctx.progress,
    describe: (r) => (r.ops ? `${report.int(r.ops)} ops/s` : `${report.num(r.wallMs, 1)} ms`),
    runOne: async (variant) => {
      const spec = spawnSpec(variant, [script, ...scriptArgs]);
      const r = await runProcess(spec.file, spec.args, { env: spec.env, cwd: ctx.repoRoot, timeoutMs: 120_000 });
      const reason = failureReason(r);
      if (reason) return { ok: false, error: reason, stderrTail: r.stderrTail };
      return pick(r);
    },
  });
}

async function run(ctx) {
  const dumps = await runDumps(ctx);
  const startup = await measureAgent(ctx, 'attach/agent-startup', EMPTY, [], Math.max(MIN_STARTUP_RUNS, ctx.runs), (r) => ({ ok: true, wallMs: r.wallMs }));
  const cpu = await measureAgent(ctx, 'attach/agent-cpu', CPU, [String(ctx.duration)], ctx.runs, (r) => {
    const out = lastJsonLine(r.stdout);
    return out && Number.isFinite(out.ops) ? { ok: true, ops: out.ops } : { ok: false, error: 'no {"ops":...} line', stderrTail: r.stderrTail };
  });
  return { dumps, startup, cpu };
}

function renderDumps(results) {
  const rows = results.map((entry) => {
    const ok = okRuns(entry);
    const walls = ok.map((r) => r.wallMs).filter((x) => x !== null);
    const own = ok.map((r) => r.tripodMs).filter((x) => x !== null);
    const stops = ok.map((r) => r.stopMs);
    return [
      entry.variant.name,
      report.runCount(entry, ok),
      walls.length ? report.num(median(walls), 1) : report.NA,
      walls.length ? report.range(min(walls), max(walls), (x) => report.num(x, 1)) : report.NA,
      own.length ? report.num(median(own), 1) : report.NA,
      own.length ? report.range(min(own), max(own), (x) => report.num(x, 1)) : report.NA,
      report.num(median(ok.map((r) => r.gapMs)), 2),
      report.num(median(ok.map((r) => r.preemptedMs)), 2),
      report.num(median(stops), 2),
      report.range(min(stops), max(stops), (x) => report.num(x, 2)),
      report.num(median(ok.map((r) => r.maxGapMs).filter(Number.isFinite)), 2),
    ];
  });
  return [
    `## attach: tripod dump PID of a busy process that loaded ${MODULES} modules (ms, lower is better)`,
    report.table(['variant', 'runs', 'wall median', 'wall min – max', 'attach+dump+detach median', 'min – max', 'gaps total (median)', 'preempted (median)', 'main thread stopped (median)', 'stopped min – max', 'longest gap (median)'], rows),
    `wall = spawn of \`tripod dump\` to its exit: Node's and tripod's own start, SIGUSR1, /json/list, WebSocket, capture, close of the inspector; ` +
      `attach+dump+detach = the same without Node's start and the loading of tripod's code (from the CLI's main() to exit, measured in the process by tripod_timed.js). ` +
      `gaps total = sum of the target's main-thread gaps above ${THRESHOLD_MS} ms between tripod's spawn and ${WINDOW_SLACK_MS} ms after its exit; ` +
      `preempted = the part of that window the main thread spent runnable but waiting for a CPU (schedstat): other processes, not tripod; ` +
      `main thread stopped = gaps total - preempted (per run, at least 0). ` +
      `the "no attach" row is the same window with nothing attached (the machine's own noise). Each run is a fresh target (--inspect-port=0).`,
    results.map(({ variant }) => `- ${variant.name}: \`${variant.args ? report.commandLine([...variant.cmd, ...variant.args, 'PID']) : 'nothing'}\` (= \`tripod ${variant.args ? variant.args.join(' ') : ''} PID\`)`).join('\n'),
    report.failureNotes(results),
  ]
    .filter(Boolean)
    .join('\n\n');
}

function renderAgent(title, results, pick, higherIsBetter, unit, format) {
  const rows = summarize(results, pick, { higherIsBetter }).map((s) => [
    s.entry.variant.name,
    report.runCount(s.entry, s.ok),
    format(s.median),
    report.range(s.min, s.max, format),
    report.pairedRatioCell(s),
    report.overheadCell(s),
  ]);
  return [
    title,
    report.table(['variant', 'runs', `median ${unit}`, 'min – max', 'paired ratio', 'overhead %'], rows),
    report.PAIRED_NOTE,
    report.variantCommands(results, []),
    report.failureNotes(results),
  ]
    .filter(Boolean)
    .join('\n\n');
}

function render({ dumps, startup, cpu }, ctx) {
  return [
    renderDumps(dumps),
    renderAgent('## attach: dormant agent, startup of an empty script (ms, lower is better)', startup, (r) => r.wallMs, false, 'ms', (x) => report.num(x, 1)),
    renderAgent(`## attach: dormant agent, CPU-bound loop, ${ctx.duration} s per run (ops/s, higher is better)`, cpu, (r) => r.ops, true, 'ops/s', report.int),
  ].join('\n\n');
}

module.exports = { name: 'attach', run, render };
