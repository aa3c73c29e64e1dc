#!/usr/bin/env node
// The targets of a long-lived attach (issue 13): time from the start of an attach to a usable session
// (the first CDP answer through it) and a Runtime.evaluate round trip through it afterwards, through SIGUSR1 with the upgrade to the relay's socket (goal <= 300 ms)
// and through the preload agent (goal <= 100 ms); how long the inspector port was open (from the signal
// to the close, <= 1 s); and the start-up cost of `tripod --monitor` against the same run without it.
// Rounds interleave the routes (SIGUSR1, agent, then the start-ups of both runner variants), each against a
// fresh idle target; medians and the spread. `npm run build` first.
//   node bench/experiments/attach-upgrade.js [ROUNDS]
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const path = require('node:path');
const { withAttached } = require('../../dist/attach/session');

const ROUNDS = Number(process.argv[2] || 10);
const ROOT = path.join(__dirname, '..', '..');
const AGENT = path.join(ROOT, 'dist', 'attach', 'agent.js');
const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
const IDLE = 'setInterval(() => {}, 1000); process.stdout.write(`ready ${process.pid}\\n`)';
const EXITS = path.join(require('node:os').tmpdir(), `tripod-bench-exits-${process.pid}.js`);

function target(args) {
  const child = spawn(process.execPath, [...args, '-e', IDLE], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve) => child.stdout.once('data', () => resolve(child)));
}

/** ms from the start of withAttached to the answer of a first Runtime.evaluate through the session. */
async function attachOnce(args) {
  const child = await target(args);
  // Let the target settle (the agent's socket is listening as soon as it printed).
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = performance.now();
  const result = await withAttached(
    child.pid,
    1000,
    async ({ attachment }) => {
      await attachment.main.post('Runtime.evaluate', { expression: '1 + 1' });
      const usableMs = performance.now() - started;
      const trips = [];
      for (let i = 0; i < 20; i++) {
        const sent = performance.now();
        await attachment.main.post('Runtime.evaluate', { expression: '1 + 1' });
        trips.push(performance.now() - sent);
      }
      return { usableMs, roundTripMs: median(trips), route: attachment.route, portOpenMs: attachment.upgrade?.portOpenMs };
    },
    undefined,
    { longLived: true },
  );
  child.kill('SIGKILL');
  return result;
}

function startupMs(extra) {
  const started = performance.now();
  execFileSync(process.execPath, [TRIPOD, ...extra, '-q', EXITS], { stdio: 'ignore' });
  return performance.now() - started;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const spread = (xs) => [Math.min(...xs), Math.max(...xs)].map((x) => +x.toFixed(1));

(async () => {
  require('node:fs').writeFileSync(EXITS, '// exits at once: what a runner variant costs to start\n');
  const signal = [];
  const portOpen = [];
  const agent = [];
  const relayTrip = [];
  const agentTrip = [];
  const plainStart = [];
  const monitorStart = [];
  for (let round = 0; round < ROUNDS; round++) {
    const viaSignal = await attachOnce(['--inspect-port=0']);
    if (viaSignal.route !== 'signal' || viaSignal.portOpenMs === undefined) throw new Error(`not upgraded: ${JSON.stringify(viaSignal)}`);
    signal.push(viaSignal.usableMs);
    portOpen.push(viaSignal.portOpenMs);
    relayTrip.push(viaSignal.roundTripMs);
    const viaAgent = await attachOnce(['--require', AGENT]);
    if (viaAgent.route !== 'agent') throw new Error(`not through the agent: ${JSON.stringify(viaAgent)}`);
    agent.push(viaAgent.usableMs);
    agentTrip.push(viaAgent.roundTripMs);
    plainStart.push(startupMs([]));
    monitorStart.push(startupMs(['--monitor']));
  }
  require('node:fs').unlinkSync(EXITS);
  const paired = plainStart.map((plain, i) => monitorStart[i] - plain);
  const loadavg = require('node:os').loadavg().map((x) => +x.toFixed(1));
  console.log(
    JSON.stringify({
      node: process.version,
      rounds: ROUNDS,
      loadavg,
      signalToUsableMs: { median: +median(signal).toFixed(1), range: spread(signal) },
      portOpenMs: { median: +median(portOpen).toFixed(1), range: spread(portOpen) },
      agentToUsableMs: { median: +median(agent).toFixed(1), range: spread(agent) },
      roundTripMs: { relay: +median(relayTrip).toFixed(2), agent: +median(agentTrip).toFixed(2) },
      runnerStartMs: { plain: +median(plainStart).toFixed(1), monitor: +median(monitorStart).toFixed(1), pairedDelta: +median(paired).toFixed(1) },
    }),
  );
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
