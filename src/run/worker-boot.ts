/**
 * The sampler worker's entry: turns on Node's compile cache (Node >= 22.1) for
 * this thread before the worker's modules load, then loads them, bundled into
 * one file (dist/worker.bundle.js). The worker compiles it at every start; from
 * the cache it reads V8's code instead (BENCHMARKS.md, "startup"). Only this thread's: the
 * program's modules, on the main thread, are compiled as under plain node, and
 * the NODE_COMPILE_CACHE Node sets goes into this worker's copy of the
 * environment, not the program's. Node 20 has no compile cache: nothing changes there.
 */
import Module from 'node:module';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { builtFile } from '../package-layout';

type CompileCache = (directory?: string) => unknown;

/** The user's own cache folder, not a shared /tmp: a cache entry another user wrote would be code this process runs. */
function cacheDirectory(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'tripod', 'compile-cache');
}

function enableCompileCache(): void {
  const enable = (Module as unknown as { enableCompileCache?: CompileCache }).enableCompileCache;
  if (typeof enable !== 'function') return;
  try {
    enable(cacheDirectory());
  } catch {
    // No cache (a read-only home, say): the modules compile as they would anyway.
  }
}

enableCompileCache();
// worker.ts and everything it loads, bundled into one file by `npm run bundle` (package.json): a worker
// finds and reads some 80 modules at its boot, a third of its start; one file is read at once.
require(builtFile('worker.bundle.js'));
