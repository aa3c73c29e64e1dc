/**
 * Where tripod's own files are: for the code that starts one by its path (the
 * sampler worker, the agent and its relay, the guardian, a followed child's
 * preload) and the code that tells tripod's frames and modules from the
 * program's. Computed here, from this file's place at the top of dist/ (or of
 * src/ under the tests), because the bundles (dist/cli.bundle.js,
 * dist/run.bundle.js, dist/worker.bundle.js: `npm run bundle`) sit at that same
 * depth, where every module they hold has the bundle's own __dirname.
 */
import * as path from 'node:path';

/** The package's root: package.json, bin/, dist/. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

/** A built file of tripod's, by its path below dist/ ("run/worker-boot.js"). */
export function builtFile(relative: string): string {
  return path.join(PACKAGE_ROOT, 'dist', relative);
}
