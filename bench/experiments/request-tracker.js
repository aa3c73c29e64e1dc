'use strict';
// Preload (node --require): installs tripod's request table (dist/requests/tracker.js) in a plain node
// process, exactly as the runner does before the script, without the sampler: what tracking alone costs.
// REQUESTS_RUNNING=1 also names the running request (AsyncLocalStorage: promise hooks before Node 24).
// REQUESTS_SLOW=1 also writes each request into a --slow slot table (nobody scans it here).
// REQUESTS_ASYNC_STACKS=1 also keeps each request's awaits (--async-stacks: a promise hook on every promise).
const path = require('node:path');
const dist = path.join(__dirname, '..', '..', 'dist', 'requests');
const { installRequestTracker } = require(path.join(dist, 'tracker.js'));
const { newSlotBuffers, slotViews } = require(path.join(dist, 'slow-slots.js'));
installRequestTracker({
  keepQuery: false,
  running: process.env.REQUESTS_RUNNING === '1',
  ...(process.env.REQUESTS_ASYNC_STACKS === '1' ? { asyncStacks: true } : {}),
  ...(process.env.REQUESTS_SLOW === '1' ? { slots: slotViews(newSlotBuffers()) } : {}),
});
