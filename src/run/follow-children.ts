/**
 * --children: what makes every process the program starts run under tripod if it is Node.js, and how a
 * followed child takes it back out of what its own code sees.
 *
 * A child is given two environment variables: NODE_OPTIONS with `--require <dist>/run/child-preload.js`
 * added after whatever NODE_OPTIONS the program gave it, and TRIPOD_FOLLOW, the run's settings, the log,
 * and that NODE_OPTIONS as the program gave it. They are added at the two native calls every
 * child_process function ends in (process_wrap's Process#spawn: spawn, fork, exec, execFile, cluster;
 * spawn_sync's spawn: the *Sync ones), not to process.env: the program's own environment stays as it was,
 * and a child it starts with an environment of its own making (even `{}`) is followed too. A shell or any
 * other program that is not Node passes them on to the Node programs it starts, and is otherwise
 * untouched by them. A followed child removes both from its process.env before its code runs
 * (takeFollowSettings) and adds them again, the same way, to its own children.
 *
 * Loaded in every followed process before its code runs, and in each of its worker threads (NODE_OPTIONS'
 * --require runs there too): it imports nothing but Node's path and tripod's types.
 */
import type { SamplerConfig } from './sampler';

/** The private variable that carries the settings; never left in a followed process's process.env. */
export const FOLLOW_VARIABLE = 'TRIPOD_FOLLOW';

/** What each followed process runs with: the parent run's options and its log. */
export type FollowSettings = SamplerConfig & {
  /** The log every process of the run appends its records to. */
  logPath: string;
  /** tripod's debug sections that are on (diagnostics/debug-log), or empty. */
  debug: string;
  /**
   * tripod's preload for a followed child (dist/run/child-preload.js). Its path travels with the settings:
   * this file also runs as itself in a worker (worker-children.ts), where tripod's files cannot be looked up.
   */
  preload: string;
};

/** The settings as one child is given them: and the NODE_OPTIONS its parent gave it, to put back. */
interface ChildSettings extends FollowSettings {
  /** null: the parent gave the child no NODE_OPTIONS at all. */
  nodeOptions: string | null;
}

const NODE_OPTIONS_PAIR = 'NODE_OPTIONS=';
const FOLLOW_PAIR = `${FOLLOW_VARIABLE}=`;
/**
 * The NODE_OPTIONS part that loads tripod's preload, in NODE_OPTIONS' own quoting (a value in double quotes,
 * `\` escaping `"` and `\`). Made before the program runs: a regular expression's replace calls what the
 * program may later put on RegExp.prototype.
 */
function preloadOption(settings: FollowSettings): string {
  return `--require "${settings.preload.replace(/[\\"]/g, '\\$&')}"`;
}

// Captured before the program runs: the spawn hook runs in the program's calls, after it may have replaced them.
const { apply } = Reflect;
const { stringify, parse } = JSON;
const { isArray } = Array;
const hasOwn = Object.hasOwn;
const { startsWith, slice } = String.prototype;

function hasPrefix(text: string, prefix: string): boolean {
  return apply(startsWith, text, [prefix]) as boolean;
}

/**
 * A child's `KEY=value` environment, as the program made it, with tripod's two pairs added: its NODE_OPTIONS
 * (kept whole, the preload after it) and TRIPOD_FOLLOW (a pair of that name the program passed is replaced).
 */
export function followedEnvPairs(pairs: readonly string[], settings: FollowSettings, preload = preloadOption(settings)): string[] {
  // Indexes, not for-of or push: the program may have replaced Array.prototype's iterator or push.
  const out: string[] = [];
  let nodeOptions: string | null = null;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    if (typeof pair !== 'string') out[out.length] = pair;
    else if (hasPrefix(pair, NODE_OPTIONS_PAIR)) nodeOptions = apply(slice, pair, [NODE_OPTIONS_PAIR.length]) as string;
    else if (!hasPrefix(pair, FOLLOW_PAIR)) out[out.length] = pair;
  }
  const child: ChildSettings = { ...settings, nodeOptions };
  out[out.length] = `${NODE_OPTIONS_PAIR}${nodeOptions ? `${nodeOptions} ${preload}` : preload}`;
  out[out.length] = `${FOLLOW_PAIR}${stringify(child)}`;
  return out;
}

/**
 * In a followed child, before its code runs: the settings it was given, and its process.env as its parent
 * made it (TRIPOD_FOLLOW gone, NODE_OPTIONS as the parent gave it, or gone if it gave none). Undefined,
 * and nothing changed, when the process was not started by a tripod run (or the settings are unreadable).
 */
export function takeFollowSettings(env: NodeJS.ProcessEnv): FollowSettings | undefined {
  const text = env[FOLLOW_VARIABLE];
  if (text === undefined) return undefined;
  let child: ChildSettings;
  try {
    child = parse(text) as ChildSettings;
  } catch {
    return undefined;
  }
  if (typeof child !== 'object' || child === null || typeof child.logPath !== 'string') return undefined;
  delete env[FOLLOW_VARIABLE];
  if (typeof child.nodeOptions === 'string') env.NODE_OPTIONS = child.nodeOptions;
  else delete env.NODE_OPTIONS;
  const { nodeOptions: _given, ...settings } = child;
  return settings;
}

interface ProcessWrapBinding {
  Process: { prototype: { spawn(...args: unknown[]): number } };
}

interface SpawnSyncBinding {
  spawn(options: { envPairs?: unknown }): unknown;
}

/** The settings this thread adds to the children it starts, once installed (installed once). */
let installed: FollowSettings | undefined;

/** What followChildren installed in this thread, if it did: the sampler follows the children of the program's workers with it. */
export function followedSettings(): FollowSettings | undefined {
  return installed;
}

/**
 * From now on every child this process starts is given tripod's pairs. The bindings are Node's own objects,
 * which no public API hands the program; their original functions are kept and called as they were.
 * Returns false (and nothing is followed) where Node does not give them (its permission model).
 */
export function followChildren(settings: FollowSettings): boolean {
  if (installed) return true;
  const bindings = spawnBindings();
  if (!bindings) return false;
  installed = settings;
  const preload = preloadOption(settings);
  const processPrototype = bindings.processWrap.Process.prototype;
  const spawnAsync = processPrototype.spawn;
  // Node 20 and 22 pass one options object with envPairs; Node 24 passes (file, args, cwd, envPairs, stdio, ...).
  processPrototype.spawn = function spawn(this: unknown, ...args: unknown[]): number {
    const first = args[0];
    if (typeof first === 'object' && first !== null) args[0] = withFollowedPairs(first as { envPairs?: unknown }, settings, preload);
    else if (isArray(args[3])) args[3] = followedEnvPairs(args[3] as string[], settings, preload);
    return apply(spawnAsync, this, args) as number;
  };
  const spawnSync = bindings.spawnSync.spawn;
  bindings.spawnSync.spawn = function spawn(this: unknown, options: { envPairs?: unknown }): unknown {
    return apply(spawnSync, this, [withFollowedPairs(options, settings, preload)]);
  };
  return true;
}

/** Node's spawn options with tripod's pairs, as a new object: Node made this one, but it is not ours. */
function withFollowedPairs<T extends { envPairs?: unknown }>(options: T, settings: FollowSettings, preload: string): T {
  if (!isArray(options.envPairs)) return options;
  return { ...options, envPairs: followedEnvPairs(options.envPairs as string[], settings, preload) };
}

/**
 * process.binding is the only way to Node's bindings; with --pending-deprecation its first call warns
 * (DEP0111), which would print in the program's stderr: noDeprecation is set around tripod's calls only,
 * so a call of the program's still warns as it would.
 */
function spawnBindings(): { processWrap: ProcessWrapBinding; spawnSync: SpawnSyncBinding } | undefined {
  const processObject = process as unknown as { noDeprecation?: boolean; binding(name: string): unknown };
  // Under --no-deprecation it is true already, and read-only.
  const silence = processObject.noDeprecation !== true;
  const hadOwn = hasOwn(processObject, 'noDeprecation');
  const quiet = processObject.noDeprecation;
  try {
    if (silence) processObject.noDeprecation = true;
    return { processWrap: processObject.binding('process_wrap') as ProcessWrapBinding, spawnSync: processObject.binding('spawn_sync') as SpawnSyncBinding };
  } catch {
    return undefined;
  } finally {
    if (silence && hadOwn) processObject.noDeprecation = quiet;
    else if (silence) delete processObject.noDeprecation;
  }
}
