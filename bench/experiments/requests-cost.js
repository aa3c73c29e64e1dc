'use strict';
// What tracking requests in flight costs the await-heavy HTTP benchmark (bench/workloads/http_server.js,
// 32 keep-alive connections from a separate client process), interleaved runs, medians:
//   node                    plain node
//   table                   + the request table (diagnostics_channel subscribers)
//   table + running         + AsyncLocalStorage naming the running request (Node 24 default; --requests before)
//   table + running + slots + the --slow slot table
//   tripod 5s               the whole runner as users run it (table, running request where default, sampler)
// Usage: npm run build && node bench/experiments/requests-cost.js [runs=5] [seconds=5] [node=this node]
const path = require('node:path');
const { runProcess, startProcess, lastJsonLine } = require('../proc.js');
const { median } = require('../stats.js');

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
  { name: 'tripod 5s', args: [TRIPOD, '-q', '--interval', '5', '--log', '/dev/null', SERVER], env: {} },
];

async function once(variant) {
  const env = { ...process.env, ...variant.env };
  for (const key of Object.keys(env)) if (key.startsWith('TRIPOD_')) delete env[key];
  const server = startProcess(node, variant.args, { env, cwd: ROOT });
  try {
    const ready = await server.waitForJson((m) => Number.isInteger(m.port), 30_000);
    if (!ready.ok) throw new Error(`${variant.name}: ${ready.error}`);
    const client = await runProcess(node, [CLIENT, String(ready.value.port), String(seconds), '32', '5000000', '1'], { env: process.env, cwd: ROOT, timeoutMs: seconds * 4000 + 30_000 });
    return lastJsonLine(client.stdout);
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
      process.stderr.write(`run ${run + 1} ${variant.name}: ${Math.round(r.rps)} req/s, p99 ${r.p99.toFixed(2)} ms\n`);
    }
  }
  const base = results.get('node');
  const baseRps = median(base.map((r) => r.rps));
  const baseP99 = median(base.map((r) => r.p99));
  console.log(`| variant (${runs} interleaved runs of ${seconds} s, ${(await runProcess(node, ['-v'], { env: process.env, cwd: ROOT, timeoutMs: 10_000 })).stdout.trim()}) | median req/s | vs node | median p99 ms | vs node |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, rs] of results) {
    const rps = median(rs.map((r) => r.rps));
    const p99 = median(rs.map((r) => r.p99));
    const pct = (v, b) => `${v >= b ? '+' : ''}${((100 * (v - b)) / b).toFixed(1)}%`;
    console.log(`| ${name} | ${Math.round(rps)} | ${pct(rps, baseRps)} | ${p99.toFixed(2)} | ${pct(p99, baseP99)} |`);
  }
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
