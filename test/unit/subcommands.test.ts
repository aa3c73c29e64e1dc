// bin/tripod.js chooses the CLI's bundle or the runner's by SUBCOMMANDS; cli.ts dispatches by its COMMANDS
// table: the two must name the same commands, and a script's run must load none of their front ends.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli';
import { SUBCOMMANDS } from '../../src/subcommands';

describe('SUBCOMMANDS', () => {
  it('is every command cli.ts dispatches, and no other', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual([...SUBCOMMANDS].sort());
  });

  it("leaves every command's front end out of the runner's bundle", () => {
    const script = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).scripts.bundle as string;
    const runBundle = script.split('&&').find((step) => step.includes('run.bundle.js'))!;
    expect(runBundle).toContain('--external:./commands/*');
    const cli = readFileSync(path.join(__dirname, '..', '..', 'src', 'cli.ts'), 'utf8');
    const loaded = [...cli.matchAll(/import\('\.\/commands\/([a-z-]+)'\)/g)].map((match) => match[1]);
    expect([...new Set(loaded)].sort()).toEqual([...SUBCOMMANDS].sort());
    expect(cli).not.toMatch(/^import .* from '\.\/commands\//m);
  });
});
