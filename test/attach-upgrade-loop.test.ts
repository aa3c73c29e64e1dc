/**
 * Upgrades in a row through SIGUSR1 (test/fixtures/upgrade-loop.js): every long-lived
 * attach moves to the relay's socket, none falls back to the inspector port (an error
 * such as Node 24's "Cannot find context with specified id" would, and TRIPOD_DEBUG=attach
 * says why), and each moved session answers.
 */
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, run } from './helpers/cli';

const nodes = inject('nodes');

describe.each(nodes)('upgrades in a row, $label', ({ bin, label }) => {
  const rounds = label.includes('v24') ? 20 : 8;
  it(`moves ${rounds} long sessions in a row to the relay, none falling back to the port`, async () => {
    const result = await run(bin, [path.join(FIXTURES, 'upgrade-loop.js'), String(rounds)], { env: { TRIPOD_DEBUG: 'attach' }, killAfterMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const fallbacks = result.stderr.split('\n').filter((line) => line.includes('the session stays on port'));
    expect(fallbacks).toEqual([]);
    expect(JSON.parse(result.stdout)).toEqual({ rounds, upgraded: rounds, answered: rounds });
  });
});
