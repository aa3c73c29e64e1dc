'use strict';
// Await-heavy HTTP server: every request awaits its body, then a chain of 20 nested
// async calls that each await a small async step, so V8's async fast paths (and
// anything that slows them, such as async stack tracking) dominate the cost.
// Prints {"port":N} once listening on 127.0.0.1.

const http = require('node:http');

const CHAIN_DEPTH = 20;

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

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

async function handle(req, res) {
  const body = await readJson(req);
  const state = await chain({ sum: 0, trail: [] }, CHAIN_DEPTH);
  const payload = JSON.stringify({ ok: true, id: body.id, sum: state.sum, steps: state.trail.length });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    res.writeHead(500);
    res.end(String(err));
  });
});
// Longer than any run, so the client's keep-alive connections are never reaped mid-run.
server.keepAliveTimeout = 120_000;

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
