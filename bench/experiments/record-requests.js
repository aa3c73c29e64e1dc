'use strict';
// What `tripod record --requests PID` costs a plain node server per sample, against `tripod record PID`:
// the CPU time of the target's main thread (/proc/PID/task/PID/schedstat, in ns: what the scheduler counted,
// so the other processes of a loaded machine do not enter it) over SAMPLES samples of an idle server
// (bench/workloads/requests_heap_target.js: HANG requests waiting, so 2 x HANG open sockets, and a
// 200,000-object heap), counted from the recording's first sample on; the two recordings alternate, round by
// round (interleaved), on fresh targets. Prints each run's main-thread CPU per sample and the requests the
// last sample listed, then the medians and their difference: what reading the sockets and the followed
// responses adds to a sample.
// Usage: npm run build && node bench/experiments/record-requests.js [rounds=5] [node] [hang=50]
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { spawn, execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const rounds = Number(process.argv[2] || 5);
const node = process.argv[3] || process.execPath;
const hang = Number(process.argv[4] || 50);
const INTERVAL = '0.2';
const SAMPLES = 15;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The main thread's time on a CPU so far, in ms. */
const cpuMs = (pid) => Number(fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

const samplesIn = (log) => {
  try {
    return fs.readFileSync(log, 'utf8').split('\n').filter((line) => line.includes('"event":"sample"')).map((line) => JSON.parse(line));
  } catch {
    return [];
  }
};

function once(requests) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, HANG: String(hang), SECONDS: '600' };
    const target = spawn(node, [path.join(ROOT, 'bench', 'workloads', 'requests_heap_target.js')], { stdio: ['pipe', 'pipe', 'ignore'], env });
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tripod-bench-')), 'record.log');
    let out = '';
    target.on('error', reject);
    target.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('"ready"') || target.recorder) return;
      const args = [path.join(ROOT, 'bin', 'tripod.js'), 'record', '-q', ...(requests ? ['--requests'] : []), '--interval', INTERVAL, '-o', log, String(target.pid)];
      const recorder = spawn(node, args, { stdio: 'ignore' });
      target.recorder = recorder;
      let from;
      const poll = setInterval(() => {
        const samples = samplesIn(log);
        // From the first sample on: the attach's own cost is not a sample's.
        if (!from && samples.length > 0) from = { cpu: cpuMs(target.pid), count: samples.length };
        if (from && samples.length >= from.count + SAMPLES) {
          clearInterval(poll);
          const cpu = cpuMs(target.pid) - from.cpu;
          const count = samples.length - from.count;
          recorder.kill('SIGINT');
          recorder.on('close', () => {
            target.kill('SIGKILL');
            resolve({ perSample: cpu / count, count, listed: samples.at(-1)?.inFlight?.serverTotal ?? 0 });
          });
        }
      }, 10);
    });
  });
}

(async () => {
  const version = execFileSync(node, ['-v']).toString().trim();
  const results = { plain: [], requests: [] };
  for (let round = 0; round < rounds; round++) {
    for (const requests of round % 2 ? [true, false] : [false, true]) {
      const r = await once(requests);
      results[requests ? 'requests' : 'plain'].push(r.perSample);
      console.log(`${version} round ${round + 1} ${requests ? 'record --requests' : 'record           '}: main thread CPU ${r.perSample.toFixed(2)} ms per sample (${r.count} samples), ${r.listed} requests listed`);
    }
  }
  const plain = median(results.plain);
  const withRequests = median(results.requests);
  console.log(`${version}, ${hang} requests in flight (${2 * hang} sockets), load ${os.loadavg()[0].toFixed(1)}: main thread CPU per sample, median: record ${plain.toFixed(2)} ms, record --requests ${withRequests.toFixed(2)} ms, added ${(withRequests - plain).toFixed(2)} ms`);
})();
