#!/usr/bin/env node
// --children on a 2-worker cluster of the await-heavy HTTP server (bench/workloads/cluster_server.js) under
// load from bench/workloads/http_client.js (its own process, 32 keep-alive connections): plain node against
// `tripod -q --children` at the default 5 s interval, interleaved, ROUNDS rounds each, DURATION s of load
// after a 1 s warm-up. Prints the medians and the ratio of each pair: of throughput, and of the CPU time
// the server's processes (the primary and its workers, from /proc) spent per request over the measured
// window, which a machine loaded by other work disturbs less than throughput. `npm run build` first.
// Usage: node bench/experiments/children-cluster.js [ROUNDS=5] [DURATION=8] [INTERVAL=5] [FLAGS, e.g. --no-locals]
'use strict';
const { execFile, spawn } = require('node:child_process');
const { mkdtempSync, readdirSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const SERVER = path.join(ROOT, 'bench', 'workloads', 'cluster_server.js');
const CLIENT = path.join(ROOT, 'bench', 'workloads', 'http_client.js');
const [rounds = '5', duration = '8', interval = '5', ...flags] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'tripod-children-cluster-'));
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

function serve(args) {
  return new Promise((resolve, reject) => {
    const server = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match) resolve({ server, port: Number(match[1]) });
    });
    server.on('error', reject);
  });
}

/** CPU seconds (user + system) of a process and every descendant, from /proc. */
function treeCpuSeconds(pid) {
  let ticks = 0;
  const visit = (p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        for (const child of readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) visit(child);
      }
    } catch {}
  };
  visit(pid);
  return ticks / 100;
}

async function runOnce(withTripod, n) {
  const log = path.join(dir, `run-${n}.log`);
  const args = withTripod ? [TRIPOD, '-q', '--children', '--interval', interval, '--log', log, ...flags, SERVER] : [SERVER];
  const { server, port } = await serve(args);
  const client = new Promise((resolve, reject) =>
    execFile(process.execPath, [CLIENT, String(port), duration, '32', '5000000', '1'], { encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  // The client's 1 s warm-up, then its measured window.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpuBefore = treeCpuSeconds(server.pid);
  const out = await client;
  const cpuAfter = treeCpuSeconds(server.pid);
  const ended = new Promise((resolve) => server.on('close', resolve));
  server.kill('SIGTERM');
  await ended;
  const result = JSON.parse(out.trim().split('\n').pop());
  result.cpuMsPerKiloRequest = ((cpuAfter - cpuBefore) * 1e6) / result.requests;
  if (withTripod) {
    const records = readFileSync(log, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
    result.processes = new Set(records.filter((r) => r.event === 'start').map((r) => r.pid)).size;
    result.samples = records.filter((r) => r.event === 'sample').length;
    // What the samples stopped each worker, as tripod measured it, over the worker's life in the log.
    const workers = records.filter((r) => r.event === 'start' && r.ppid !== undefined).map((r) => r.pid);
    result.workerStopPct = workers.map((pid) => {
      const own = records.filter((r) => r.pid === pid);
      const stopped = own.filter((r) => r.event === 'sample').reduce((sum, r) => sum + (r.stoppedMs || 0), 0);
      return +((stopped / (own.at(-1).time - own[0].time)) * 100).toFixed(2);
    });
  }
  return result;
}

(async () => {
  const plain = [];
  const children = [];
  const ratios = [];
  const cpuRatios = [];
  let n = 0;
  for (let r = 0; r < Number(rounds); r++) {
    // Alternate which goes first, so a drift of the machine's speed does not favour one.
    const pair = r % 2 === 0 ? [false, true] : [true, false];
    const results = {};
    for (const withTripod of pair) results[withTripod] = await runOnce(withTripod, n++);
    plain.push(results.false);
    children.push(results.true);
    ratios.push(results.true.rps / results.false.rps);
    cpuRatios.push(results.true.cpuMsPerKiloRequest / results.false.cpuMsPerKiloRequest);
  }
  console.log(JSON.stringify({
    node: process.version,
    interval: Number(interval),
    flags,
    rounds: Number(rounds),
    plainRps: median(plain.map((x) => x.rps)),
    childrenRps: median(children.map((x) => x.rps)),
    medianRatio: +median(ratios).toFixed(4),
    ratios: ratios.map((x) => +x.toFixed(4)),
    plainCpuMsPer1000Requests: +median(plain.map((x) => x.cpuMsPerKiloRequest)).toFixed(1),
    childrenCpuMsPer1000Requests: +median(children.map((x) => x.cpuMsPerKiloRequest)).toFixed(1),
    medianCpuRatio: +median(cpuRatios).toFixed(4),
    cpuRatios: cpuRatios.map((x) => +x.toFixed(4)),
    errors: [...plain, ...children].reduce((sum, x) => sum + x.errors, 0),
    processesPerRun: children.map((x) => x.processes),
    samplesPerRun: children.map((x) => x.samples),
    workerStopPctPerRun: children.map((x) => x.workerStopPct),
  }, null, 1));
})();
