'use strict';
/*
 * What a Debugger domain held by a session costs code that never pauses: an
 * await chain of 2e6 steps and 2e4 `new Function` compilations, timed on the
 * main thread with no session, then with another session holding
 * Debugger.enable. `node bench/experiments/held-domain-costs.js` prints both.
 */
const { execFileSync } = require('node:child_process');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

if (require.main === module && !process.env.HELD_DOMAIN_MODE) {
  for (const mode of ['none', 'held', 'none', 'held']) {
    process.stdout.write(execFileSync(process.execPath, [__filename], { env: { ...process.env, HELD_DOMAIN_MODE: mode } }));
  }
} else if (isMainThread) {
  const mode = process.env.HELD_DOMAIN_MODE;
  const worker = new Worker(__filename, { workerData: { mode } });
  worker.once('message', async () => {
    const leaf = async (x) => x + 1;
    let started = performance.now();
    let v = 0;
    for (let i = 0; i < 2e6; i++) v = await leaf(v);
    const awaitMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < 2e4; i++) new Function('a', `return a + ${i % 50}`)(i);
    const newFunctionMs = performance.now() - started;
    console.log(JSON.stringify({ debugger: mode === 'held' ? 'held by a session' : 'off', awaitMs: Math.round(awaitMs), newFunctionMs: Math.round(newFunctionMs) }));
    worker.terminate();
  });
} else {
  const { Session } = require('node:inspector');
  // Keeps this worker, and so the session holding the domain, alive until the main thread ends it.
  setInterval(() => {}, 1000);
  if (workerData.mode === 'held') {
    const session = new Session();
    session.connectToMainThread();
    session.post('Debugger.enable', () => parentPort.postMessage('go'));
  } else parentPort.postMessage('go');
}
