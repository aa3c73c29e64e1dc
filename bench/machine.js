'use strict';
const os = require('node:os');
const { execFileSync } = require('node:child_process');

/** Facts about the machine and the node binary under test, for the report header. */
function describeMachine(node) {
  let nodeVersion = 'unknown';
  try {
    nodeVersion = execFileSync(node, ['-p', '`${process.version} (V8 ${process.versions.v8}, ${process.arch})`'], {
      encoding: 'utf8',
      timeout: 30_000,
    }).trim();
  } catch (err) {
    nodeVersion = `unknown (${err.message.split('\n')[0]})`;
  }
  const cpus = os.cpus();
  return {
    node,
    nodeVersion,
    harnessNode: process.version,
    cpuCount: cpus.length,
    cpuModel: cpus.length ? cpus[0].model.trim() : 'unknown',
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAvg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

module.exports = { describeMachine };
