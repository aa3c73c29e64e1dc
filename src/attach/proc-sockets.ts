/**
 * The listening sockets a process holds, from /proc (Linux): its fds name socket
 * inodes, and /proc/<pid>/net/{tcp,tcp6,unix} map inodes to addresses. Reading
 * another process's fds needs the same rights as signalling it.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export interface TcpListener {
  host: string;
  port: number;
}

const TCP_LISTEN = '0A';
/** __SO_ACCEPTCON in /proc/net/unix's Flags column: a listening socket. */
const UNIX_ACCEPTING = 0x10000;

export function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

/** TCP sockets in LISTEN state that belong to `pid`. */
export function tcpListeners(pid: number, inodes = socketInodes(pid)): TcpListener[] {
  return [...tcpTable(pid, 'tcp'), ...tcpTable(pid, 'tcp6')].filter((row) => inodes.has(row.inode)).map(({ host, port }) => ({ host, port }));
}

/** The socket inode of `pid`'s listener on `port` (its fds then tell, cheaply, when it closes). */
export function listenerInode(pid: number, port: number, inodes = socketInodes(pid)): string | undefined {
  return [...tcpTable(pid, 'tcp'), ...tcpTable(pid, 'tcp6')].find((row) => row.port === port && inodes.has(row.inode))?.inode;
}

/** Every TCP listener in the process's network namespace, whoever owns it. */
export function portListened(pid: number, port: number): boolean {
  return [...tcpTable(pid, 'tcp'), ...tcpTable(pid, 'tcp6')].some((row) => row.port === port);
}

/** Paths of the Unix sockets `pid` listens on. */
export function unixListeners(pid: number, inodes = socketInodes(pid)): string[] {
  return listeningUnixRows(readTable(`/proc/${pid}/net/unix`))
    .filter((row) => inodes.has(row.inode))
    .map((row) => row.path);
}

/** The listening sockets of /proc/net/unix rows (its header left out): path and inode. */
export function listeningUnixRows(lines: string[]): Array<{ path: string; inode: string }> {
  const rows: Array<{ path: string; inode: string }> = [];
  for (const line of lines) {
    const [, , , flags, , , inode, path] = line.trim().split(/\s+/);
    if (path && (parseInt(flags, 16) & UNIX_ACCEPTING) !== 0) rows.push({ path, inode });
  }
  return rows;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * A numeric loopback address: 127.0.0.0/8, ::1, or ::ffff:127.x.y.z. A name
 * (even one that starts with "127.") is not: what it resolves to is another
 * matter (see the inspector host check, which resolves `localhost` only).
 */
export function isLoopback(host: string): boolean {
  if (isIPv4(host)) return LOOPBACK.check(host, 'ipv4');
  // BlockList matches an IPv4-mapped IPv6 address against the IPv4 rules.
  if (isIPv6(host)) return LOOPBACK.check(host, 'ipv6');
  return false;
}

function tcpTable(pid: number, name: 'tcp' | 'tcp6') {
  return listeningTcpRows(readTable(`/proc/${pid}/net/${name}`), name);
}

/** The LISTEN rows of /proc/net/tcp or tcp6 (its header left out), addresses decoded: host, port, inode. */
export function listeningTcpRows(lines: string[], table: 'tcp' | 'tcp6'): Array<TcpListener & { inode: string }> {
  const decode = table === 'tcp' ? ipv4 : ipv6;
  const rows: Array<TcpListener & { inode: string }> = [];
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== TCP_LISTEN) continue;
    const [hexHost, hexPort] = fields[1].split(':');
    rows.push({ host: decode(hexHost), port: parseInt(hexPort, 16), inode: fields[9] });
  }
  return rows;
}

function readTable(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean);
  } catch {
    return [];
  }
}

/** The kernel prints each 32-bit word of an address in host (little-endian) order. */
function words(hex: string): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < hex.length; i += 8) {
    const word = hex.slice(i, i + 8);
    out.push([6, 4, 2, 0].map((at) => parseInt(word.slice(at, at + 2), 16)));
  }
  return out;
}

function ipv4(hex: string): string {
  return words(hex)[0].join('.');
}

function ipv6(hex: string): string {
  const bytes = words(hex).flat();
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}
