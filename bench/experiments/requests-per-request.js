'use strict';
// The main thread's time per request that tripod's request table adds: the diagnostics_channel events of a
// server request (start, finish) and of one outbound fetch (create, trailers) published N times with
// request-shaped objects, with the table subscribed (and, with `running`, AsyncLocalStorage entered per
// request) against the same publishes with nobody subscribed. CPU time, so a loaded machine skews it less
// than throughput. Usage: npm run build && node bench/experiments/requests-per-request.js [running] [N=200000]
const path = require('node:path');
const dc = require('node:diagnostics_channel');

const running = process.argv[2] === 'running';
const N = Number(process.argv[3] || 200_000);
const channels = ['http.server.request.start', 'http.server.response.finish', 'undici:request:create', 'undici:request:trailers'].map((name) => dc.channel(name));

function publishAll(count) {
  const [start, finish, create, trailers] = channels;
  for (let i = 0; i < count; i++) {
    const request = { method: 'GET', url: `/orders/${i}?customer=7` };
    const response = { statusCode: 200, destroyed: false };
    start.publish({ request, response, socket: {}, server: {} });
    const outbound = { method: 'GET', origin: 'http://127.0.0.1:7000', path: '/inventory?sku=1' };
    create.publish({ request: outbound });
    trailers.publish({ request: outbound, trailers: [] });
    finish.publish({ request, response, socket: {}, server: {} });
  }
}

function cpuNsPerRequest(count) {
  const before = process.cpuUsage();
  publishAll(count);
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / count;
}

// Without subscribers publish is a no-op check: the baseline, then the same with the table subscribed.
cpuNsPerRequest(N / 10);
const bare = [1, 2, 3].map(() => cpuNsPerRequest(N));
require(path.join(__dirname, '..', '..', 'dist', 'requests', 'tracker.js')).installRequestTracker({ keepQuery: false, running });
cpuNsPerRequest(N / 10);
const tracked = [1, 2, 3].map(() => cpuNsPerRequest(N));
const med = (xs) => [...xs].sort((a, b) => a - b)[1];
console.log(`${process.version} ${running ? 'table + running request' : 'table'}: ${(med(tracked) - med(bare)).toFixed(0)} ns of CPU per request (one server request and one outbound fetch; ${med(bare).toFixed(0)} ns without subscribers, ${med(tracked).toFixed(0)} ns with)`);
