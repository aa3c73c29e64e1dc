/**
 * tripod monitor's reload of an ES module: Node's loader keeps one instance per URL
 * and its importers stay linked to it, so `reload FILE` says so, and `reload FILE as
 * NAME` imports a fresh instance (under ?tripod-reload=N) for eval, while the program
 * and who/whoall go on with the instance they have.
 */
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, ROOT, tripod } from './helpers/cli';
import { startTarget, stopAllTargets } from './helpers/target';

const nodes = inject('nodes');
const AGENT = path.join(ROOT, 'dist', 'attach', 'agent.js');

afterEach(() => stopAllTargets());

describe.each(nodes)('tripod monitor reload of an ES module, $label', ({ bin }) => {
  it('refuses to reload it in place, and loads a fresh instance as NAME; the program keeps its own', async () => {
    const target = startTarget(bin, ['--require', AGENT, path.join(FIXTURES, 'monitor-app', 'esm-main.mjs')]);
    await target.waitFor(/ready/);
    // The program's own instance counts its calls of price (one each 100 ms): past 2, the fresh instance's count here.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const lines = ['reload prices.mjs', 'reload prices.mjs as fresh', 'eval [fresh.price(2), fresh.price(2), fresh.currency]', 'reload prices.mjs as again', 'eval again === fresh', 'whoall prices.mjs', 'reload cache.mjs as x'];
    const result = await tripod(bin, ['monitor', String(target.pid), ...lines.flatMap((line) => ['-e', line])]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("prices.mjs is an ES module; ES modules cannot be loaded anew (Node's loader keeps one instance per URL and its importers stay linked to it): reload prices.mjs as NAME loads a fresh instance as NAME for eval and exec");
    expect(result.stdout).toMatch(/fresh = a fresh instance of \S+\/lib\/prices\.mjs \(\?tripod-reload=\d+\), 2 exports \(for later eval and exec; the program's importers keep the instance they have\)/);
    expect(result.stdout).toContain("[ 3, 3, 'EUR' ]");
    expect(result.stdout).toContain('\nfalse\n');
    // whoall reads the program's instance (its timer calls price every 100 ms), not a fresh one.
    const asked = Number(/asked = (\d+)/.exec(result.stdout)?.[1]);
    expect(asked).toBeGreaterThan(2);
    expect(result.stderr).toContain('reload: no loaded module matches "cache.mjs"');
  });
});
