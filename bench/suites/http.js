'use strict';
const path = require('node:path');
const { runProcess, startProcess, failureReason, lastJsonLine } = require('../proc.js');
const { throughputVariants, spawnSpec, baseEnv } = require('../variants.js');
const { interleave } = require('../interleave.js');
const { summarize } = require('../compare.js');
const { median } = require('../stats.js');
const report = require('../report.js');

const SERVER = path.join(__dirname, '..', 'workloads', 'http_server.js');
const CLIENT = path.join(__dirname, '..', 'workloads', 'http_client.js');
const CONCURRENCY = 32;
const MAX_REQUESTS = 5_000_000;
const WARMUP_S = 1;
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

async function runOne(ctx, variant) {
  const log = ctx.logs.next(`http-${variant.name}`);
  const spec = spawnSpec(variant, [SERVER], { TRIPOD_LOG: log });
  const server = startProcess(spec.file, spec.args, { env: spec.env, cwd: ctx.repoRoot });
  let result;
  try {
    const ready = await server.waitForJson((m) => Number.isInteger(m.port), READY_TIMEOUT_MS);
    if (!ready.ok) {
      result = { ok: false, error: `server not ready: ${ready.error}`, stderrTail: server.stderrTail() };
    } else {
      const clientArgs = [CLIENT, String(ready.value.port), String(ctx.duration), String(CONCURRENCY), String(MAX_REQUESTS), String(WARMUP_S)];
      const c = await runProcess(ctx.node, clientArgs, {
        env: baseEnv(),
        cwd: ctx.repoRoot,
        timeoutMs: (ctx.duration + WARMUP_S) * 2000 + 30_000,
      });
      const out = lastJsonLine(c.stdout);
      const reason = failureReason(c);
      if (server.hasExited()) {
        result = { ok: false, error: 'server exited during the run', stderrTail: server.stderrTail() };
      } else if (reason || !out || !Number.isFinite(out.rps)) {
        result = { ok: false, error: `client: ${reason || 'no result line'}`, stderrTail: c.stderrTail };
      } else {
        result = { ok: true, rps: out.rps, p50: out.p50, p99: out.p99, requests: out.requests, errors: out.errors };
      }
    }
  } finally {
    const stopped = await server.stop(STOP_GRACE_MS);
    if (result && stopped.forced) result.note = 'server ignored SIGTERM, needed SIGKILL';
    ctx.logs.remove(log);
  }
  return result;
}

async function run(ctx) {
  const results = await interleave({
    suite: 'http',
    runs: ctx.runs,
    variants: throughputVariants(ctx),
    progress: ctx.progress,
    describe: (r) =>
      `${report.int(r.rps)} req/s, p50 ${report.num(r.p50)} ms, p99 ${report.num(r.p99)} ms${r.errors ? `, ${r.errors} errors` : ''}${r.note ? ` (${r.note})` : ''}`,
    runOne: (variant) => runOne(ctx, variant),
  });
  return { scriptArgs: [SERVER], results };
}

function render({ scriptArgs, results }, ctx) {
  const rows = summarize(results, (r) => r.rps, { higherIsBetter: true }).map((s) => [
    ...report.throughputCells(s),
    report.num(median(s.ok.map((r) => r.p50))),
    report.num(median(s.ok.map((r) => r.p99))),
    s.ok.length ? String(s.ok.reduce((n, r) => n + r.errors, 0)) : report.NA,
  ]);
  const notes = results.flatMap(({ variant, runs }) => {
    const forced = runs.filter((r) => r.note).length;
    return forced ? [`- ${variant.name}: ${forced} run(s): server ignored SIGTERM, needed SIGKILL.`] : [];
  });
  return report.section([
    `## http: await-heavy server, ${CONCURRENCY} keep-alive connections from a separate client process, ${ctx.duration} s per run after ${WARMUP_S} s warm-up (req/s, higher is better)`,
    report.table(
      ['variant', 'runs', 'median req/s', 'min – max', 'ratio of medians (variant/node)', 'paired ratio', 'overhead %', 'p50 ms', 'p99 ms', 'errors'],
      rows,
    ),
    `${report.PAIRED_NOTE}; overhead % = throughput lost vs node, from the paired ratio. ` +
      "p50/p99 are medians over runs of each run's client-side latency percentiles.",
    report.variantCommands(results, scriptArgs),
    notes.join('\n'),
    report.failureNotes(results),
  ]);
}

module.exports = { name: 'http', run, render, runOne, SERVER };
