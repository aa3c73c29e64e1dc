/**
 * Unit tests, in-process: decoding /proc's socket tables (rows written out here, as the kernel prints them),
 * then this test process's own listeners read from its real /proc.
 */
import { createServer, type Server } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback, listeningTcpRows, listeningUnixRows, tcpListeners, unixListeners } from '../../src/attach/proc-sockets';

const TCP_ROWS = [
  // 127.0.0.1:43179 listening; the kernel prints each 32-bit word in host (little-endian) order.
  '   0: 0100007F:A8AB 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1018755 1 000000009026653b 100 0 0 10 0',
  // 0.0.0.0:2024 listening.
  '   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1077 1 00000000ba8d1e42 100 0 0 10 0',
  // An established connection (state 01): not a listener.
  '   2: 0100007F:A8AB 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 1018999 1 0000000000000000 20 4 30 10 -1',
];
const TCP6_ROWS = [
  // [::1]:9229
  '   0: 00000000000000000000000001000000:240D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2001 1 0000000000000000 100 0 0 10 0',
  // [::ffff:127.0.0.1]:8080
  '   1: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2002 1 0000000000000000 100 0 0 10 0',
  // [::]:443
  '   2: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2003 1 0000000000000000 100 0 0 10 0',
  // [fe80::1]:80
  '   3: 000080FE000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2004 1 0000000000000000 100 0 0 10 0',
];
const UNIX_ROWS = [
  // Listening (flags __SO_ACCEPTCON), with a path.
  '0000000000000000: 00000002 00000000 00010000 0001 01 31001 /run/user/1000/tripod/tripod-agent-4242.sock',
  // Connected, same kind of path: not a listener.
  '0000000000000000: 00000003 00000000 00000000 0001 03 31002 /run/user/1000/tripod/tripod-agent-4242.sock',
  // Listening but unnamed.
  '0000000000000000: 00000002 00000000 00010000 0001 01 31003',
  // Abstract name.
  '0000000000000000: 00000002 00000000 00010000 0001 01 31004 @/tmp/.X11-unix/X0',
];

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function listen(...args: unknown[]): Promise<Server> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(...(args as [number]), () => resolve(server));
  });
}

describe('/proc socket tables', () => {
  it('decodes IPv4 listeners and skips other states', () => {
    expect(listeningTcpRows(TCP_ROWS, 'tcp')).toEqual([
      { host: '127.0.0.1', port: 43179, inode: '1018755' },
      { host: '0.0.0.0', port: 2024, inode: '1077' },
    ]);
  });

  it('decodes IPv6 listeners: loopback, IPv4-mapped, any, link-local', () => {
    expect(listeningTcpRows(TCP6_ROWS, 'tcp6').map((row) => `${row.host} ${row.port} ${row.inode}`)).toEqual([
      '::1 9229 2001',
      '::ffff:127.0.0.1 8080 2002',
      ':: 443 2003',
      'fe80::1 80 2004',
    ]);
  });

  it('keeps listening Unix sockets with a path, abstract names included', () => {
    expect(listeningUnixRows(UNIX_ROWS)).toEqual([
      { path: '/run/user/1000/tripod/tripod-agent-4242.sock', inode: '31001' },
      { path: '@/tmp/.X11-unix/X0', inode: '31004' },
    ]);
  });

  it('tells loopback addresses by number only', () => {
    for (const host of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'localhost', '127.0.0.1.example.com', 'fe80::1']) expect(isLoopback(host), host).toBe(false);
  });
});

describe("this process's own sockets, from its real /proc", () => {
  it('finds its TCP listeners on 127.0.0.1 and ::1 and its Unix listener, and no longer once closed', async () => {
    const v4 = await listen(0, '127.0.0.1');
    const v6 = await listen(0, '::1').catch(() => undefined);
    const socketPath = path.join(mkdtempSync(path.join(tmpdir(), 'tripod-unit-')), 'listening.sock');
    const unix = await listen(socketPath);
    const v4Port = (v4.address() as { port: number }).port;
    const found = tcpListeners(process.pid);
    expect(found).toContainEqual({ host: '127.0.0.1', port: v4Port });
    if (v6) expect(found).toContainEqual({ host: '::1', port: (v6.address() as { port: number }).port });
    expect(unixListeners(process.pid)).toContain(socketPath);
    await new Promise((resolve) => v4.close(resolve));
    await new Promise((resolve) => unix.close(resolve));
    expect(tcpListeners(process.pid)).not.toContainEqual({ host: '127.0.0.1', port: v4Port });
    expect(unixListeners(process.pid)).not.toContain(socketPath);
  });

  it('answers nothing for a process it cannot see', () => {
    expect(tcpListeners(2 ** 22 + 1)).toEqual([]);
    expect(unixListeners(2 ** 22 + 1)).toEqual([]);
  });
});
