/**
 * An npm registry on 127.0.0.1 that holds exactly the runtime packages of the
 * checkout's package-lock.json, served from the tarballs `npm ci` left in npm's
 * cache. Installing the packed tarball against it needs no network: npm 11
 * resolves a new dependency from the full packument, which `npm ci` (working
 * from the lockfile) never fetches, so `--offline` alone cannot install it
 * from the cache `npm ci` filled.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

interface LockEntry {
  name?: string;
  version?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  os?: string[];
  cpu?: string[];
}

export interface LockfileRegistry {
  url: string;
  /** Every path asked for, in order: what npm fetched. */
  requests: string[];
  close(): Promise<void>;
}

type Packument = { name: string; 'dist-tags': { latest: string }; versions: Record<string, object> };

export async function startLockfileRegistry(root: string): Promise<LockfileRegistry> {
  const cache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  const tarballs = new Map<string, string>();
  const packuments = new Map<string, Packument>();
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = decodeURIComponent(request.url ?? '/');
    requests.push(url);
    const tarball = tarballs.get(url);
    const packument = packuments.get(url.slice(1));
    if (tarball) response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(tarball));
    else if (packument) response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
    else response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where === '' || entry.dev || entry.link || !entry.version || !entry.integrity) continue;
    const name = entry.name ?? where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const file = cachedContent(cache, entry.integrity);
    if (!existsSync(file)) throw new Error(`npm's cache has no tarball of ${name}@${entry.version} (${entry.integrity}); run npm ci first`);
    const tarballPath = `/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    tarballs.set(tarballPath, file);
    const packument = packuments.get(name) ?? { name, 'dist-tags': { latest: entry.version }, versions: {} };
    packument.versions[entry.version] = versionDocument(name, entry, `${base}${tarballPath}`);
    packument['dist-tags'].latest = latestOf(Object.keys(packument.versions));
    packuments.set(name, packument);
  }
  return { url: base, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** cacache keeps content by its integrity: content-v2/<algorithm>/<hex, split 2/2/rest>. */
function cachedContent(cache: string, integrity: string): string {
  const [algorithm, digest] = integrity.split('-');
  const hex = Buffer.from(digest, 'base64').toString('hex');
  return path.join(cache, '_cacache', 'content-v2', algorithm, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

function versionDocument(name: string, entry: LockEntry, tarball: string): object {
  const { dependencies, optionalDependencies, peerDependencies, peerDependenciesMeta, bin, engines, os, cpu } = entry;
  return { name, version: entry.version, dependencies, optionalDependencies, peerDependencies, peerDependenciesMeta, bin, engines, os, cpu, dist: { tarball, integrity: entry.integrity } };
}

function latestOf(versions: string[]): string {
  const parts = (version: string) => version.split(/[.-]/).map((part) => Number(part) || 0);
  return versions.reduce((best, version) => {
    const [a, b] = [parts(version), parts(best)];
    for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0) ? version : best;
    return best;
  });
}
