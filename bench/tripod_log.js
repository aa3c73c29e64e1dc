'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** A temp directory holding one fresh TRIPOD_LOG file per child run. */
function createLogDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripod-bench-'));
  let n = 0;
  return {
    dir,
    next(label) {
      n += 1;
      const safe = String(label).replace(/[^a-z0-9]+/gi, '-');
      return path.join(dir, `${String(n).padStart(4, '0')}-${safe}.log`);
    },
    remove(file) {
      fs.rmSync(file, { force: true });
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * stoppedMs of every `msg: "sample"`, `state: "running"` record in a pino NDJSON log.
 * A missing log or missing field yields an empty list, which reports show as n/a.
 */
function readRunningStops(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const stops = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"sample"')) continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      continue;
    }
    if (rec && rec.msg === 'sample' && rec.state === 'running' && typeof rec.stoppedMs === 'number') {
      stops.push(rec.stoppedMs);
    }
  }
  return stops;
}

module.exports = { createLogDir, readRunningStops };
