/**
 * The sampler worker runs from one bundled file (dist/run/worker.bundle.js, `npm run bundle`), made
 * from the dist/ that tsc writes. A tree built with tsc alone (`npx tsc -p tsconfig.json`, then one
 * test file) would run a bundle older than its code: the bundle is made again here when any file it
 * is made from is newer.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const BUNDLE = path.join(DIST, 'run', 'worker.bundle.js');

function newestBuilt(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestBuilt(file));
    else if (entry.name.endsWith('.js') && file !== BUNDLE) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

function bundleTime(): number {
  try {
    return statSync(BUNDLE).mtimeMs;
  } catch {
    return 0;
  }
}

export default function setup(): void {
  if (bundleTime() >= newestBuilt(DIST)) return;
  process.stderr.write('test setup: bundling the sampler worker (dist/ is newer than its bundle)\n');
  execFileSync('npm', ['run', '--silent', 'bundle'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
