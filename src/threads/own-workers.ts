/**
 * The names of tripod's own worker threads in a target: the runner's sampler
 * and the preload agent's relay. They are never captured (pausing one would
 * deadlock the target), so whoever lists a target's threads skips them by name.
 * Loaded by the agent too: it imports nothing.
 */

/** The runner's sampler worker (src/run/sampler.ts). */
export const SAMPLER_WORKER_NAME = 'tripod-sampler';

/** The preload agent's relay worker (src/attach/agent.ts). */
export const AGENT_WORKER_NAME = 'tripod-agent';

const OWN_WORKER_NAMES: ReadonlySet<string> = new Set([SAMPLER_WORKER_NAME, AGENT_WORKER_NAME]);

export function isTripodWorker(name: string): boolean {
  return OWN_WORKER_NAMES.has(name);
}
