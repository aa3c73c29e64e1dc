/**
 * The probe context: the stack probe's home in the target, a V8 context of its
 * own (node:vm) whose Error, Reflect, JSON and call sites nobody else can reach,
 * so reading the stack never calls what the program replaced, froze or wrapped
 * (Error.prepareStackTrace, Error.stackTraceLimit, Array.prototype.push,
 * Object.freeze(Error), --frozen-intrinsics). Error.captureStackTrace from that
 * context still sees the main context's frames: it is the same isolate and stack.
 *
 * What runs in the target is installed as a holder, a frozen object on a
 * non-writable, non-configurable, non-enumerable global: the runner installs it
 * before the script runs and the preload agent at load, with node:vm and
 * process.getActiveResourcesInfo as Node made them. The context itself is built at
 * the holder's first use (~1 ms, once, inside the first sample), so starting the
 * script costs only the holder. A process tripod attaches to without either gets
 * it at the first attach, through Node's verified natives alone (probe-install.ts).
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** The global the holder lives on. */
export const PROBE_HOLDER = '__tripodStackProbe';
/** The probe's function name and script, which CPU profiles see when a tick lands in a probe. */
export const PROBE_FUNCTION = '__tripodProbe';
export const PROBE_SCRIPT = 'tripod:stack-probe';

/** What `holder.probe(...)` answers, as JSON text. */
export interface ProbeReply {
  /** [function, script, line, column] of the frames below the probe's own, top first, up to `head`. */
  head: Array<[string, string, number, number]>;
  /** The bottom `tail` frames, when the stack is deeper than `head`. */
  tail: Array<[string, string, number, number]>;
  /** All frames below the probe's own. */
  total: number;
  /** What an idle event loop waits on (process.getActiveResourcesInfo()). */
  waitingOn?: string[];
  /** The top frame stands at its function's entry: it was called just now (see enteredJustNow). */
  entered?: boolean;
  /** What is in flight, and the request whose code runs (requests/in-flight-text.ts), where tripod tracks them. */
  requests?: { inFlight: import('../record/requests').InFlight; request?: import('../record/requests').RunningRequest };
}

/**
 * Installs the holder in this (the target's main) thread. Called before any of
 * the program's code runs, so what it captures is Node's own.
 */
export function installProbeHolder(requests?: InFlightSnapshot, collect: (() => void) | undefined = fullCollector()): void {
  installHolder(globalThis, vm, process, `(${makeStackProbe.toString()})`, PROBE_HOLDER, PROBE_SCRIPT, requests, collect);
}

/**
 * A synchronous full garbage collection, for the holder's `collect` (the
 * scripts tripod's reads leave: script-pile.ts), or undefined. V8 offers one
 * only as the `gc` global of a context made while --expose-gc is set: the flag
 * is set for the one context made here, before the program's first line, and
 * unset at once, so no context or worker of the program's ever has a `gc` it
 * would not have had under node. A process started with --expose-gc keeps it.
 * The runner makes it before it starts the sampler worker, so that no other
 * thread of its own starts in the window (a thread a preload started could).
 */
export function fullCollector(): (() => void) | undefined {
  // Asked of the process's flags too: a preload may have deleted the global, and --expose-gc-as names it otherwise.
  const exposed = typeof (globalThis as { gc?: unknown }).gc === 'function' || [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((flag) => /expose[-_]gc/.test(flag));
  try {
    if (!exposed) v8.setFlagsFromString('--expose-gc');
    // A sandbox without a prototype: the context's `gc` is looked up past it, never on the program's Object.prototype.
    const gc: unknown = vm.runInContext('gc', vm.createContext({ __proto__: null }));
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  } finally {
    if (!exposed) v8.setFlagsFromString('--no-expose-gc');
  }
}

/** The request table's reader (requests/tracker.ts), when tripod runs the script: JSON text of what is in flight; `idle`: no frame beneath the probe. */
export type InFlightSnapshot = (max: number, idle: boolean) => string;

/** The installer's parameters, in the order probe-install.ts passes them. */
export const INSTALLER_PARAMETERS = ['global', 'proc', 'activeResources', 'holderName'] as const;

/**
 * The body of the installer of a process tripod did not start, compiled by a
 * fresh context's own `Function` (probe-install.ts): the installer, the probe and
 * the holder's method then all belong to that context, and every name they use
 * is its own.
 */
export function freshInstallerBody(): string {
  return `return (${installInFresh.toString()})((${makeStackProbe.toString()}), ${INSTALLER_PARAMETERS.join(', ')});\n//# sourceURL=${PROBE_SCRIPT}`;
}

/**
 * Runs in the fresh context, as its own code (its Object is not the program's):
 * the holder, unless one is there already (another attach's). Getters on the
 * program's prototypes play no part: only the global's own property is looked at.
 */
function installInFresh(make: typeof makeStackProbe, global: object, proc: unknown, activeResources: unknown, holderName: string): unknown {
  const existing = Object.getOwnPropertyDescriptor(global, holderName);
  if (existing) return existing.value;
  const probe = make(activeResources, proc, undefined);
  const holder = Object.freeze({
    __proto__: null,
    probe(skip: number, head: number, tail: number): string {
      return probe(skip, head, tail);
    },
  });
  Object.defineProperty(global, holderName, { value: holder });
  return holder;
}

/**
 * Runs in the target (its source is sent as text): self-contained. Reads nothing
 * of the program's after it returns: the holder's method uses only what it
 * captured here.
 */
function installHolder(
  global: any,
  vmModule: typeof vm,
  proc: any,
  probeSource: string,
  holderName: string,
  scriptName: string,
  requests?: (max: number, idle: boolean) => string,
  collect?: () => void,
): unknown {
  const existing = Object.getOwnPropertyDescriptor(global, holderName);
  if (existing) return existing.value;
  const createContext = vmModule.createContext;
  const runInContext = vmModule.runInContext;
  // An ordinary global where Node has it (20.18, 22.8): a contextified one would look names up in a sandbox object first.
  const plainGlobal = vmModule.constants && (vmModule.constants as any).DONT_CONTEXTIFY;
  const activeResources = proc.getActiveResourcesInfo;
  const hrtime = proc.hrtime;
  let probe: ((skip: number, head: number, tail: number) => string) | undefined;
  const build = () => {
    const context = createContext(plainGlobal === undefined ? { __proto__: null } : plainGlobal);
    const make = runInContext(probeSource, context, { __proto__: null, filename: scriptName } as vm.RunningCodeOptions);
    return make(activeResources, proc, requests);
  };
  const holder = Object.freeze({
    __proto__: null,
    probe(skip: number, head: number, tail: number): string {
      if (probe === undefined) probe = build();
      return probe!(skip, head, tail);
    },
    /** One full garbage collection, now: the milliseconds it took; false where there is no collector. */
    collect(): number | false {
      if (collect === undefined) return false;
      const [s0, ns0] = hrtime();
      collect();
      const [s1, ns1] = hrtime();
      return (s1 - s0) * 1e3 + (ns1 - ns0) / 1e6;
    },
  });
  Object.defineProperty(global, holderName, { value: holder });
  return holder;
}

/**
 * Compiled inside the probe context, so every name it uses is that context's.
 * The probe captures the whole stack (its depth is counted right) but describes
 * only the top `head` frames and the bottom `tail` (where tripod's launcher and
 * Node's loader frames are, to be hidden).
 */
function makeStackProbe(activeResources: unknown, proc: unknown, requests?: (max: number, idle: boolean) => string) {
  const E = Error as any;
  const capture = E.captureStackTrace;
  const apply = Reflect.apply;
  const stringify = JSON.stringify;
  const isArray = Array.isArray;
  // This context's own hook: Node's stack callback asks the context the stack is captured in.
  E.prepareStackTrace = function keepSites(_: unknown, sites: unknown) {
    return sites;
  };
  E.stackTraceLimit = 1;
  const sample: any = {};
  capture(sample);
  const site = Object.getPrototypeOf(sample.stack[0]);
  const functionName = site.getFunctionName;
  const scriptName = site.getScriptNameOrSourceURL;
  const lineNumber = site.getLineNumber;
  const columnNumber = site.getColumnNumber;
  const enclosingLine = site.getEnclosingLineNumber;
  const enclosingColumn = site.getEnclosingColumnNumber;
  /**
   * Whether a frame stands in its function's head (between the `function` or
   * name token and the parameters' parenthesis), where V8 checks interrupts on
   * entry: the probe then runs as the function is entered. A thread back from a
   * native call answers at its first function entry or loop back-edge, so such a
   * top frame is the first call made after the native call returned.
   */
  const enteredJustNow = (s: unknown): boolean => {
    if (typeof enclosingLine !== 'function' || typeof enclosingColumn !== 'function') return false;
    if (apply(lineNumber, s, []) !== apply(enclosingLine, s, [])) return false;
    const into = (apply(columnNumber, s, []) as number) - (apply(enclosingColumn, s, []) as number);
    const name = (apply(functionName, s, []) as string | null) || '';
    // The longest head before the parenthesis: `async function* ` and the name.
    return into >= 0 && into <= name.length + 16;
  };
  const describe = (s: unknown) => [apply(functionName, s, []) || '', apply(scriptName, s, []) || '', apply(lineNumber, s, []) || 0, apply(columnNumber, s, []) || 0];
  const waitingOn = () => {
    if (typeof activeResources !== 'function') return undefined;
    const listed = apply(activeResources, proc, []);
    if (!isArray(listed)) return undefined;
    // Copied element by element: stringify on Node's array would look up toJSON on the program's prototypes.
    const copy: string[] = [];
    for (let i = 0; i < listed.length; i++) copy[i] = `${listed[i]}`;
    return copy;
  };
  return function __tripodProbe(skip: number, head: number, tail: number): string {
    E.stackTraceLimit = Infinity;
    const holder: any = {};
    capture(holder);
    const sites = holder.stack;
    const total = sites.length - skip;
    const headEnd = skip + head < sites.length ? skip + head : sites.length;
    const tailStart = sites.length - tail > headEnd ? sites.length - tail : headEnd;
    const top: unknown[] = [];
    for (let i = skip; i < headEnd; i++) top[i - skip] = describe(sites[i]);
    const bottom: unknown[] = [];
    for (let i = tailStart; i < sites.length; i++) bottom[i - tailStart] = describe(sites[i]);
    const reply = stringify({ head: top, tail: bottom, total, waitingOn: total === 0 ? waitingOn() : undefined, entered: total > 0 ? enteredJustNow(sites[skip]) : undefined });
    // The 20 oldest of each kind, and how many in all.
    const inFlight = typeof requests === 'function' ? apply(requests, undefined, [20, total === 0]) : undefined;
    // Text the tracker wrote from strings and numbers only, spliced in: this context's string methods.
    return typeof inFlight === 'string' && inFlight !== '' ? `{"requests":${inFlight},${reply.slice(1)}` : reply;
  };
}
