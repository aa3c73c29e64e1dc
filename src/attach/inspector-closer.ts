/**
 * Closing the inspector tripod opened, from tripod's side: Node's native close
 * (native-close.ts), looked for once, the lease built on it (lease.ts), and the
 * wait for the port to leave the target's socket table.
 */
import { callNativeClose, findNativeClose } from './native-close';
import type { CdpConnection } from '../capture/cdp-connection';
import { armLease, type Lease, LEASE_RENEW_MS } from './lease';
import { listenerInode, socketInodes } from './proc-sockets';

const PORT_POLL_MS = 2;

/**
 * Node's native close, found and called through CDP alone (native-close.ts). It
 * closes the server and every session, ours too: true once our socket closed or
 * the port left the target's socket table (the server is closed before
 * _debugEnd returns; the WebSocket's close frame can trail it by a delayed ACK).
 */
export async function closeInspector(main: CdpConnection, closer: Closer, pid: number, port: number, waitMs: number, inode?: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
  try {
    const close = await Promise.race([closer.close(), timeout]);
    if (!close) return false;
    const closed = new Promise<true>((resolve) => main.onClose(() => resolve(true)));
    void callNativeClose(main, close).catch(() => {});
    return await Promise.race([closed, portGone(pid, port, timeout, inode), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Node's native close, looked for once (when first needed), and the lease built on it. */
export class Closer {
  private found?: Promise<string | undefined>;
  private lease?: Promise<Lease | undefined>;
  private renew?: NodeJS.Timeout;
  private ended = false;

  constructor(private readonly main: CdpConnection) {}

  close(): Promise<string | undefined> {
    this.found ??= findNativeClose(this.main).catch(() => undefined);
    return this.found;
  }

  holdLease(): Promise<Lease | undefined> {
    this.lease ??= this.close().then(async (id) => {
      const lease = id && !this.ended ? await armLease(this.main, id).catch(() => undefined) : undefined;
      if (lease && !this.ended) {
        this.renew = setInterval(() => lease.renew(), LEASE_RENEW_MS);
        this.renew.unref();
      }
      return lease;
    });
    return this.lease;
  }

  /** Not awaited: the end is sent before the close, and the target runs them in order. */
  endLease(): void {
    this.ended = true;
    clearInterval(this.renew);
    void this.lease?.then((lease) => lease?.end());
  }
}

/** Resolves true once `port` is no longer among `pid`'s listeners (polled: the fd list is cheap to read). */
async function portGone(pid: number, port: number, until: Promise<false>, known?: string): Promise<boolean> {
  let over = false;
  void until.then(() => (over = true));
  // The TCP tables are slow to read (~10 ms in some sandboxes): find the socket once, then watch the fd list for it.
  const inode = known ?? listenerInode(pid, port);
  while (!over) {
    if (inode === undefined || !socketInodes(pid).has(inode)) return true;
    await new Promise((resolve) => setTimeout(resolve, PORT_POLL_MS));
  }
  return false;
}
