// bin/tripod.js chooses the bundle or the runner's files by SUBCOMMANDS; cli.ts dispatches by its own tests of
// argv[0]: the two lists must be one.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../../src/subcommands';

describe('SUBCOMMANDS', () => {
  it("is every command cli.ts dispatches on argv[0], and no other", () => {
    const cli = readFileSync(path.join(__dirname, '..', '..', 'src', 'cli.ts'), 'utf8');
    const dispatched = [...cli.matchAll(/argv\[0\] === '([a-z]+)'/g)].map((match) => match[1]);
    expect(dispatched.length).toBeGreaterThan(5);
    expect([...new Set(dispatched)].sort()).toEqual([...SUBCOMMANDS].sort());
  });
});
