#!/usr/bin/env node
// --children on a 2-worker cluster of the await-heavy HTTP server (bench/workloads/cluster_server.js) under
// load from bench/workloads/http_client.js (its own process, 32 keep-alive connections): plain node against
// `tripod -q --children` at the default 5 s interval, interleaved, ROUNDS rounds each, DURATION s of load
// after a 1 s warm-up. Prints the medians and the ratio of each pair. `npm run build` first.
// Usage: node bench/experiments/children-cluster.js [ROUNDS=5] [DURATION=8] [INTERVAL=5]
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const SERVER = path.join(ROOT, 'bench', 'workloads', 'cluster_server.js');
const CLIENT = path.join(ROOT, 'bench', 'workloads', 'http_client.js');
const [rounds = '5', duration = '8', interval = '5'] = process.argv.slice(2);
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

async function runOnce(withTripod, n) {
  const log = path.join(dir, `run-${n}.log`);
  const args = withTripod ? [TRIPOD, '-q', '--children', '--interval', interval, '--log', log, SERVER] : [SERVER];
  const { server, port } = await serve(args);
  const out = execFileSync(process.execPath, [CLIENT, String(port), duration, '32', '5000000', '1'], { encoding: 'utf8' });
  const ended = new Promise((resolve) => server.on('close', resolve));
  server.kill('SIGTERM');
  await ended;
  const result = JSON.parse(out.trim().split('\n').pop());
  if (withTripod) {
    const records = readFileSync(log, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
    result.processes = new Set(records.filter((r) => r.event === 'start').map((r) => r.pid)).size;
    result.samples = records.filter((r) => r.event === 'sample').length;
  }
  return result;
}

(async () => {
  const plain = [];
  const children = [];
  const ratios = [];
  let n = 0;
  for (let r = 0; r < Number(rounds); r++) {
    // Alternate which goes first, so a drift of the machine's speed does not favour one.
    const pair = r % 2 === 0 ? [false, true] : [true, false];
    const results = {};
    for (const withTripod of pair) results[withTripod] = await runOnce(withTripod, n++);
    plain.push(results.false);
    children.push(results.true);
    ratios.push(results.true.rps / results.false.rps);
  }
  console.log(JSON.stringify({
    node: process.version,
    interval: Number(interval),
    rounds: Number(rounds),
    plainRps: median(plain.map((x) => x.rps)),
    childrenRps: median(children.map((x) => x.rps)),
    medianRatio: +median(ratios).toFixed(4),
    ratios: ratios.map((x) => +x.toFixed(4)),
    errors: [...plain, ...children].reduce((sum, x) => sum + x.errors, 0),
    processesPerRun: children.map((x) => x.processes),
    samplesPerRun: children.map((x) => x.samples),
  }, null, 1));
})();
