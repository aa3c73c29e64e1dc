'use strict';
// What tracking requests in flight costs the await-heavy HTTP benchmark (bench/workloads/http_server.js,
// 32 keep-alive connections from a separate client process), interleaved runs, medians:
//   node                    plain node
//   table                   + the request table (diagnostics_channel subscribers)
//   table + running         + AsyncLocalStorage naming the running request (Node 24 default; --requests before)
//   table + running + slots + the --slow slot table
//   table + running + async stacks  + --async-stacks' promise hook (each request's awaits kept)
//   tripod 5s               the whole runner as users run it (table, running request where default, sampler)
//   tripod 5s --async-stacks  the same with --async-stacks
// Usage: npm run build && node bench/experiments/requests-cost.js [runs=5] [seconds=5] [node=this node]
// REQUESTS_VARIANTS='node,tripod 5s' runs only those (always with node first, the base of the ratios).
const path = require('node:path');
const { runProcess, startProcess, lastJsonLine } = require('../proc.js');
const { readFileSync } = require('node:fs');
const { median } = require('../stats.js');

/** The process's CPU time so far, in µs (utime + stime from /proc, in clock ticks of 10 ms). */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const ROOT = path.join(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'bench', 'workloads', 'http_server.js');
const CLIENT = path.join(ROOT, 'bench', 'workloads', 'http_client.js');
const PRELOAD = path.join(__dirname, 'request-tracker.js');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const runs = Number(process.argv[2] || 5);
const seconds = Number(process.argv[3] || 5);
const node = process.argv[4] || process.execPath;

const variants = [
  { name: 'node', args: [SERVER], env: {} },
  { name: 'table', args: ['--require', PRELOAD, SERVER], env: {} },
  { name: 'table + running', args: ['--require', PRELOAD, SERVER], env: { REQUESTS_RUNNING: '1' } },
  { name: 'table + running + slots', args: ['--require', PRELOAD, SERVER], env: { REQUESTS_RUNNING: '1', REQUESTS_SLOW: '1' } },
  { name: 'table + running + async stacks', args: ['--require', PRELOAD, SERVER], env: { REQUESTS_RUNNING: '1', REQUESTS_ASYNC_STACKS: '1' } },
  { name: 'tripod 5s', args: [TRIPOD, '-q', '--interval', '5', '--log', '/dev/null', SERVER], env: {} },
  { name: 'tripod 5s --async-stacks', args: [TRIPOD, '-q', '--interval', '5', '--async-stacks', '--log', '/dev/null', SERVER], env: {} },
].filter((v) => !process.env.REQUESTS_VARIANTS || v.name === 'node' || process.env.REQUESTS_VARIANTS.split(',').includes(v.name));

async function once(variant) {
  const env = { ...process.env, ...variant.env };
  for (const key of Object.keys(env)) if (key.startsWith('TRIPOD_')) delete env[key];
  const server = startProcess(node, variant.args, { env, cwd: ROOT });
  try {
    const ready = await server.waitForJson((m) => Number.isInteger(m.port), 30_000);
    if (!ready.ok) throw new Error(`${variant.name}: ${ready.error}`);
    const cpuBefore = cpuMicros(server.pid());
    const client = await runProcess(node, [CLIENT, String(ready.value.port), String(seconds), '32', '5000000', '1'], { env: process.env, cwd: ROOT, timeoutMs: seconds * 4000 + 30_000 });
    const result = lastJsonLine(client.stdout);
    // The server's CPU per request answered: a loaded machine skews it less than req/s.
    return { ...result, cpuPerRequest: (cpuMicros(server.pid()) - cpuBefore) / result.requests };
  } finally {
    await server.stop(5000);
  }
}

(async () => {
  const results = new Map(variants.map((v) => [v.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const variant of variants) {
      const r = await once(variant);
      results.get(variant.name).push(r);
      process.stderr.write(`run ${run + 1} ${variant.name}: ${Math.round(r.rps)} req/s, p99 ${r.p99.toFixed(2)} ms, ${r.cpuPerRequest.toFixed(1)} µs CPU/request\n`);
    }
  }
  const base = results.get('node');
  const baseRps = median(base.map((r) => r.rps));
  const baseP99 = median(base.map((r) => r.p99));
  const baseCpu = median(base.map((r) => r.cpuPerRequest));
  console.log(`| variant (${runs} interleaved runs of ${seconds} s, ${(await runProcess(node, ['-v'], { env: process.env, cwd: ROOT, timeoutMs: 10_000 })).stdout.trim()}) | median req/s | vs node | median p99 ms | vs node | server CPU µs/request | vs node |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, rs] of results) {
    const rps = median(rs.map((r) => r.rps));
    const p99 = median(rs.map((r) => r.p99));
    const pct = (v, b) => `${v >= b ? '+' : ''}${((100 * (v - b)) / b).toFixed(1)}%`;
    const cpu = median(rs.map((r) => r.cpuPerRequest));
    console.log(`| ${name} | ${Math.round(rps)} | ${pct(rps, baseRps)} | ${p99.toFixed(2)} | ${pct(p99, baseP99)} | ${cpu.toFixed(1)} | ${pct(cpu, baseCpu)} |`);
  }
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
