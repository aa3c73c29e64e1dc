'use strict';

/*
 * Variants are plain data: { name, cmd: [file, ...args], env, baseline? }.
 * The workload script and its arguments are appended to cmd. Exactly one variant
 * per list is the baseline that ratios are computed against.
 */

function throughputVariants({ node, tripod }) {
  return [
    { name: 'node', baseline: true, cmd: [node], env: {} },
    { name: 'tripod 5s', cmd: [node, tripod, '--interval', '5'], env: {} },
    { name: 'tripod 1s', cmd: [node, tripod, '--interval', '1'], env: {} },
  ];
}

function stopVariants({ node, tripod }) {
  return [
    { name: 'node (noise baseline)', baseline: true, cmd: [node], env: {} },
    { name: 'tripod 0.1s', cmd: [node, tripod], env: { TRIPOD_INTERVAL: '0.1' } },
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

module.exports = { throughputVariants, stopVariants, startupVariants, profileVariants, spawnSpec, baseEnv };
