#!/usr/bin/env node
// tripod monitor's costs, measured on real processes through the agent:
//  1. the time from `tripod monitor PID` to its first prompt (the banner), ROUNDS runs;
//  2. the round trips of main, who and eval 1+1 (their wallMs in --json), 30 each, on a process that loaded
//     MODULES CommonJS modules; the first who of the session (finding the module's scope) is given apart;
//  3. an HTTP server (await-heavy handler) under a load generator, LOAD_S seconds a run, interleaved:
//     no session, a session that sends nothing, a session that sends one mainwhoall a second; ROUNDS
//     rounds; requests/s medians and the paired ratios against no session.
// `npx tsc -p tsconfig.json` first. Usage: node bench/experiments/monitor-roundtrip.js [ROUNDS=5] [MODULES=1000] [LOAD_S=8]
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, mkdirSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const AGENT = path.join(ROOT, 'dist', 'attach', 'agent.js');
const [rounds = '5', modules = '1000', loadSeconds = '8'] = process.argv.slice(2);
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const p = (xs, q) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const round = (x) => Math.round(x * 10) / 10;

function makeApp(count) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tripod-monitor-bench-'));
  mkdirSync(path.join(dir, 'lib'));
  for (let i = 0; i < count; i++) {
    writeFileSync(path.join(dir, 'lib', `mod${i}.js`), `const table${i} = new Map([['k', ${i}]]);\nlet uses = 0;\nfunction use${i}(x) { uses++; return table${i}.get('k') + x; }\nmodule.exports = { use${i} };\n`);
  }
  const requires = Array.from({ length: count }, (_, i) => `require('./lib/mod${i}.js');`).join('\n');
  writeFileSync(path.join(dir, 'idle.js'), `${requires}\nsetInterval(() => {}, 1000);\nprocess.stdout.write('ready\\n');\n`);
  writeFileSync(
    path.join(dir, 'server.js'),
    `const http = require('node:http');\nconst step = () => new Promise((resolve) => setImmediate(resolve));\nconst server = http.createServer(async (req, res) => { let n = 0; for (let i = 0; i < 20; i++) { await step(); n += i; } res.end(String(n)); });\nserver.listen(0, '127.0.0.1', () => process.stdout.write('ready ' + server.address().port + '\\n'));\n`,
  );
  return dir;
}

function startTarget(script) {
  const child = spawn(process.execPath, ['--require', AGENT, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const ready = /ready ?(\d*)/.exec(out);
      if (ready) resolve({ child, port: Number(ready[1]) });
    });
  });
}

/** Milliseconds from the spawn of tripod monitor to its banner (the moment the first prompt would show). */
function firstPrompt(pid) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [TRIPOD, 'monitor', String(pid)], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.stderr.once('data', () => {
      resolve(performance.now() - started);
      child.stdin.end('quit\n');
    });
  });
}

function roundTrips(pid, who) {
  const lines = [];
  for (let i = 0; i < 30; i++) lines.push('main', who, 'eval 1+1');
  const run = spawnSync(process.execPath, [TRIPOD, 'monitor', '--json', String(pid), ...lines.flatMap((l) => ['-e', l])], { encoding: 'utf8' });
  const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  const failed = results.find((r) => !r.ok);
  if (failed) throw new Error(`${failed.command}: ${failed.error}`);
  const of = (command) => results.filter((r) => r.command === command);
  const firstWho = of(who)[0];
  const summary = (command, skipFirst) => {
    const rows = of(command).slice(skipFirst ? 1 : 0);
    return { wallP50: round(median(rows.map((r) => r.wallMs))), wallP90: round(p(rows.map((r) => r.wallMs), 0.9)), stoppedP50: round(median(rows.map((r) => r.stoppedMs ?? 0))) };
  };
  return { main: summary('main'), whoFirst: { wallMs: round(firstWho.wallMs), stoppedMs: round(firstWho.stoppedMs ?? 0) }, whoCached: summary(who, true), eval: summary('eval 1+1') };
}

/** Requests answered in `seconds` by 8 concurrent keep-alive clients. */
async function load(port, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  let answered = 0;
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < until) {
      await new Promise((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, agent }, (res) => {
          res.resume();
          res.on('end', () => (answered++, resolve()));
        });
        req.on('error', () => (errors++, resolve()));
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, client));
  agent.destroy();
  return { rate: answered / seconds, errors };
}

async function withSession(pid, port, seconds, everySecond) {
  const session = spawn(process.execPath, [TRIPOD, 'monitor', '--json', String(pid)], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  session.stdout.on('data', (chunk) => (out += chunk));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const ticker = setInterval(() => everySecond && session.stdin.write(`${everySecond}\n`), 1000);
  const result = await load(port, seconds);
  clearInterval(ticker);
  session.stdin.end('quit\n');
  await new Promise((resolve) => session.on('close', resolve));
  const stops = out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((r) => r.command === 'mainwhoall').map((r) => r.stoppedMs ?? 0);
  return { ...result, stops };
}

(async () => {
  const dir = makeApp(Number(modules));
  const idle = await startTarget(path.join(dir, 'idle.js'));
  const prompts = [];
  for (let i = 0; i < Number(rounds); i++) prompts.push(await firstPrompt(idle.child.pid));
  const trips = roundTrips(idle.child.pid, `who mod${Math.floor(Number(modules) / 2)}.js`);
  idle.child.kill();
  const server = await startTarget(path.join(dir, 'server.js'));
  const plain = [];
  const idleSession = [];
  const monitored = [];
  const errors = [];
  const stops = [];
  for (let r = 0; r < Number(rounds); r++) {
    const a = await load(server.port, Number(loadSeconds));
    const b = await withSession(server.child.pid, server.port, Number(loadSeconds), '');
    const c = await withSession(server.child.pid, server.port, Number(loadSeconds), 'mainwhoall');
    plain.push(a.rate);
    idleSession.push(b.rate);
    monitored.push(c.rate);
    stops.push(...c.stops);
    errors.push(a.errors + b.errors + c.errors);
  }
  server.child.kill();
  const paired = (rates) => Math.round(median(rates.map((rate, i) => rate / plain[i])) * 10000) / 10000;
  console.log(JSON.stringify({
    node: process.version,
    modules: Number(modules),
    firstPromptMs: { p50: round(median(prompts)), runs: prompts.map(round) },
    roundTripsMs: trips,
    http: {
      plainRps: round(median(plain)),
      idleSessionRps: round(median(idleSession)),
      mainwhoallEverySecondRps: round(median(monitored)),
      pairedRatioIdleSession: paired(idleSession),
      pairedRatioMainwhoall: paired(monitored),
      rounds: { plain: plain.map(round), idleSession: idleSession.map(round), mainwhoall: monitored.map(round) },
      errors: errors.reduce((a, b) => a + b, 0),
      mainwhoallStoppedMs: { p50: round(median(stops)), p90: round(p(stops, 0.9)), count: stops.length },
    },
  }, null, 1));
})();
