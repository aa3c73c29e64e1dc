/**
 * eval, exec, import and reload: the commands that run code in the program, on
 * purpose (--read-only refuses them). Code runs `with` the object `import`
 * fills (kept on the global under a registered symbol, not a name:
 * IMPORTS_KEY), so imports are in scope, then the program's globals. eval and
 * exec run in a task of their own (eval-run.ts), so that Ctrl-C and their
 * deadline (--eval-timeout) can stop them while they run and the program goes
 * on; where that task cannot be had (the program replaced the natives it needs),
 * they run inside Runtime.evaluate with its `timeout`, as import and reload do:
 * the deadline still holds, and Ctrl-C only stops the waiting.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { withDeadline } from '../capture/cdp';
import { findRequireBuiltin } from '../capture/node-internals';
import { runInTask, taskNatives, type RunEnd } from './eval-run';
import { findModule, FRESH_INSTANCE_QUERY } from './module-catalog';
import { MONITOR_GROUP } from './module-scope';

/** Where import keeps what it loaded: a non-enumerable property of the global, under this registered symbol. */
export const IMPORTS_KEY = 'tripod.monitor.imports';
const IMPORTS = `globalThis[Symbol.for(${JSON.stringify(IMPORTS_KEY)})]`;
import { CommandFailed, type MonitorSession, type Outcome } from './session';

export interface RunControl {
  /** Whether results are coloured (a terminal, NO_COLOR unset). */
  colors: boolean;
  /** Fires when the user asks to cancel (Ctrl-C). */
  cancel?: AbortSignal;
}

interface RunAnswer {
  text?: string;
  error?: string;
  ms: number;
}

export async function evalCommand(session: MonitorSession, source: string, control: RunControl, statement: boolean): Promise<Outcome> {
  const what = statement ? 'exec' : 'eval';
  if (!source.trim()) throw new CommandFailed(`${what}: give ${statement ? 'statements' : 'an expression'}, e.g. ${statement ? 'exec globalThis.debug = true' : 'eval process.memoryUsage()'}`);
  const args = [source, control.colors, statement];
  const natives = await session.answer(taskNatives(session.thread.client), what);
  const answer = natives
    ? runAnswer(session, await runInTask(session, natives, { fn: RUN_SOURCE, settle: SETTLE, args, limitMs: session.config.evalTimeoutMs, ...(control.cancel ? { cancel: control.cancel } : {}) }))
    : await runInTarget(session, `function (source, colors, statement) { return (${SETTLE})((${RUN_SOURCE.replace('NAME', '__tripodRun')})(source, colors, statement)); }`, args, control);
  if (answer.error !== undefined) throw new CommandFailed(`${what}: ${answer.error}`, answer.ms > 0 ? answer.ms : undefined);
  return { text: answer.text ?? '', stoppedMs: answer.ms };
}

/** A run in a task of its own, said as runInTarget says its runs. */
function runAnswer(session: MonitorSession, end: RunEnd): RunAnswer {
  const limit = session.config.evalTimeoutMs / 1000;
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  switch (end.kind) {
    case 'answered':
      return end.value as RunAnswer;
    case 'refused':
      return { error: end.message, ms: 0 };
    case 'stopped':
      return end.by === 'deadline'
        ? { error: `stopped after ${limit} s (--eval-timeout); the program goes on`, ms: end.wallMs }
        : { error: `cancelled (Ctrl-C) after ${seconds(end.wallMs)} s; the program goes on`, ms: end.wallMs };
    case 'given up':
      if (end.by === 'late') return { error: `no answer within ${(session.config.evalTimeoutMs + session.config.timeoutMs) / 1000} s (a promise that does not settle, or a thread busy elsewhere); the program goes on`, ms: 0 };
      return end.why === 'not running'
        ? { error: 'given up (Ctrl-C); its code was not running (it waits for a promise): nothing was stopped, the program goes on', ms: 0 }
        : { error: 'given up (Ctrl-C); the thread did not answer (busy in a native call): the code runs on until that call returns', ms: 0 };
  }
}

/** `import SPEC [as NAME]`: a built-in, a package, or a loaded module's file, made available to later eval and exec. */
export async function importCommand(session: MonitorSession, args: string, control: RunControl): Promise<Outcome> {
  const match = /^(\S+)(?:\s+as\s+([A-Za-z_$][\w$]*))?\s*$/.exec(args.trim());
  if (!match) throw new CommandFailed('import: give a module and optionally a name, e.g. import os, import ./lib/cache.js as cache');
  const spec = match[1];
  const name = match[2] ?? bindingName(spec);
  const looksLocal = spec.startsWith('.') || spec.startsWith('/') || /\.[cm]?js$/.test(spec);
  const target = looksLocal ? (await findModule(session, spec, 'import')).path : spec;
  const answer = await runInTarget(session, importModule.toString(), [target, name, session.cwd, IMPORTS_KEY], control);
  if (answer.error !== undefined) throw new CommandFailed(`import: ${answer.error}`);
  return { text: `${name} = ${answer.text} (for later eval and exec)`, stoppedMs: answer.ms };
}

/**
 * `reload FILE`: drops a CommonJS module from the require cache, so the next require of it loads it anew.
 * An ES module cannot leave Node's loader (one instance per URL, no way to drop it, its importers linked
 * to it): `reload FILE as NAME` loads a fresh instance under a new URL instead, as NAME for eval and exec.
 */
export async function reloadCommand(session: MonitorSession, args: string, control: RunControl): Promise<Outcome> {
  const [, name, as] = /^(.*?)(?:\s+as\s+([A-Za-z_$][\w$]*))?\s*$/.exec(args.trim()) ?? [];
  const script = await findModule(session, name ?? '', 'reload');
  if (script.isModule && as) return freshInstance(session, script.path, as, control);
  if (script.isModule) throw new CommandFailed(`reload: ${script.path} is an ES module; ES modules cannot be loaded anew (Node's loader keeps one instance per URL and its importers stay linked to it): reload ${name} as NAME loads a fresh instance as NAME for eval and exec`);
  if (as) throw new CommandFailed(`reload: ${script.path} is a CommonJS module: reload ${name} drops it from the require cache; import ${name} as ${as} loads it`);
  const answer = await runInTarget(session, dropFromCache.toString(), [script.path], control);
  if (answer.error !== undefined) throw new CommandFailed(`reload: ${answer.error}`);
  return { text: `${script.path} left the require cache: the next require() loads it anew (who required it before keeps the old exports)`, stoppedMs: answer.ms };
}

let freshInstances = 0;

/** An ES module imported anew under `?tripod-reload=N` by Node's own loader (the program's import hooks apply as to any import). */
async function freshInstance(session: MonitorSession, file: string, name: string, control: RunControl): Promise<Outcome> {
  const client = session.thread.client;
  const requireBuiltin = await session.answer(findRequireBuiltin(client), 'reload');
  if (!requireBuiltin) throw new CommandFailed("reload: Node's internal loader was not found; an ES module cannot be imported anew in this process");
  const url = `${pathToFileURL(file).href}${FRESH_INSTANCE_QUERY}${++freshInstances}`;
  const limitMs = session.config.evalTimeoutMs + session.config.timeoutMs;
  const call = client.post('Runtime.callFunctionOn', {
    objectId: requireBuiltin,
    functionDeclaration: IMPORT_FRESH,
    arguments: [{ value: url }, { value: name }, { value: IMPORTS_KEY }],
    awaitPromise: true,
    returnByValue: true,
    silent: true,
  }) as Promise<{ result: { value?: RunAnswer }; exceptionDetails?: { text: string; exception?: { description?: string } } }>;
  const ended = await withDeadline(call, limitMs);
  if (!ended.answered) {
    ended.late.catch(() => {});
    if (control.cancel?.aborted) throw new CommandFailed('reload: given up (Ctrl-C)');
    throw new CommandFailed(`reload: no answer within ${limitMs / 1000} s (a module whose top level does not end); the program goes on`);
  }
  session.answered();
  const { result, exceptionDetails } = ended.value;
  if (exceptionDetails) throw new CommandFailed(`reload: ${exceptionDetails.exception?.description?.split('\n')[0] ?? exceptionDetails.text}`);
  if (result.value?.error !== undefined) throw new CommandFailed(`reload: ${result.value.error}`);
  return { text: `${name} = a fresh instance of ${file} (${url.slice(url.indexOf('?'))}), ${result.value?.text} (for later eval and exec; the program's importers keep the instance they have)`, stoppedMs: result.value?.ms ?? 0 };
}

/** Runs in the target, `this` Node's internal requireBuiltin: its ES module loader imports the URL; awaited, not then'd. */
const IMPORT_FRESH = `async function tripodImportFresh(url, name, importsKey) {
  const started = performance.now();
  try {
    const loaded = await this('internal/modules/esm/loader').getOrInitializeCascadedLoader().import(url, undefined, { __proto__: null });
    const key = Symbol.for(importsKey);
    if (!Object.prototype.hasOwnProperty.call(globalThis, key)) Object.defineProperty(globalThis, key, { value: { __proto__: null }, enumerable: false, configurable: true });
    globalThis[key][name] = loaded;
    return { text: Object.keys(loaded).length + ' exports', ms: performance.now() - started };
  } catch (error) {
    return { error: String((error && error.message) || error).split('\\n')[0], ms: performance.now() - started };
  }
}`;

/** "node:fs" -> fs, "./lib/cache.js" -> cache, "@scope/some-pkg" -> somePkg. */
function bindingName(spec: string): string {
  const base = path.basename(spec.replace(/^node:/, '')).replace(/\.[cm]?js$/, '');
  const camel = base.replace(/[-.](\w)/g, (_, c: string) => c.toUpperCase()).replace(/[^\w$]/g, '_');
  return /^\d/.test(camel) ? `_${camel}` : camel;
}

async function runInTarget(session: MonitorSession, fn: string, args: unknown[], control: RunControl): Promise<RunAnswer> {
  const client = session.thread.client;
  const limitMs = session.config.evalTimeoutMs;
  const call = client.post('Runtime.evaluate', {
    expression: `(${fn})(${args.map((arg) => JSON.stringify(arg)).join(', ')})`,
    timeout: limitMs,
    returnByValue: true,
    awaitPromise: true,
    objectGroup: MONITOR_GROUP,
    silent: true,
  }).catch((error: Error) => ({ failed: error }));
  const started = performance.now();
  // A promise that never settles, or a thread busy in a native call, is given up on too; Ctrl-C gives up at once.
  let giveUp: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (giveUp = setTimeout(() => resolve('late'), limitMs + session.config.timeoutMs)));
  let onCancel = () => {};
  const cancelled = new Promise<'cancelled'>((resolve) => {
    onCancel = () => resolve('cancelled');
    control.cancel?.addEventListener('abort', onCancel, { once: true });
  });
  try {
    const result = await Promise.race([call, late, cancelled]);
    if (result === 'cancelled') return { error: `given up (Ctrl-C); it runs on in the program until its deadline (--eval-timeout ${limitMs / 1000} s) at most`, ms: 0 };
    if (result === 'late') return { error: `no answer within ${(limitMs + session.config.timeoutMs) / 1000} s (a promise that does not settle, or a thread busy elsewhere); the program goes on`, ms: 0 };
    session.answered();
    if ('failed' in result) {
      // Node 20 says "Execution was terminated"; Node 24 answers a terminated run with an internal error (-32603).
      const wallMs = performance.now() - started;
      if (/terminated/i.test(result.failed.message) || wallMs >= limitMs) return { error: `stopped after ${limitMs / 1000} s (--eval-timeout); the program goes on`, ms: wallMs };
      return { error: `the inspector refused it (${result.failed.message})`, ms: 0 };
    }
    if (result.exceptionDetails) {
      const wallMs = performance.now() - started;
      const terminated = /terminated/i.test(`${result.exceptionDetails.exception?.description ?? ''} ${result.exceptionDetails.text}`) || wallMs >= limitMs;
      if (terminated) return { error: `stopped after ${limitMs / 1000} s (--eval-timeout); the program goes on`, ms: wallMs };
      return { error: result.exceptionDetails.exception?.description?.split('\n')[0] ?? result.exceptionDetails.text, ms: 0 };
    }
    return result.result.value as RunAnswer;
  } finally {
    clearTimeout(giveUp);
    control.cancel?.removeEventListener('abort', onCancel);
  }
}

/*
 * The functions below run in the target, stringified, as the user asked. Their
 * own names start with __tripod so that the user's code, run by direct eval
 * inside them, sees the program's names and not theirs.
 */

/** Written as text: tripod's own modules are strict code, where `with` cannot be written. NAME: the run's frame name. */
const RUN_SOURCE = `function NAME(__tripodSource, __tripodColors, __tripodStatement) {
  const __tripodImports = ${IMPORTS} || { __proto__: null };
  const __tripodUtil = process.getBuiltinModule('node:util');
  const __tripodInspect = (value) => __tripodUtil.inspect(value, { colors: __tripodColors, depth: 2 });
  const __tripodStart = performance.now();
  const __tripodDone = (value) => ({ text: __tripodStatement && value === undefined ? '' : __tripodInspect(value), ms: performance.now() - __tripodStart });
  const __tripodFailed = (error) => ({ error: __tripodInspect(error).split('\\n')[0], ms: performance.now() - __tripodStart });
  let __tripodValue;
  try {
    with (__tripodImports) __tripodValue = eval(__tripodSource);
  } catch (error) {
    return __tripodFailed(error);
  }
  // Awaited by the caller (an await calls no then of a native promise: the program's Promise.prototype.then is not called).
  if (!__tripodStatement && __tripodUtil.types.isPromise(__tripodValue)) return { pending: __tripodValue, done: __tripodDone, failed: __tripodFailed };
  return __tripodDone(__tripodValue);
}`;

/** What RUN_SOURCE handed back, its promise awaited. Runs in the target. */
const SETTLE = `async function (ran) {
  if (ran && ran.pending) {
    try {
      return ran.done(await ran.pending);
    } catch (error) {
      return ran.failed(error);
    }
  }
  return ran;
}`;

function importModule(spec: string, name: string, cwd: string, importsKey: string): unknown {
  const load = (process as any).getBuiltinModule;
  const start = performance.now();
  try {
    const loaded = load(spec) ?? load('node:module').createRequire(`${cwd}/[tripod monitor]`)(spec);
    const key = Symbol.for(importsKey);
    const g = globalThis as any;
    if (!Object.prototype.hasOwnProperty.call(g, key)) Object.defineProperty(g, key, { value: { __proto__: null }, enumerable: false, configurable: true });
    g[key][name] = loaded;
    const kind = typeof loaded === 'function' ? 'a function' : `an object with ${Object.keys(loaded ?? {}).length} keys`;
    return { text: kind, ms: performance.now() - start };
  } catch (error) {
    return { error: String((error as Error)?.message ?? error).split('\n')[0], ms: performance.now() - start };
  }
}

function dropFromCache(filename: string): unknown {
  const cache = (process as any).getBuiltinModule('node:module')._cache;
  if (!(filename in cache)) return { error: `${filename} is not in the require cache (loaded by import, or already dropped)`, ms: 0 };
  delete cache[filename];
  return { text: '', ms: 0 };
}
