#!/usr/bin/env node
'use strict';
// A command loads the CLI from its bundle (npm run bundle): one read instead of some 40 to 80 module lookups.
// A script to run loads the runner's modules as files instead: the program's main thread keeps every script
// tripod loads there, and each sample's Debugger.enable replays them to the sampler (some 160 KB of tripod's
// the runner uses, where the bundle holds 600 KB of every command).
const { SUBCOMMANDS } = require('../dist/subcommands.js');
const argv = process.argv.slice(2);
require(SUBCOMMANDS.includes(argv[0]) ? '../dist/cli.bundle.js' : '../dist/cli.js').main(argv);
