'use strict';

/*
 * Variants are plain data: { name, cmd: [file, ...args], env, baseline? }.
 * The workload script and its arguments are appended to cmd. Exactly one variant
 * per list is the baseline that ratios are computed against.
 */

const HELD_DEBUGGER = require('node:path').join(__dirname, 'experiments', 'held-debugger.js');

function throughputVariants({ node, tripod }) {
  return [
    { name: 'node', baseline: true, cmd: [node], env: {} },
    { name: 'tripod 5s', cmd: [node, tripod, '--interval', '5'], env: {} },
    { name: 'tripod 1s', cmd: [node, tripod, '--interval', '1'], env: {} },
    { name: 'tripod watchdog 200ms', cmd: [node, tripod, '--interval', '0', '--watchdog', '200'], env: {} },
    { name: 'tripod --crash', cmd: [node, tripod, '--interval', '0', '--crash'], env: {} },
    // The rejected design, for the record: the Debugger domain held between samples.
    { name: 'held Debugger 1s (experiment)', cmd: [node, '--require', HELD_DEBUGGER], env: { HELD_INTERVAL: '1' } },
  ];
}

const MANY_MODULES = require('node:path').join(__dirname, 'workloads', 'many_modules.js');

// V8 makes a throw dearer once a process has loaded more scripts (40 small modules loaded
// before the main script cost a throw-and-catch loop a third of its speed), so every variant
// first loads 200, as a real program would; otherwise tripod's own few modules would show up
// as a cost of sampling.
function exceptionVariants({ node, tripod }) {
  const preload = [node, '--require', MANY_MODULES];
  return [
    { name: 'node', baseline: true, cmd: preload, env: {} },
    { name: 'tripod 5s', cmd: [...preload, tripod, '--interval', '5'], env: {} },
    { name: 'tripod --crash', cmd: [...preload, tripod, '--interval', '0', '--crash'], env: {} },
  ];
}

function watchdogVariants({ node, tripod }) {
  return [{ name: 'tripod watchdog 200ms', cmd: [node, tripod, '--interval', '0', '--watchdog', '200'], env: {} }];
}

function stopVariants({ node, tripod }) {
  const bigHeap = require('node:path').join(__dirname, 'workloads', 'big_heap.js');
  return [
    { name: 'node (noise baseline)', baseline: true, cmd: [node], env: {} },
    // Every sample reads locals: the budget is lifted so the cost of one read shows.
    { name: 'tripod 0.1s, locals every sample', cmd: [node, tripod], env: { TRIPOD_INTERVAL: '0.1', TRIPOD_LOCALS_BUDGET: '100' } },
    // The first read of locals pays V8's one-time work for every loaded script: 1,000 modules of the program's.
    // Preloaded, so that the first read comes after them (Node runs a preload in every worker too: the sampler
    // loads them as well, which delays its start by a second or two but not the main thread's reads).
    { name: 'tripod 0.1s, 1,000 modules, locals every sample', cmd: [node, '--require', MANY_MODULES, tripod], env: { TRIPOD_INTERVAL: '0.1', TRIPOD_LOCALS_BUDGET: '100', BENCH_MODULES: '1000' } },
    // A 300 MB heap: each Debugger.enable walks it. Without a budget, and with the default 1%.
    { name: 'tripod 1s, 300 MB heap, locals every sample', cmd: [node, '--require', bigHeap, tripod], env: { TRIPOD_INTERVAL: '1', TRIPOD_LOCALS_BUDGET: '100' } },
    { name: 'tripod 1s, 300 MB heap, default --locals-budget 1%', cmd: [node, '--require', bigHeap, tripod], env: { TRIPOD_INTERVAL: '1' } },
    // The CPU profiler's cost on the main thread: its ticks, and the stop/start every 5 s.
    { name: 'tripod --profile 1000 Hz, stacks only', cmd: [node, tripod, '--profile', '--rate', '1000', '--interval', '0'], env: {} },
  ];
}

function startupVariants({ node, tripod }) {
  return [
    { name: 'node', baseline: true, cmd: [node], env: {} },
    { name: 'tripod', cmd: [node, tripod], env: {} },
  ];
}

// Attach (issue 5): tripod dump against a running process; `args` come before its pid.
// tripod_timed.js runs the CLI as bin/tripod.js does and also reports the command's own time.
function attachVariants({ node, tripod }) {
  const timed = [node, require('node:path').join(__dirname, 'workloads', 'tripod_timed.js'), require('node:path').join(tripod, '..', '..', 'dist', 'cli.js')];
  return [
    { name: 'no attach (noise baseline)', baseline: true, cmd: [node], env: {} },
    { name: 'tripod dump', cmd: timed, args: ['dump'], env: {} },
    { name: 'tripod dump --locals', cmd: timed, args: ['dump', '--locals'], env: {} },
  ];
}

// The preload agent, dormant: resolved as users load it (cwd is the repository, so `tripod/agent` is this checkout's).
function agentVariants({ node }) {
  return [
    { name: 'node', baseline: true, cmd: [node], env: {} },
    { name: 'node --require tripod/agent', cmd: [node, '--require', 'tripod/agent'], env: {} },
  ];
}

/** Stack profiling: tripod --profile at two rates against node's own --cpu-prof (1 ms by default). */
function profileVariants({ node, tripod, logs }) {
  const stacksOnly = ['--profile', '--interval', '0'];
  return [
    { name: 'node', baseline: true, cmd: [node], env: {} },
    { name: 'node --cpu-prof', cmd: [node, '--cpu-prof', '--cpu-prof-dir', logs.dir], env: {} },
    { name: 'tripod --profile 100 Hz', rateHz: 100, cmd: [node, tripod, ...stacksOnly, '--rate', '100'], env: {} },
    { name: 'tripod --profile 1000 Hz', rateHz: 1000, cmd: [node, tripod, ...stacksOnly, '--rate', '1000'], env: {} },
  ];
}

// Settings inherited from the caller's shell must not silently change what a variant measures.
function baseEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('TRIPOD_')) env[k] = v;
  }
  return env;
}

function spawnSpec(variant, scriptArgs, extraEnv = {}) {
  return {
    file: variant.cmd[0],
    args: [...variant.cmd.slice(1), ...scriptArgs],
    env: { ...baseEnv(), ...variant.env, ...extraEnv },
  };
}

module.exports = {
  throughputVariants,
  exceptionVariants,
  watchdogVariants,
  stopVariants,
  startupVariants,
  attachVariants,
  agentVariants,
  profileVariants,
  spawnSpec,
  baseEnv,
};
