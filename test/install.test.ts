/**
 * The packed tarball installs as users install it, globally and as a dev
 * dependency, with no warning and no build step, and runs from there: a script,
 * `npx tripod`, an npm script, and the preload agent found by --agent-path.
 * No network: the tarball's dependencies come from a loopback registry that holds
 * the lockfile's packages from the cache `npm ci` filled (helpers/lockfile-registry).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { childEnv, FIXTURES, ROOT, run, tempDir } from './helpers/cli';
import { type LockfileRegistry, startLockfileRegistry } from './helpers/lockfile-registry';
import { startTarget, stopAllTargets } from './helpers/target';

const nodes = inject('nodes');
const execFileAsync = promisify(execFile);

/** The scripts npm runs when it installs a package (prepare too, for a tarball or git source). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

interface Npm {
  stdout: string;
  stderr: string;
}

/**
 * npm's settings for these runs: the loopback registry, and every other host through a proxy that is not there
 * (the discard port, closed), so a request that would leave the machine fails the install instead.
 */
function offlineNpmEnv(registry: LockfileRegistry, cache?: string): Record<string, string> {
  const deadProxy = 'http://127.0.0.1:9';
  return {
    npm_config_registry: registry.url,
    npm_config_proxy: deadProxy,
    npm_config_https_proxy: deadProxy,
    npm_config_noproxy: '127.0.0.1',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    ...(cache ? { npm_config_cache: cache } : {}),
  };
}

/** npm as a user runs it, against the loopback registry and a cache of its own, under this machine's node. */
async function npm(args: string[], cwd: string, registry: LockfileRegistry, cache: string): Promise<Npm> {
  const env = childEnv(offlineNpmEnv(registry, cache));
  delete env.TRIPOD_LOCALS_BUDGET;
  const { stdout, stderr } = await execFileAsync('npm', args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { stdout, stderr };
}

/**
 * A copy of the checkout without dist/, for `npm pack` to build in (its prepack): the checkout's own dist/
 * is left alone while other test files run tripod from it.
 */
function cleanCopy(into: string): void {
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'agent.mjs', 'flags.mjs', 'bin', 'src']) cpSync(path.join(ROOT, entry), path.join(into, entry), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(into, 'node_modules'));
}

/** npm's warnings and errors on stderr: `npm warn …`, `npm WARN …`, `npm error …`. */
function npmComplaints(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^npm (warn|WARN|error|ERR)/.test(line));
}

/** PATH with `bin`'s directory first, so `#!/usr/bin/env node` and npm scripts run that node. */
function pathFor(bin: string, ...more: string[]): string {
  return [...more, path.dirname(bin), process.env.PATH ?? ''].join(path.delimiter);
}

describe('the packed tarball', () => {
  let registry: LockfileRegistry;
  let tarball: string;
  let prefix: string;
  let project: string;
  const installs: Record<string, Npm> = {};
  let packComplaints: string[] = [];

  beforeAll(async () => {
    registry = await startLockfileRegistry(ROOT);
    const work = tempDir();
    const checkout = path.join(work, 'checkout');
    mkdirSync(checkout);
    cleanCopy(checkout);
    const packed = await npm(['pack', '--pack-destination', work, '--json'], checkout, registry, path.join(work, 'pack-cache'));
    tarball = path.join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);
    packComplaints = npmComplaints(packed.stderr);
    prefix = path.join(work, 'global');
    installs.global = await npm(['install', '--global', '--prefix', prefix, tarball], work, registry, path.join(work, 'global-cache'));
    project = path.join(work, 'app');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: { diag: 'tripod -q app.js' } }));
    writeFileSync(path.join(project, 'app.js'), "console.log('app', process.argv.slice(2).join(' '));\n");
    installs.dependency = await npm(['install', '--save-dev', tarball], project, registry, path.join(work, 'dependency-cache'));
  }, 120_000);

  afterAll(async () => {
    stopAllTargets();
    await registry?.close();
  });

  it('is built by npm pack from a copy without dist/, and by npm ci in the checkout through a script that is not an install script', () => {
    expect(packComplaints).toEqual([]);
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    // npm ci and npm install run these for the checkout itself, never for the package installed elsewhere.
    expect(scripts.preprepare).toMatch(/^tsc /);
    expect(scripts.prepack).toMatch(/^tsc /);
  });

  it('holds the built CLI and agent, and no install script', () => {
    const installed = path.join(prefix, 'lib', 'node_modules', 'tripod');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    expect(INSTALL_SCRIPTS.filter((name) => manifest.scripts?.[name])).toEqual([]);
    expect(existsSync(path.join(installed, 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'dist', 'attach', 'agent.js'))).toBe(true);
    // The bundles (npm run bundle) bin/tripod.js and the runner's sampler worker start from.
    expect(existsSync(path.join(installed, 'dist', 'cli.bundle.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'dist', 'run.bundle.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'dist', 'worker.bundle.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
  });

  it('installs globally and as a dev dependency without a warning, from the loopback registry alone', () => {
    for (const install of Object.values(installs)) {
      expect(npmComplaints(install.stderr)).toEqual([]);
      expect(install.stdout).toMatch(/added \d+ packages?/);
    }
    expect(readdirSync(path.join(project, 'node_modules', '.bin'))).toContain('tripod');
    // npm fetched its packuments and tarballs here, and found what it asked for.
    expect(registry.requests.some((url) => url.endsWith('.tgz'))).toBe(true);
  });

  describe.each(nodes)('run from the installs, $label', ({ bin }) => {
    it('runs a script from the global install as node does', async () => {
      const script = path.join(FIXTURES, 'argv.js');
      const plain = await run(bin, [script, 'a', '-b']);
      const under = await run(path.join(prefix, 'bin', 'tripod'), ['-q', script, 'a', '-b'], { env: { PATH: pathFor(bin), TRIPOD_LOG: path.join(tempDir(), 'g.log') } });
      expect(under.stderr).toBe('');
      expect(under.code).toBe(0);
      expect(JSON.parse(under.stdout)).toEqual(JSON.parse(plain.stdout));
    });

    it('runs from the dev dependency through npx and an npm script', async () => {
      const env = { PATH: pathFor(bin), TRIPOD_LOG: path.join(tempDir(), 'd.log'), ...offlineNpmEnv(registry) };
      const viaNpx = await run('npx', ['tripod', '-q', 'app.js', 'x'], { cwd: project, env });
      expect(viaNpx.stderr).toBe('');
      expect(viaNpx.stdout).toBe('app x\n');
      const viaScript = await run('npm', ['run', '--silent', 'diag', '--', 'y'], { cwd: project, env });
      expect(viaScript.code).toBe(0);
      expect(viaScript.stdout).toBe('app y\n');
    });

    it('gives programs tripod/flags, by require and by a named import, with its types', async () => {
      writeFileSync(path.join(project, 'flags.cjs'), "const { flag } = require('tripod/flags'); console.log(flag('a', 2).value);\n");
      writeFileSync(path.join(project, 'flags.mjs'), "import { flag } from 'tripod/flags'; console.log(flag('mode', 'x', { choices: ['x', 'y'] }).value);\n");
      const required = await run(bin, ['flags.cjs'], { cwd: project });
      expect(required.stdout, required.stderr).toBe('2\n');
      const imported = await run(bin, ['flags.mjs'], { cwd: project });
      expect(imported.stdout, imported.stderr).toBe('x\n');
      expect(existsSync(path.join(project, 'node_modules', 'tripod', 'dist', 'flags', 'index.d.ts'))).toBe(true);
    });

    it('gives the agent to node --require "$(tripod --agent-path)", and dumps through it', async () => {
      const globalTripod = path.join(prefix, 'bin', 'tripod');
      const env = { PATH: pathFor(bin) };
      const agentPath = (await run(globalTripod, ['--agent-path'], { env })).stdout.trim();
      expect(agentPath).toBe(path.join(prefix, 'lib', 'node_modules', 'tripod', 'dist', 'attach', 'agent.js'));
      const target = startTarget(bin, ['--require', agentPath, '-e', 'setInterval(() => {}, 1000); process.stdout.write(`ready ${process.pid}\\n`)']);
      await target.waitFor(/ready/);
      const dump = await run(globalTripod, ['dump', String(target.pid)], { env });
      expect(dump.code, dump.stderr).toBe(0);
      expect(dump.stdout).toContain('reached through the tripod agent');
      target.stop();
    });
  });
});
