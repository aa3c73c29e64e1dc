'use strict';
// The stop probe (stop_probe.js, same arguments) after IDLE_MS (default 1200) idle in the event loop, as a
// server waits between requests: tripod's first sample finds the thread idle.
setTimeout(() => require('./stop_probe.js'), Number(process.env.IDLE_MS || 1200));
