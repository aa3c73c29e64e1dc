/**
 * The CLI and the sampler worker run from bundled files (dist/cli.bundle.js, dist/run.bundle.js,
 * dist/worker.bundle.js: `npm run bundle`), made from the dist/ that tsc writes. A tree built with tsc alone (`npx tsc -p
 * tsconfig.json`, then one test file) would run bundles older than its code: they are made again here
 * when any file they are made from is newer.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const BUNDLES = ['cli.bundle.js', 'run.bundle.js', 'worker.bundle.js'].map((name) => path.join(DIST, name));

function newestBuilt(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestBuilt(file));
    else if (entry.name.endsWith('.js') && !BUNDLES.includes(file)) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

/** The older bundle's time; 0 when one is missing. */
function bundleTime(): number {
  try {
    return Math.min(...BUNDLES.map((file) => statSync(file).mtimeMs));
  } catch {
    return 0;
  }
}

export default function setup(): void {
  if (bundleTime() >= newestBuilt(DIST)) return;
  process.stderr.write('test setup: bundling the CLI and the sampler worker (dist/ is newer than their bundles)\n');
  execFileSync('npm', ['run', '--silent', 'bundle'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
