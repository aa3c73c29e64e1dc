#!/usr/bin/env node
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { killAll } = require('./proc.js');
const { createLogDir } = require('./tripod_log.js');
const { describeMachine } = require('./machine.js');
const { commandLine } = require('./report.js');

const SUITES = [
  require('./suites/cpu.js'),
  require('./suites/http.js'),
  require('./suites/exceptions.js'),
  require('./suites/watchdog.js'),
  require('./suites/stop.js'),
  require('./suites/startup.js'),
  require('./suites/attach.js'),
  // --profile and tripod report
  require('./suites/profile.js'),
  require('./suites/report.js'),
];
const repoRoot = path.resolve(__dirname, '..');

const USAGE = `usage: node bench/run.js [options]
  --runs N         interleaved runs per variant (default 5; startup uses at least 10)
  --duration S     seconds per throughput / stop run (default 8)
  --only a,b       suites to run: ${SUITES.map((s) => s.name).join(', ')} (default all)
  --quick          smoke test: --runs 3 --duration 3 unless given explicitly
  --json FILE      also write all raw results as JSON
  --node PATH      node binary for every child (default: the one running this script)`;

function fail(message) {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        runs: { type: 'string' },
        duration: { type: 'string' },
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        json: { type: 'string' },
        node: { type: 'string' },
        // Hidden: lets the harness be exercised against a stand-in CLI.
        tripod: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(err.message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const runs = Number(values.runs ?? (values.quick ? 3 : 5));
  const duration = Number(values.duration ?? (values.quick ? 3 : 8));
  if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be a positive integer, got ${values.runs}`);
  if (!Number.isFinite(duration) || duration <= 0) fail(`--duration must be a positive number, got ${values.duration}`);
  const names = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : SUITES.map((s) => s.name);
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length) fail(`unknown suite(s): ${unknown.join(', ')}`);
  return {
    runs,
    duration,
    suites: SUITES.filter((s) => names.includes(s.name)),
    json: values.json ? path.resolve(values.json) : null,
    node: values.node ? path.resolve(values.node) : process.execPath,
    tripod: values.tripod ? path.resolve(values.tripod) : path.join(repoRoot, 'bin', 'tripod.js'),
  };
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const progress = (msg) => {
    const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${s}s] ${msg}\n`);
  };

  if (!fs.existsSync(opts.node)) fail(`--node: ${opts.node} does not exist`);
  if (!fs.existsSync(opts.tripod)) progress(`warning: ${opts.tripod} does not exist; tripod variants will fail`);
  const load = os.loadavg()[0];
  if (load > 0.5) progress(`warning: load average ${load.toFixed(2)} before starting; other processes will add noise`);

  const logs = createLogDir();
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: killing children\n`);
    killAll();
    logs.cleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => onSignal(sig));
  process.on('exit', () => {
    killAll();
    logs.cleanup();
  });

  const machine = describeMachine(opts.node);
  const command = commandLine([process.execPath, ...process.execArgv, path.relative(process.cwd(), __filename) || __filename, ...process.argv.slice(2)]);
  const ctx = { ...opts, repoRoot, logs, progress };

  const header = [
    '# tripod benchmark',
    '',
    `- command: \`${command}\` (cwd ${process.cwd()})`,
    `- node under test: ${machine.nodeVersion} — \`${opts.node}\``,
    `- tripod: \`${opts.tripod}\``,
    `- machine: ${machine.os}, ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, load avg at start ${machine.loadAvg}`,
    `- ${opts.runs} interleaved runs per variant (startup: at least 10), ${opts.duration} s per timed run`,
    `- date: ${new Date().toISOString()}`,
  ].join('\n');

  const raw = { command, machine, options: { runs: opts.runs, duration: opts.duration, tripod: opts.tripod }, suites: {} };
  const sections = [];
  for (const suite of opts.suites) {
    progress(`suite ${suite.name} starting`);
    const data = await suite.run(ctx);
    raw.suites[suite.name] = data;
    sections.push(suite.render(data, ctx));
    progress(`suite ${suite.name} done`);
  }

  const footer = `_total wall time ${((Date.now() - started) / 1000).toFixed(0)} s, load avg at end ${describeMachine(opts.node).loadAvg}_`;
  process.stdout.write(`${header}\n\n${sections.join('\n\n')}\n\n${footer}\n`);
  if (opts.json) {
    fs.mkdirSync(path.dirname(opts.json), { recursive: true });
    fs.writeFileSync(opts.json, `${JSON.stringify(raw, null, 2)}\n`);
    progress(`raw results written to ${opts.json}`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench harness crashed: ${(err && err.stack) || err}\n`);
  killAll();
  process.exit(1);
});
