'use strict';
// The target of the heap-search experiment: a server with HANG requests that wait for an answer and a heap of
// OBJECTS small objects, then (on "go" on stdin) a tight loop that records every gap above 0.3 ms between
// consecutive clock reads for SECONDS: the main thread stopped. Prints {"ready":pid}, then {"gaps":[ms...]}.
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const HANG = Number(process.env.HANG || 50);
const OBJECTS = Number(process.env.OBJECTS || 200_000);
const SECONDS = Number(process.env.SECONDS || 12);
const heap = Array.from({ length: OBJECTS }, (_, i) => ({ i, name: `object ${i}` }));
let seen = 0;
const server = http.createServer(() => {
  if (++seen === HANG) console.log(JSON.stringify({ ready: process.pid }));
});
server.listen(0, '127.0.0.1', () => {
  for (let i = 0; i < HANG; i++) http.get(`http://127.0.0.1:${server.address().port}/hang/${i}`).on('error', () => {});
});
process.stdin.once('data', () => {
  const gaps = [];
  const start = performance.now();
  let prev = start;
  while (prev - start < SECONDS * 1000) {
    const now = performance.now();
    if (now - prev > 0.3) gaps.push(Math.round((now - prev) * 1000) / 1000);
    prev = now;
  }
  console.log(JSON.stringify({ gaps, objects: heap.length }));
  process.exit(0);
});
