'use strict';
// What `tripod dump PID` of a plain node server costs it when it searches the heap for its requests in flight:
// the target (bench/workloads/requests_heap_target.js: 50 waiting requests, a 200,000-object heap) spins and
// records every gap in its main thread while tripod dumps it; prints the sum and the longest gap per run:
// the whole dump's stop (SIGUSR1's inspector start, the probe, the heap search; no locals), the longest gap
// being the heap walk of Runtime.queryObjects.
// Usage: npm run build && node bench/experiments/dump-heap-requests.js [runs=5] [node]
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const runs = Number(process.argv[2] || 5);
const node = process.argv[3] || process.execPath;

function once() {
  return new Promise((resolve, reject) => {
    const target = spawn(node, [path.join(ROOT, 'bench', 'workloads', 'requests_heap_target.js')], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    target.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('"ready"') && !target.dumped) {
        target.dumped = true;
        target.stdin.write('go\n');
        setTimeout(() => {
          const started = Date.now();
          const dump = execFileSync(node, [path.join(ROOT, 'bin', 'tripod.js'), 'dump', '--json', String(target.pid)]).toString();
          target.dumpMs = Date.now() - started;
          target.found = JSON.parse(dump).threads[0].inFlight?.serverTotal ?? 0;
        }, 500);
      }
      const last = out.trim().split('\n').at(-1);
      if (last.startsWith('{"gaps"')) {
        const { gaps } = JSON.parse(last);
        resolve({ total: gaps.reduce((a, b) => a + b, 0), longest: Math.max(0, ...gaps), dumpMs: target.dumpMs, found: target.found });
      }
    });
    target.on('error', reject);
  });
}

(async () => {
  const version = execFileSync(node, ['-v']).toString().trim();
  for (let run = 0; run < runs; run++) {
    const r = await once();
    console.log(`${version} run ${run + 1}: found ${r.found} requests; main thread stopped ${r.total.toFixed(1)} ms in all, longest ${r.longest.toFixed(1)} ms; the dump took ${r.dumpMs} ms`);
  }
})();
