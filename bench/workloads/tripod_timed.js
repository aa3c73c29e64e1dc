'use strict';
// Runs tripod's CLI in this process exactly as bin/tripod.js does, and at exit
// prints {"tripodMs": <ms from calling main() to exit>} as the last stdout line:
// the command's own work, without Node's start and the loading of tripod's code.
// Usage: node tripod_timed.js /path/to/tripod/dist/cli.js <tripod args...>
const { performance } = require('node:perf_hooks');

const [cliPath, ...args] = process.argv.slice(2);
const { main } = require(cliPath);
const started = performance.now();
process.on('exit', () => process.stdout.write(`\n${JSON.stringify({ tripodMs: performance.now() - started })}\n`));
main(args);
