'use strict';
/*
 * A run's first read of locals against the reads after it, on the main thread's own clock: the stop probe
 * (20 frames, locals in each) sampled with locals every 0.25 s, each sample's stop being the gaps inside its
 * logged window. Three programs, interleaved round by round:
 *   busy          CPU-bound from its first line (the first read pays V8's once-per-process work)
 *   1,000 modules the same after 1,000 small modules, preloaded
 *   idle first    idle for 1.2 s first (tripod has the debugger on and off once while it is idle)
 *
 *   node bench/experiments/first-read.js [rounds] [--tripod PATH] [--node PATH]
 *
 * prints, per program, the median over rounds of the first sample's stop and of each run's later median,
 * and their ratio.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const rounds = Number(args.find((a) => /^\d+$/.test(a)) || 5);
const tripod = path.resolve(flag('--tripod', path.join(__dirname, '..', '..', 'bin', 'tripod.js')));
const node = flag('--node', process.execPath);
const WORKLOADS = path.join(__dirname, '..', 'workloads');
const PROGRAMS = [
  { name: 'busy', script: 'stop_probe.js', env: {} },
  // Preloaded, so that the first read comes after them (the sampler worker runs the preload too).
  { name: '1,000 modules', script: 'stop_probe.js', preload: 'many_modules.js', seconds: 6, env: { BENCH_MODULES: '1000' } },
  { name: 'idle first', script: 'idle_then_probe.js', env: { IDLE_MS: '1200' } },
];
const SECONDS = 3;

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

/** Each running sample's stop: the probe's gaps inside the sample's window, 1 ms of slack each side. */
function stopsOf(logFile, out) {
  const samples = fs
    .readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return []; // a line cut short at exit
      }
    })
    // Samples taken while the probe's loop runs.
    .filter((r) => r.msg === 'sample' && r.state === 'running' && !r.localsSkipped && r.capturedAt >= out.startedAt);
  return samples.map(({ capturedAt, captureMs }) => {
    let total = 0;
    for (let i = 0; i < out.gaps.length; i++) if (out.gapStarts[i] + out.gaps[i] >= capturedAt - 1 && out.gapStarts[i] <= capturedAt + captureMs + 1) total += out.gaps[i];
    return total;
  });
}

function runOnce(program) {
  const log = path.join(os.tmpdir(), `tripod-first-read-${process.pid}.log`);
  fs.rmSync(log, { force: true });
  const preload = program.preload ? ['--require', path.join(WORKLOADS, program.preload)] : [];
  const stdout = execFileSync(node, [...preload, tripod, '-q', path.join(WORKLOADS, program.script), String(program.seconds ?? SECONDS), '0.3'], {
    env: { ...process.env, ...program.env, TRIPOD_LOG: log, TRIPOD_INTERVAL: '0.25', TRIPOD_LOCALS_BUDGET: '100' },
    maxBuffer: 1 << 28,
  });
  const out = JSON.parse(stdout.toString().trim().split('\n').pop());
  const stops = stopsOf(log, out);
  fs.rmSync(log, { force: true });
  return { first: stops[0], later: median(stops.slice(1)) };
}

const results = PROGRAMS.map(() => []);
for (let round = 0; round < rounds; round++) PROGRAMS.forEach((program, i) => results[i].push(runOnce(program)));
console.log(`node ${execFileSync(node, ['--version']).toString().trim()}, tripod ${tripod}, ${rounds} rounds, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
PROGRAMS.forEach((program, i) => {
  const read = results[i].filter((r) => r.first !== undefined && Number.isFinite(r.later));
  const first = median(read.map((r) => r.first));
  const later = median(read.map((r) => r.later));
  if (read.length === 0) return console.log(`${program.name}: no run had two samples with locals`);
  console.log(`${program.name}: first read ${first.toFixed(2)} ms, later reads ${later.toFixed(2)} ms (median of each run's median): ${(first / later).toFixed(2)}x, ${read.length} runs`);
});
