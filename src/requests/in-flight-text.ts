/**
 * The request table's entries and their JSON text, as the probe and the --slow
 * capture read them. Written out by hand from strings and numbers: JSON.stringify
 * of an object or array would look up `toJSON` on prototypes the program may have
 * changed, while for a string it calls nothing. Every built-in is captured when
 * tripod loads, before the program runs.
 */
import type { AwaitCell, AwaitStacks } from './async-stacks';

export interface Entry {
  kind: 'server' | 'outbound';
  id: number;
  method: string;
  path: string;
  /** Outbound only: `http://host:port`. */
  origin: string;
  /** Epoch ms it started. */
  start: number;
  /** What says it ended without an end event: the server response or the client request (`destroyed`). */
  handle: unknown;
  /** Its --slow slot, -1 without one. */
  slot: number;
  /** Outbound only: the server request whose code made it. */
  parent?: number;
  /** Server only, with --async-stacks: the promises its code awaited last. */
  awaits?: AwaitCell;
}

const { apply } = Reflect;
const quote = JSON.stringify as (value: string) => string;
const { indexOf, slice } = String.prototype;
const { forEach: mapForEach } = Map.prototype;
const activeResources = process.getActiveResourcesInfo;
const hasOwn = Object.prototype.hasOwnProperty;

/** Longest path kept, in characters. */
const MAX_PATH = 200;

/** The URL's path with its query string cut to `?…` (unless kept), bounded. */
export function pathOf(url: string, keepQuery: boolean): string {
  const query = apply(indexOf, url, ['?']) as number;
  const path = query < 0 || keepQuery ? url : `${apply(slice, url, [0, query]) as string}?…`;
  return path.length > MAX_PATH ? `${apply(slice, path, [0, MAX_PATH]) as string}…` : path;
}

/** `host:port` from a client request's rendered head (its Host line), else the host alone. */
export function hostOf(head: string, host: string): string {
  const at = apply(indexOf, head, ['\r\nHost: ']) as number;
  if (at < 0) return host;
  const end = apply(indexOf, head, ['\r\n', at + 8]) as number;
  return apply(slice, head, [at + 8, end < 0 ? head.length : end]) as string;
}

function serverText(entry: Entry, now: number, stacks?: AwaitStacks): string {
  const chain = stacks && entry.awaits ? stacks.chainText(entry.awaits) : '';
  return `{"id":${entry.id},"method":${quote(entry.method)},"path":${quote(entry.path)},"ageMs":${now - entry.start}${chain ? `,"awaiting":${chain}` : ''}}`;
}

function outboundText(entry: Entry, now: number): string {
  const parent = entry.parent === undefined ? '' : `,"parent":${entry.parent}`;
  return `{"id":${entry.id},"method":${quote(entry.method)},"origin":${quote(entry.origin)},"path":${quote(entry.path)},"ageMs":${now - entry.start}${parent}}`;
}

/** The first `max` entries' text, oldest first, joined with commas. */
function oldest(table: Map<object, Entry>, max: number, now: number, describe: (entry: Entry, now: number) => string): string {
  let listed = '';
  let count = 0;
  apply(mapForEach, table, [
    (entry: Entry) => {
      if (count >= max) return;
      listed += `${count++ === 0 ? '' : ','}${describe(entry, now)}`;
    },
  ]);
  return listed;
}

/** What the event loop holds, by kind: `{"Timeout":3,"TCPSocketWrap":2}`; "" when Node cannot say. */
function pendingText(): string {
  if (typeof activeResources !== 'function') return '';
  const listed = apply(activeResources, process, []) as unknown[];
  const counts: Record<string, number> = { __proto__: null } as unknown as Record<string, number>;
  const names: string[] = [];
  for (let i = 0; i < listed.length; i++) {
    const name = `${listed[i] as string}`;
    if (apply(hasOwn, counts, [name])) counts[name]++;
    else {
      counts[name] = 1;
      names[names.length] = name;
    }
  }
  let text = '';
  for (let i = 0; i < names.length; i++) text += `${i === 0 ? '' : ','}${quote(names[i])}:${counts[names[i]]}`;
  return `{${text}}`;
}

/** The sample's `inFlight` and `request`, as one object's text; "" when nothing is in flight. */
export function inFlightText(server: Map<object, Entry>, outbound: Map<object, Entry>, max: number, now: number, running: Entry | undefined, stacks?: AwaitStacks): string {
  // Nothing in flight: nothing to say, and the sample stays as it was without requests.
  if (server.size === 0 && outbound.size === 0) return '';
  const pending = pendingText();
  const inFlight =
    `{"server":[${oldest(server, max, now, stacks ? (entry, at) => serverText(entry, at, stacks) : serverText)}],"serverTotal":${server.size},` +
    `"outbound":[${oldest(outbound, max, now, outboundText)}],"outboundTotal":${outbound.size}${pending ? `,"pending":${pending}` : ''}}`;
  return `{"inFlight":${inFlight}${running ? `,"request":${serverText(running, now)}` : ''}}`;
}
