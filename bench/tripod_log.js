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
 * Every `msg: "sample"`, `state: "running"` record of a pino NDJSON log, as
 * { stoppedMs, capturedAt, captureMs }: what the sampler says it stopped, and the
 * window (epoch ms) in which the capture ran. A missing log yields an empty list,
 * which reports show as n/a.
 */
function readRunningSamples(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"sample"')) continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      continue;
    }
    if (rec && rec.msg === 'sample' && rec.state === 'running' && typeof rec.stoppedMs === 'number') {
      samples.push({ stoppedMs: rec.stoppedMs, capturedAt: rec.capturedAt, captureMs: rec.captureMs });
    }
  }
  return samples;
}

module.exports = { createLogDir, readRunningSamples };
