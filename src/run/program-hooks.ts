/**
 * What tripod puts into the program's main thread before the program's first line, in
 * the run's first process and in each child a --children run follows: the request
 * tracker (its diagnostics_channel subscriptions see the program's first request) and
 * the stack probe's holder, which reads the tracker's table. Both capture Node's own
 * built-ins, node:vm and getActiveResourcesInfo before the program can replace them.
 */
import type { RequestsConfig } from '../config';
import { installProbeHolder } from '../capture/probe-context';
import { installRequestTracker } from '../requests/tracker';
import type { Sampler } from './sampler';

/** `collect`: the holder's full collector (probe-context.ts fullCollector), made before the sampler worker started. */
export function installProgramHooks(sampler: Sampler, requests: RequestsConfig, collect: (() => void) | undefined): void {
  // Loaded only with --slow: every module loaded here delays the script's start.
  const slots = sampler.slowSlots ? (require('../requests/slow-slots') as typeof import('../requests/slow-slots')).slotViews(sampler.slowSlots) : undefined;
  const tracker = installRequestTracker({ keepQuery: requests.keepQuery, running: requests.running, ...(slots ? { slots } : {}), ...(requests.asyncStacks ? { asyncStacks: true } : {}) });
  installProbeHolder(tracker.snapshot, collect);
}
