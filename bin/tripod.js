#!/usr/bin/env node
'use strict';
// The CLI runs from a bundle (npm run bundle): one file read instead of some 40 to 80 module lookups. A script
// to run gets the runner's bundle, which holds only what the runner loads (the other commands' modules are left
// out): the program's main thread keeps every script tripod loads there, and each sample's Debugger.enable
// replays them all to the sampler, so there they are one script of 150 KB, not 35 files nor the 600 KB of
// every command.
const { SUBCOMMANDS } = require('../dist/subcommands.js');
const argv = process.argv.slice(2);
require(SUBCOMMANDS.includes(argv[0]) ? '../dist/cli.bundle.js' : '../dist/run.bundle.js').main(argv);
