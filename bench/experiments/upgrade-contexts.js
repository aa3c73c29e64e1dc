#!/usr/bin/env node
// The execution contexts a target reached through SIGUSR1 shows a WebSocket session (issue 13: Node 24's
// "Cannot find context with specified id" during the upgrade, not reproduced since): starts
// `NODE --inspect-port=0 -e IDLE`, signals it, connects to /json's WebSocket as soon as Node prints it,
// evaluates `this` at once and every 50 ms for 1.5 s with Runtime.enable on, and prints every
// Runtime.executionContext* event and every change of the context part of the objectIds.
// Measured 2026-12-02 (Node 20.20.2, 24.22.3): one context (id 1) throughout, one executionContextCreated.
//   node bench/experiments/upgrade-contexts.js NODE
const { spawn } = require('node:child_process');
const http = require('node:http');
const WebSocket = require('ws');
const child = spawn(process.argv[2], ['--inspect-port=0', '-e', 'setInterval(() => {}, 1000); process.stdout.write("ready\\n")'], { stdio: ['ignore', 'pipe', 'pipe'] });
let err = '';
child.stderr.on('data', (d) => (err += d));
child.stdout.once('data', () => {
  process.kill(child.pid, 'SIGUSR1');
  const t0 = performance.now();
  const poll = setInterval(() => {
    const m = /ws:\/\/127\.0\.0\.1:(\d+)\/([\w-]+)/.exec(err);
    if (!m) return;
    clearInterval(poll);
    const ws = new WebSocket(`ws://127.0.0.1:${m[1]}/${m[2]}`);
    let id = 0;
    const send = (method, params = {}) => ws.send(JSON.stringify({ id: ++id, method, params }));
    ws.on('open', () => {
      send('Runtime.evaluate', { expression: 'this' });
      send('Runtime.enable');
      let n = 0;
      const again = setInterval(() => { send('Runtime.evaluate', { expression: 'this' }); if (++n > 30) { clearInterval(again); setTimeout(() => { child.kill(); process.exit(0); }, 100); } }, 50);
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(data);
      const at = (performance.now() - t0).toFixed(0);
      if (msg.method) console.log(at, msg.method, JSON.stringify(msg.params.context ?? msg.params).slice(0, 120));
      else if (msg.result?.result?.objectId) { const ctx = msg.result.result.objectId.split('.')[1]; if (ctx !== globalThis.lastCtx) console.log(at, 'objectId context', ctx); globalThis.lastCtx = ctx; }
      else if (msg.error) console.log(at, 'ERROR', msg.error.message);
    });
  }, 5);
});
