'use strict';
/*
 * What a Debugger domain held by a session costs code that never pauses: an
 * await chain of 2e6 steps and 2e4 `new Function` compilations, timed on the
 * main thread with
 *   off        no session
 *   held       another session holding Debugger.enable
 *   uncaught   the same with pause-on-exceptions "uncaught" (crash capture)
 *   released   a session that enabled the domain and disabled it again (as each sample does)
 *   hooked     no session; an async_hooks hook enabled and disabled once
 * `node bench/experiments/held-domain-costs.js` prints each, twice.
 */
const { execFileSync } = require('node:child_process');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

if (require.main === module && !process.env.HELD_DOMAIN_MODE) {
  for (const mode of ['off', 'held', 'uncaught', 'released', 'hooked', 'off', 'held', 'uncaught', 'released', 'hooked']) {
    process.stdout.write(execFileSync(process.execPath, [__filename], { env: { ...process.env, HELD_DOMAIN_MODE: mode } }));
  }
} else if (isMainThread) {
  const mode = process.env.HELD_DOMAIN_MODE;
  const worker = new Worker(__filename, { workerData: { mode } });
  worker.once('message', async () => {
    if (mode === 'hooked') require('node:async_hooks').createHook({ init() {} }).enable().disable();
    const leaf = async (x) => x + 1;
    let started = performance.now();
    let v = 0;
    for (let i = 0; i < 2e6; i++) v = await leaf(v);
    const awaitMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < 2e4; i++) new Function('a', `return a + ${i % 50}`)(i);
    const newFunctionMs = performance.now() - started;
    console.log(JSON.stringify({ debugger: mode, awaitMs: Math.round(awaitMs), newFunctionMs: Math.round(newFunctionMs) }));
    worker.terminate();
  });
} else {
  const { Session } = require('node:inspector');
  // Keeps this worker, and so the session holding the domain, alive until the main thread ends it.
  setInterval(() => {}, 1000);
  const go = () => parentPort.postMessage('go');
  if (workerData.mode === 'off' || workerData.mode === 'hooked') go();
  else {
    const session = new Session();
    session.connectToMainThread();
    session.post('Debugger.enable', () => {
      if (workerData.mode === 'held') go();
      else if (workerData.mode === 'uncaught') session.post('Debugger.setPauseOnExceptions', { state: 'uncaught' }, go);
      else session.post('Debugger.disable', go);
    });
  }
}
