/**
 * Headless Chromium (Debian's `chromium` package) for tests that look at what
 * tripod draws. Installed with apt-get when missing; where that cannot be done,
 * the caller skips with the reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const CHROMIUM = '/usr/bin/chromium';

export type ChromiumCheck = { ok: true; bin: string } | { ok: false; reason: string };

export function ensureChromium(): ChromiumCheck {
  if (existsSync(CHROMIUM)) return { ok: true, bin: CHROMIUM };
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: 'ignore',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    return { ok: false, reason: `chromium is missing and apt-get could not install it (${(error as Error).message.split('\n')[0]}); install Debian's chromium package to run this test` };
  }
  return existsSync(CHROMIUM) ? { ok: true, bin: CHROMIUM } : { ok: false, reason: 'apt-get installed chromium but /usr/bin/chromium is missing' };
}

/** A PNG screenshot of `file` rendered headless in a width x height window. */
export function screenshot(bin: string, file: string, width: number, height: number): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'tripod-chromium-'));
  const png = path.join(dir, 'shot.png');
  const result = spawnSync(
    bin,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      `--screenshot=${png}`,
      `--window-size=${width},${height}`,
      `file://${file}`,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (!existsSync(png)) throw new Error(`chromium wrote no screenshot (exit ${result.status}): ${result.stderr.slice(-2000)}`);
  return readFileSync(png);
}

/** The document `file` becomes in headless Chromium once its scripts ran (--dump-dom). */
export function renderedDom(bin: string, file: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tripod-chromium-'));
  const result = spawnSync(bin, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${path.join(dir, 'profile')}`, '--dump-dom', `file://${file}`], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`chromium --dump-dom failed (exit ${result.status}): ${result.stderr.slice(-2000)}`);
  return result.stdout;
}
