/**
 * --async-stacks: the async functions each server request in flight is suspended
 * in, innermost first, read at sample time from V8's own promise chains.
 *
 * At every promise the program makes with a parent (each `await` and `.then`), a
 * promise hook keeps the awaited promise in the request's cell (its
 * AsyncLocalStorage store): the last AWAITED_KEPT of them, no stack captured. A
 * sample of an idle thread then asks V8 who waits on each: a walker of tripod's
 * own, in a context of its own whose microtasks run as its script ends, awaits
 * once and is chained by a Promise.all whose capability claims to be the awaited
 * promise; when it resumes, Error.captureStackTrace follows V8's zero-cost async
 * stack trace from there — the awaited promise's one reaction, the async function
 * suspended on it, that function's promise, its awaiter… — and tripod reads the
 * call sites. Nothing of the program's is called or changed (the awaited promise
 * is only named, never resolved or chained), and only while nothing of the
 * program runs: a walk's microtasks reset V8's current microtask, which the
 * program's own Error stacks read within a microtask.
 */
/** Promises kept per request: enough for the handler's chain when a library's own awaits come first. */
export const AWAITED_KEPT = 8;
const KEPT_MASK = AWAITED_KEPT - 1;
/** Frames a request's chain lists, innermost first. */
const MAX_AWAIT_FRAMES = 16;
/** Longest function name or script name kept, in characters. */
const MAX_NAME = 300;

/** One request's await state: the promises its code awaited last, the newest at `next - 1`. */
export interface AwaitCell {
  id: number;
  awaited: unknown[];
  next: number;
  live: boolean;
}

/** What the probe asks: a request's chain, as JSON text of AwaitFrame objects; "" when none is found. */
export interface AwaitStacks {
  chainText(cell: AwaitCell): string;
}

/** Captured when tripod loads, before the program runs. */
const { apply } = Reflect;

export function newAwaitCell(id: number): AwaitCell {
  // Filled, never holed: a store into a hole would look for a setter on Array.prototype.
  const awaited = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  return { __proto__: null, id, awaited, next: 0, live: true } as unknown as AwaitCell;
}

/** The request ended: its promises are let go, and a later await in its context (a timer it left) keeps none. */
export function endAwaitCell(cell: AwaitCell): void {
  cell.live = false;
  for (let i = 0; i < AWAITED_KEPT; i++) cell.awaited[i] = undefined;
}

/**
 * Installs the promise hook. `cellNow` answers the request whose async context
 * runs (its AsyncLocalStorage store), undefined outside any.
 */
export function installAwaitHook(cellNow: () => unknown): AwaitStacks {
  const v8 = require('node:v8') as typeof import('node:v8');
  const vm = require('node:vm') as typeof import('node:vm');
  let walking = false;
  const keep = (_promise: unknown, parent: unknown) => {
    if (parent === undefined || walking) return;
    try {
      const cell = cellNow() as AwaitCell | undefined;
      if (cell === undefined || cell === null || typeof cell !== 'object' || !cell.live) return;
      cell.awaited[cell.next & KEPT_MASK] = parent;
      cell.next++;
    } catch {
      // A hook that threw would end the program: the await is left unkept.
    }
  };
  v8.promiseHooks.onInit(keep);

  const walker = walkerBuilder(vm);
  let walk: ((promises: unknown[], count: number) => string) | undefined;
  const candidates: unknown[] = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  return {
    chainText(cell: AwaitCell): string {
      let count = 0;
      for (let k = 0; k < AWAITED_KEPT && k < cell.next; k++) {
        const promise = cell.awaited[(cell.next - 1 - k) & KEPT_MASK];
        if (promise !== undefined && !seen(candidates, count, promise)) candidates[count++] = promise;
      }
      if (count === 0) return '';
      walking = true;
      try {
        walk ??= walker();
        return walk(candidates, count);
      } catch {
        return '';
      } finally {
        walking = false;
        for (let i = 0; i < count; i++) candidates[i] = undefined;
      }
    },
  };
}

function seen(list: unknown[], count: number, value: unknown): boolean {
  for (let i = 0; i < count; i++) if (list[i] === value) return true;
  return false;
}

/**
 * The walk's context, built at its first use (a sample of a server with requests
 * in flight): node:vm's functions captured now, before the program can replace
 * them. Its microtasks run when a script run in it ends (microtaskMode
 * 'afterEvaluate'), so one empty script's run is a walk's whole wait.
 */
function walkerBuilder(vm: typeof import('node:vm')): () => (promises: unknown[], count: number) => string {
  const { createContext, Script } = vm;
  const runInContext = Script.prototype.runInContext;
  const plainGlobal = vm.constants && (vm.constants as Record<string, unknown>).DONT_CONTEXTIFY;
  return () => {
    // Options without a prototype: node:vm reads every option it knows, and a getter the program put on Object.prototype would run.
    const context = createContext(plainGlobal === undefined ? { __proto__: null } : (plainGlobal as object), { __proto__: null, microtaskMode: 'afterEvaluate' } as import('node:vm').CreateContextOptions);
    const make = new Script(`(${makeAwaitWalk.toString()})`, { __proto__: null, filename: 'tripod:await-walk' } as import('node:vm').ScriptOptions);
    const empty = new Script('', { __proto__: null, filename: 'tripod:await-walk' } as import('node:vm').ScriptOptions);
    const drain = () => apply(runInContext, empty, [context]);
    return apply(runInContext, make, [context])(drain, MAX_AWAIT_FRAMES, MAX_NAME) as (promises: unknown[], count: number) => string;
  };
}

/**
 * Compiled in the walk's context: every name it uses is that context's. Given a
 * request's awaited promises, newest first, it walks from each and answers one
 * chain: the newest promise's, or a longer one it continues (the inner function a
 * handler awaits suspended first, so its await is older than the handler's).
 */
function makeAwaitWalk(drain: () => void, maxFrames: number, maxName: number) {
  const E = Error as any;
  const capture = E.captureStackTrace;
  const apply = Reflect.apply;
  const all = Promise.all;
  const quote = JSON.stringify;
  const slice = String.prototype.slice;
  E.prepareStackTrace = function keepSites(_: unknown, sites: unknown) {
    return sites;
  };
  const probe: any = {};
  capture(probe);
  const site = Object.getPrototypeOf(probe.stack[0]);
  const { getFunctionName, getScriptNameOrSourceURL, getLineNumber, getColumnNumber, isAsync, getPromiseIndex } = site;
  // Room for the walk's own frames beneath the walker (the probe's, this function's) and the chain.
  E.stackTraceLimit = 32 + 2 * maxFrames;
  let claimed: unknown;
  const sites: unknown[][] = [];
  const noop = () => {};
  /** The capability Promise.all makes for its result: it names the awaited promise, the walk's way into its chain. */
  function Claim(executor: (resolve: unknown, reject: unknown) => void) {
    executor(noop, noop);
    return claimed;
  }
  (Claim as any).resolve = (value: unknown) => value;
  async function walker(slot: number) {
    await undefined;
    const holder: any = {};
    capture(holder);
    sites[slot] = holder.stack;
  }
  const clip = (text: unknown) => (typeof text !== 'string' ? '' : text.length > maxName ? apply(slice, text, [0, maxName]) : text);
  type Place = [string, string, number, number, number];
  const place = (s: unknown): Place => {
    const index = apply(getPromiseIndex, s, []);
    const name = clip(apply(getFunctionName, s, []));
    // Promise.all, allSettled, any: V8 names the combinator and the index of the element awaited through it.
    if (typeof index === 'number') return [`Promise.${name}`, '', 0, 0, index];
    return [name, clip(apply(getScriptNameOrSourceURL, s, [])), apply(getLineNumber, s, []) || 0, apply(getColumnNumber, s, []) || 0, -1];
  };
  /** The async frames past the walk's own Promise.all frame: the program's chain, innermost first. */
  const chainOf = (list: unknown[] | undefined): Place[] => {
    const chain: Place[] = [];
    if (!list) return chain;
    let own = true;
    for (let i = 0; i < list.length && chain.length < maxFrames * 2; i++) {
      if (!apply(isAsync, list[i], [])) continue;
      if (own) own = false;
      else chain[chain.length] = place(list[i]);
    }
    return chain;
  };
  const same = (a: Place, b: Place) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4];
  /** Whether `longer` reaches `spine`'s innermost frame and goes on as it does. */
  const continues = (longer: Place[], spine: Place[]) => {
    for (let at = 0; at < longer.length; at++) {
      if (!same(longer[at], spine[0])) continue;
      for (let k = 1; k < spine.length && at + k < longer.length; k++) if (!same(longer[at + k], spine[k])) return false;
      return true;
    }
    return false;
  };
  const text = (chain: Place[]) => {
    let out = '';
    for (let i = 0; i < chain.length && i < maxFrames; i++) {
      const [fn, url, line, column, index] = chain[i];
      out += `${i === 0 ? '' : ','}{"function":${quote(fn)},"url":${quote(url)},"line":${line},"column":${column}${index >= 0 ? `,"index":${index}` : ''}}`;
    }
    return `[${out}]`;
  };
  return function walk(promises: unknown[], count: number): string {
    for (let i = 0; i < count; i++) {
      const resumed = walker(i);
      claimed = promises[i];
      apply(all, Claim, [[resumed]]);
    }
    claimed = undefined;
    drain();
    let spine: Place[] | undefined;
    let best: Place[] | undefined;
    for (let i = 0; i < count; i++) {
      const chain = chainOf(sites[i]);
      sites[i] = undefined as any;
      if (chain.length === 0) continue;
      if (spine === undefined) spine = best = chain;
      else if (chain.length > best!.length && continues(chain, spine)) best = chain;
    }
    return best ? text(best) : '';
  };
}
