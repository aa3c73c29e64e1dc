'use strict';
// The stop probe (stop_probe.js, same arguments) in a program that first loaded BENCH_MODULES (default 200) small
// modules of its own. Loaded by the program, not preloaded with --require: Node runs a preload in every worker
// too, tripod's sampler included, which would then load them all before it samples.
require('./many_modules.js');
require('./stop_probe.js');
