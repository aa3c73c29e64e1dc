'use strict';
/*
 * The design tripod rejected, kept to measure it: a sampler that enables the
 * Debugger domain once and holds it, pausing every HELD_INTERVAL seconds to read
 * the top frames' local scopes. Loaded with `node --require` in front of a
 * workload by the benchmark's "held Debugger" variant.
 */
const { Worker, isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const worker = new Worker(__filename, { env: process.env });
  worker.unref();
} else {
  const { Session } = require('node:inspector');
  // Pending inspector calls do not keep a worker's loop alive: without this the worker ended before
  // Debugger.enable was answered, and the "held" variant measured a process with no debugger at all.
  setInterval(() => {}, 2 ** 30);
  const session = new Session();
  session.connectToMainThread();
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  const intervalMs = Number(process.env.HELD_INTERVAL || 1) * 1000;
  const sampleOnce = async () => {
    const paused = new Promise((resolve) => session.once('Debugger.paused', resolve));
    await post('Debugger.pause');
    const event = await paused;
    const scopes = event.params.callFrames.slice(0, 20).flatMap((f) => f.scopeChain.filter((s) => s.type === 'local').map((s) => s.object.objectId));
    await Promise.all(scopes.map((objectId) => post('Runtime.getProperties', { objectId, ownProperties: true })));
    await post('Debugger.resume');
  };
  post('Debugger.enable').then(() => {
    setInterval(() => void sampleOnce().catch(() => {}), intervalMs);
  });
}
