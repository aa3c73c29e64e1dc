import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, type LogRecord, readLog, samplesOf, tempDir, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const MIX = path.join(FIXTURES, 'profile-mix.js');

function profilesOf(records: LogRecord[]): LogRecord[] {
  return records.filter((r) => r.event === 'profile');
}

/** Every stack of the profile records as frame names (top first), with its state and count. */
function stacksOf(records: LogRecord[]): Array<{ names: string[]; locations: string[]; state: string; count: number }> {
  return profilesOf(records).flatMap((r) =>
    r.stacks.map((stack: number[], i: number) => ({
      names: stack.map((f) => r.frames[f][0]),
      locations: stack.map((f) => r.frames[f][1]),
      state: r.states[i],
      count: r.counts[i],
    })),
  );
}

function countWhere(records: LogRecord[], test: (s: ReturnType<typeof stacksOf>[number]) => boolean): number {
  return stacksOf(records)
    .filter(test)
    .reduce((sum, s) => sum + s.count, 0);
}

/** Compiles the TypeScript fixture to JS with a source map next to it, or inline. */
function compileMapped(inline: boolean): { js: string; ts: string } {
  const dir = tempDir();
  const source = path.join(dir, 'hot.ts');
  copyFileSync(path.join(FIXTURES, 'mapped', 'hot.ts'), source);
  const out = ts.transpileModule(readFileSync(source, 'utf8'), {
    fileName: 'hot.ts',
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: !inline, inlineSourceMap: inline },
  });
  const js = path.join(dir, 'hot.js');
  writeFileSync(js, out.outputText);
  if (out.sourceMapText) writeFileSync(path.join(dir, 'hot.js.map'), out.sourceMapText);
  return { js, ts: source };
}

describe.each(nodes)('--profile, $label', ({ bin }) => {
  it('records stacks at the rate asked, running, idle and blocked, as per-second tables that grep finds', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['--profile', '--rate', '200', '--interval', '0', '--log', log, MIX]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('[tripod] Profiling stacks at 200 Hz');
    const records = readLog(log);
    expect(records[0]).toMatchObject({ event: 'start', profile: { rateHz: 200 } });
    const profiles = profilesOf(records);
    expect(profiles.length).toBeGreaterThanOrEqual(2);
    for (const r of profiles) {
      expect(r).toMatchObject({ msg: 'profile', rateHz: 200, seq: expect.any(Number), from: expect.any(Number), to: expect.any(Number) });
      expect(r.to - r.from).toBeLessThan(1000);
      expect(r.stacks).toHaveLength(r.counts.length);
      expect(r.states).toHaveLength(r.counts.length);
      expect(r.counts.reduce((a: number, b: number) => a + b, 0)).toBe(r.samples);
    }
    // The script runs about 1.9 s at 200 Hz: generous bounds, the real rate is a benchmark's business.
    const total = profiles.reduce((sum, r) => sum + r.samples, 0);
    expect(total).toBeGreaterThan(100);
    expect(records.at(-1)).toMatchObject({ event: 'end', exitCode: 0, profileSamples: total });

    const hot = countWhere(records, (s) => s.names[0] === 'hotLoop' && s.state === 'running');
    const idle = countWhere(records, (s) => s.names[0] === '(idle)' && s.state === 'idle');
    const blocked = countWhere(records, (s) => s.names.includes('blockInNative') && s.state === 'blocked');
    expect(hot).toBeGreaterThan(20);
    expect(idle).toBeGreaterThan(10);
    expect(blocked).toBeGreaterThan(10);
    const hotStack = stacksOf(records).find((s) => s.names[0] === 'hotLoop')!;
    expect(hotStack.locations[0]).toBe(`${MIX}:4:17`);
    // tripod's frames and the loader's are hidden, as in samples.
    for (const s of stacksOf(records)) expect(s.locations.join(' ')).not.toMatch(/\/dist\/|bin\/tripod/);

    const byName = execFileSync('grep', ['blockInNative', log], { encoding: 'utf8' }).trim().split('\n');
    expect(byName.length).toBeGreaterThan(0);
    for (const line of byName) expect(JSON.parse(line)).toMatchObject({ event: 'profile' });
    expect(execFileSync('grep', ['-c', `profile-mix.js:4:17`, log], { encoding: 'utf8' }).trim()).not.toBe('0');

    const shown = await tripod(bin, ['show', '--no-color', log]);
    expect(shown.stdout).toContain('profiling stacks at 200 Hz');
    expect(shown.stdout).toContain(`INFO: profile #1: ${profiles[0].samples} samples at 200 Hz over `);
    expect(shown.stdout).toMatch(new RegExp(`\n +[\\d.]+% running: hotLoop \\(${MIX}:4:17\\)`));
    expect(shown.stdout).toMatch(/blocked: spawnSync .* < blockInNative \(/);
    expect(shown.stdout).toContain(`ended (exit code 0), 0 samples, ${total} profile samples`);
  });

  it('samples locals at their own interval alongside', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--profile', '--interval', '0.3', '--log', log, MIX], { env: { HOT_MS: '1500' } });
    expect(result.code, result.stderr).toBe(0);
    const records = readLog(log);
    const withLocals = samplesOf(records).filter((s) => s.frames.some((f: LogRecord) => f.function === 'hotLoop' && f.locals));
    expect(withLocals.length).toBeGreaterThanOrEqual(1);
    expect(withLocals[0].frames[0].args).toEqual({ ms: 1500 });
    expect(profilesOf(records).length).toBeGreaterThanOrEqual(2);
    expect(records.at(-1)).toMatchObject({ event: 'end', samples: samplesOf(records).length });
  });

  it('writes the last batch before the end record when the script calls process.exit, and leaves no profiler behind', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--profile', '--interval', '0', '--log', log, MIX], { env: { EXIT_CODE: '3' } });
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain('Waiting for the debugger');
    const records = readLog(log);
    const end = records.at(-1)!;
    expect(end).toMatchObject({ event: 'end', exitCode: 3 });
    // The batches from the one that saw the native call on hold the last hot loop, which ran from the call's
    // return to process.exit. (Only the last batch, as this once asked, may hold none of it: a second's window
    // can begin after the loop, while the exit waits for the sampler to finish.)
    const batches = profilesOf(records);
    const lastBlocked = batches.findLastIndex((r) => r.states.includes('blocked'));
    expect(lastBlocked, 'a batch saw the native call').toBeGreaterThanOrEqual(0);
    expect(countWhere(batches.slice(lastBlocked), (s) => s.names[0] === 'hotLoop')).toBeGreaterThan(0);
    expect(end.profileSamples).toBe(profilesOf(records).reduce((sum, r) => sum + r.samples, 0));
  });

  it.each([
    ['a source map file', false],
    ['an inline data: URL map', true],
  ])('shows TypeScript frames at their .ts position through %s, keeping the generated one', async (_label, inline) => {
    const { js, ts: source } = compileMapped(inline);
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--profile', '--interval', '0', '--log', log, js]);
    expect(result.code, result.stderr).toBe(0);
    const frame = profilesOf(readLog(log))
      .flatMap((r) => r.frames)
      .find((f: string[]) => f[0] === 'crunchNumbers');
    expect(frame).toBeDefined();
    expect(frame[1]).toMatch(new RegExp(`^${source.replace(/[.]/g, '\\.')}:9:\\d+$`));
    expect(frame[2]).toMatch(new RegExp(`^${js.replace(/[.]/g, '\\.')}:\\d+:\\d+$`));
    expect(execFileSync('grep', ['-c', 'hot.ts:9:', log], { encoding: 'utf8' }).trim()).not.toBe('0');
  });

  it('takes its settings from TRIPOD_PROFILE and TRIPOD_RATE, and refuses rates out of range in one line', async () => {
    const log = tempLog();
    const byEnv = await tripod(bin, ['--interval', '0', '--log', log, MIX], { env: { TRIPOD_PROFILE: '1', TRIPOD_RATE: '50', HOT_MS: '100' } });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(readLog(log)[0]).toMatchObject({ profile: { rateHz: 50 } });

    const tooFast = await tripod(bin, ['--profile', '--rate', '5000', MIX]);
    expect(tooFast.code).toBe(2);
    expect(tooFast.stderr).toBe('tripod: --rate="5000" is not a whole number of samples per second from 10 to 1000; the default is 100\n');
    const badEnv = await tripod(bin, ['--profile', MIX], { env: { TRIPOD_RATE: 'fast' } });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/^tripod: TRIPOD_RATE="fast" is not a whole number .* from 10 to 1000; .*\n$/);
    const rateAlone = await tripod(bin, ['--rate', '100', MIX]);
    expect(rateAlone.code).toBe(2);
    expect(rateAlone.stderr).toBe('tripod: --rate HZ sets the rate of --profile; add --profile (TRIPOD_PROFILE=1)\n');
  });
});
