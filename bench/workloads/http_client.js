'use strict';
// Load generator, run in its own process: keeps `concurrency` keep-alive requests in
// flight against 127.0.0.1:port, discards a warm-up, then measures for `duration`
// seconds (or until maxRequests). Prints {"rps","p50","p99","requests","errors"}.

// The global `performance` is a lazy getter in Node; a module binding keeps it off the hot path and the sampled stack.
const { performance } = require('node:perf_hooks');

const http = require('node:http');
const { percentile } = require('../stats.js');

const port = Number(process.argv[2]);
const durationMs = Number(process.argv[3] || 8) * 1000;
const concurrency = Number(process.argv[4] || 32);
const maxRequests = Number(process.argv[5] || 2_000_000);
const warmupMs = Number(process.argv[6] || 1) * 1000;
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_ERRORS = 100;

if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write(`bad port: ${process.argv[2]}\n`);
  process.exit(2);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const body = JSON.stringify({ id: 42, name: 'bench', items: [1, 2, 3, 4, 5] });
const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };

function request() {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/work', method: 'POST', agent, headers, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const latencies = [];
let started = 0;
let errors = 0;
let lastError = null;
let stopping = false;
let windowStart = 0;
let windowEnd = 0;

async function connection() {
  while (!stopping) {
    if (started >= maxRequests) {
      stopping = true;
      break;
    }
    started++;
    const t0 = performance.now();
    try {
      await request();
      const t1 = performance.now();
      // Only requests that both start and finish inside the window count.
      if (t0 >= windowStart && windowStart > 0 && !stopping) latencies.push(t1 - t0);
    } catch (err) {
      errors++;
      lastError = err.message;
      if (errors >= MAX_ERRORS) stopping = true;
    }
  }
  if (!windowEnd) windowEnd = performance.now();
}

async function main() {
  const begin = performance.now();
  const warmupTimer = setTimeout(() => {
    windowStart = performance.now();
  }, warmupMs);
  const stopTimer = setTimeout(() => {
    windowEnd = performance.now();
    stopping = true;
  }, warmupMs + durationMs);
  await Promise.all(Array.from({ length: concurrency }, connection));
  clearTimeout(warmupTimer);
  clearTimeout(stopTimer);
  agent.destroy();

  if (errors >= MAX_ERRORS || latencies.length === 0) {
    process.stderr.write(`client gave up: ${errors} errors, last: ${lastError}\n`);
    process.exit(1);
  }
  const seconds = (windowEnd - (windowStart || begin)) / 1000;
  const out = {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
    errors,
    seconds,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();
