/**
 * The requests in flight as a sample sees them: the program's HTTP server
 * requests, the outbound requests it made, and the request whose code a sample
 * caught running. The `slow` and `slow-end` records (records.ts) carry them too.
 * Imports nothing: part of the data model.
 */

/** A request the program's HTTP server is serving. */
export interface ServerRequest {
  /** tripod's number for it, in the order requests came in (not the program's). */
  id: number;
  method: string;
  /** The URL's path; its query string is cut to `?…` unless --keep-query. */
  path: string;
  /** Milliseconds since it came in. */
  ageMs: number;
  /**
   * --async-stacks: the async functions it is suspended in, innermost first (its handler last), as V8's async
   * stack trace names them; absent when none was found or the sample caught the main thread running.
   */
  awaiting?: AwaitFrame[];
}

/** One async function a request is suspended in, at the `await` it waits at. */
export interface AwaitFrame {
  function: string;
  /** Script URL as V8 knows it (file:// URL, node:internal/...). */
  url: string;
  line: number;
  column: number;
  /** A Promise.all, allSettled or any frame (`function` "Promise.all"): the index of the element the chain goes through; no url. */
  index?: number;
}

/** An HTTP request the program made (http/https or fetch) that has not yet ended. */
export interface OutboundRequest {
  id: number;
  method: string;
  /** `http://host:port`. */
  origin: string;
  path: string;
  ageMs: number;
  /** The server request whose code made it, when known. */
  parent?: number;
}

/** What a sample says is in flight: the oldest of each kind, with how many there are in all. */
export interface InFlight {
  server: ServerRequest[];
  serverTotal: number;
  outbound: OutboundRequest[];
  outboundTotal: number;
  /** Other work the event loop holds, by kind (Timeout: 3, TCPSocketWrap: 2). */
  pending?: Record<string, number>;
  /**
   * "heap": found in the heap of a process tripod did not start (tripod dump PID), best effort: server
   * requests whose response is not finished, in no order, their ages unknown (0) and ids tripod's count.
   * "sockets": found on the open sockets of a process tripod did not start (tripod record --requests PID), best
   * effort: server requests only, each age counted from the sample that first saw it (a lower bound).
   */
  source?: 'heap' | 'sockets';
}

/** The server request whose code was running when the sample was taken. */
export interface RunningRequest {
  id: number;
  method: string;
  path: string;
  ageMs: number;
}
