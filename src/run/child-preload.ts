/**
 * The preload of every Node.js process a `tripod --children` run starts, at any depth (NODE_OPTIONS
 * `--require`, see follow-children.ts): it takes tripod's two variables back out of process.env and runs
 * the process under tripod with the run's settings, before Node runs its script. NODE_OPTIONS' preloads
 * run in every worker thread too: there it adds tripod to the worker's own spawn calls, so the children a
 * worker starts are followed too. In a process no tripod run started it does nothing.
 */
import { getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';
import { type FollowSettings, followChildren, takeFollowSettings } from './follow-children';

/**
 * How a followed process's worker threads get the settings: Node copies a thread's environment data into
 * each Worker it starts, before the Worker's code runs, whatever env the program gives it. Only a program
 * that asks for this key by name sees it.
 */
const WORKER_SETTINGS_KEY = 'tripod:follow';

if (isMainThread) {
  const settings = takeFollowSettings(process.env);
  // Loaded only in a followed process's main thread: a worker thread pays for this file and follow-children's.
  // tripod's own failure must not become the child's: it then runs as it would without tripod.
  if (settings) {
    try {
      setEnvironmentData(WORKER_SETTINGS_KEY, settings);
      (require('./child-run') as typeof import('./child-run')).recordChild(settings);
    } catch {}
  }
} else {
  // The children a worker thread starts are followed as the main thread's are (its spawn calls are its own).
  const settings = getEnvironmentData(WORKER_SETTINGS_KEY) as FollowSettings | undefined;
  if (settings) {
    try {
      followChildren(settings);
    } catch {}
  }
}
