'use strict';
// What --async-stacks' promise hook costs per request of the await-heavy benchmark's handler, in CPU time (a
// loaded machine skews CPU time less than throughput): each request publishes its diagnostics_channel start
// (the tracker enters its AsyncLocalStorage there), runs bench/workloads/http_server.js's chain — 20 nested
// async calls that each await a small async step, 43 promises with a parent — and publishes its finish.
// Variants, each in a fresh process, interleaved run by run, medians:
//   node            no tracker
//   running         the table + the running request's AsyncLocalStorage (Node 24's default, --requests before)
//   async stacks    the same + --async-stacks (the promise hook keeps each request's awaits)
// Usage: npm run build && node bench/experiments/async-stacks-per-request.js [runs=7] [requests=20000] [node=this node]
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const VARIANTS = ['node', 'running', 'async stacks'];

if (process.argv[2] === '--variant') measure(process.argv[3], Number(process.argv[4]));
else drive(Number(process.argv[2] || 7), Number(process.argv[3] || 20_000), process.argv[4] || process.execPath);

function measure(variant, count) {
  const dc = require('node:diagnostics_channel');
  if (variant !== 'node') {
    require(path.join(__dirname, '..', '..', 'dist', 'requests', 'tracker.js')).installRequestTracker({ keepQuery: false, running: true, ...(variant === 'async stacks' ? { asyncStacks: true } : {}) });
  }
  const start = dc.channel('http.server.request.start');
  const finish = dc.channel('http.server.response.finish');
  async function step(state, depth) {
    state.sum += (depth * 31) % 7;
    return state.sum;
  }
  async function chain(state, depth) {
    if (depth === 0) return state;
    await step(state, depth);
    state.trail.push(depth);
    return await chain(state, depth - 1);
  }
  async function oneRequest(i) {
    const request = { method: 'POST', url: `/orders/${i}` };
    const response = { statusCode: 200, destroyed: false };
    // The handler runs in the turn of the start event, as Node emits 'request' right after publishing it.
    start.publish({ request, response, socket: {}, server: {} });
    await chain({ sum: 0, trail: [] }, 20);
    finish.publish({ request, response, socket: {}, server: {} });
  }
  (async () => {
    for (let i = 0; i < count / 10; i++) await oneRequest(i);
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) await oneRequest(i);
    const used = process.cpuUsage(before);
    process.stdout.write(`${((used.user + used.system) * 1000) / count}\n`);
  })();
}

function drive(runs, count, node) {
  const results = new Map(VARIANTS.map((v) => [v, []]));
  for (let run = 0; run < runs; run++) {
    for (const variant of VARIANTS) {
      const ns = Number(execFileSync(node, [__filename, '--variant', variant, String(count)], { encoding: 'utf8' }).trim());
      results.get(variant).push(ns);
      process.stderr.write(`run ${run + 1} ${variant}: ${(ns / 1000).toFixed(2)} µs\n`);
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const base = median(results.get('node'));
  const version = execFileSync(node, ['-v'], { encoding: 'utf8' }).trim();
  console.log(`| variant (${version}, ${runs} interleaved runs of ${count} requests) | median µs of CPU per request | added vs node |`);
  console.log('| --- | --- | --- |');
  for (const [variant, list] of results) {
    const m = median(list);
    console.log(`| ${variant} | ${(m / 1000).toFixed(2)} | ${variant === 'node' ? '' : `+${((m - base) / 1000).toFixed(2)} µs`} |`);
  }
}
