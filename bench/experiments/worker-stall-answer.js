#!/usr/bin/env node
// Can a worker's event-loop stall be seen through its inspector session alone? A worker idles 1 s, spins
// in a synchronous loop for STALL_MS (its event loop away), then idles again; the main thread's session
// (NodeWorker domain, as --threads reaches workers) sends it a trivial Runtime.evaluate every 50 ms and
// times each answer. If answers came only from the worker's event loop they would stop during the
// stall; CDP messages are served by V8 interrupts, between two JS instructions, so they do not.
// Usage: node bench/experiments/worker-stall-answer.js [STALL_MS=1500]
'use strict';
const inspector = require('node:inspector');
const { Worker, isMainThread } = require('node:worker_threads');

const STALL_MS = Number(process.argv[2] ?? 1500);

if (!isMainThread) {
  setTimeout(function stall() {
    const until = Date.now() + STALL_MS;
    while (Date.now() < until);
    setTimeout(() => {}, 1000);
  }, 1000);
  return;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const session = new inspector.Session();
session.connect();
const worker = new Worker(__filename);
const pending = new Map();
let nextId = 1;
session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
  const message = JSON.parse(params.message);
  pending.get(message.id)?.(performance.now());
});
session.on('NodeWorker.attachedToWorker', ({ params }) => {
  const started = performance.now();
  const answers = [];
  const timer = setInterval(() => {
    const id = nextId++;
    const sentAt = performance.now();
    pending.set(id, (at) => answers.push({ t: sentAt - started, ms: at - sentAt }));
    session.post('NodeWorker.sendMessageToWorker', { sessionId: params.sessionId, message: JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression: '1' } }) });
  }, 50);
  setTimeout(() => {
    clearInterval(timer);
    const inStall = answers.filter((a) => a.t > 1100 && a.t < 1000 + STALL_MS - 100).map((a) => a.ms);
    const outside = answers.filter((a) => a.t < 900 || a.t > 1000 + STALL_MS + 200).map((a) => a.ms);
    console.log(JSON.stringify({
      node: process.version,
      stallMs: STALL_MS,
      answersDuringStall: inStall.length,
      medianAnswerMsDuringStall: +median(inStall).toFixed(2),
      maxAnswerMsDuringStall: +Math.max(...inStall).toFixed(2),
      answersOutside: outside.length,
      medianAnswerMsOutside: +median(outside).toFixed(2),
    }));
    session.disconnect();
    void worker.terminate();
  }, 1000 + STALL_MS + 800);
});
session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
