/**
 * The preload of every Node.js process a `tripod --children` run starts, at any depth (NODE_OPTIONS
 * `--require`, see follow-children.ts): it takes tripod's two variables back out of process.env and runs
 * the process under tripod with the run's settings, before Node runs its script. NODE_OPTIONS' preloads
 * run in every worker thread too; there, and in a process no tripod run started, it does nothing.
 */
import { isMainThread } from 'node:worker_threads';
import { takeFollowSettings } from './follow-children';

if (isMainThread) {
  const settings = takeFollowSettings(process.env);
  // Loaded only in a followed process's main thread: a worker thread pays for this file alone.
  // tripod's own failure must not become the child's: it then runs as it would without tripod.
  if (settings) {
    try {
      (require('./child-run') as typeof import('./child-run')).recordChild(settings);
    } catch {}
  }
}
