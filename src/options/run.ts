/**
 * `tripod [options] script [script args]`: where tripod's options end and the
 * script's begin, Node's own flags given to tripod, and the RunConfig the runner
 * takes. Also the capture bounds every capturing command shares.
 */
import type { CaptureLimits, CrashConfig, ProfileConfig, RequestsConfig, RunConfig, WatchdogConfig } from '../config';
import { UserError } from '../errors';
import { tracesWanted } from '../diagnostics/debug-log';
import { type Env, OptionValues, parseArgsOptions, parseCommandLine, takesStringValue } from './parse';
import { optionsOf } from './table';

export type RunCommand = { kind: 'help' } | { kind: 'version' } | { kind: 'agent-path' } | { kind: 'run'; config: RunConfig };

/** Stack traces on tripod's errors: --debug, or TRIPOD_DEBUG=1 or * (a list of sections only turns on their debug lines). */
export function isDebug(argv: string[], env: Env): boolean {
  return tracesWanted(env.TRIPOD_DEBUG) || argv.includes('--debug');
}

const RUN_ARGS = parseArgsOptions(optionsOf('run'));

/**
 * Splits `[tripod options] script [script args]`: tripod's options end at the
 * first word that is not an option (or at `--`); everything after is the script's.
 * `tripod -- node app.js` is `tripod app.js`.
 */
export function splitRunArgv(argv: string[]): { own: string[]; script?: string; scriptArgs: string[] } {
  const own: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return { own, ...scriptAfterDashes(argv.slice(i + 1)) };
    if (!arg.startsWith('-') || arg === '-') return { own, script: arg, scriptArgs: argv.slice(i + 1) };
    own.push(arg);
    if (takesStringValue(arg, RUN_ARGS) && i + 1 < argv.length) own.push(argv[++i]);
  }
  return { own, scriptArgs: [] };
}

/** `-- app.js args`, or `-- node app.js args` as a command line written for node. */
function scriptAfterDashes(rest: string[]): { script?: string; scriptArgs: string[] } {
  if (rest[0] !== 'node') return { script: rest[0], scriptArgs: rest.slice(1) };
  if (rest[1]?.startsWith('-')) throw nodeFlagError(rest[1], rest.slice(2).find((word) => !word.startsWith('-')));
  return { script: rest[1], scriptArgs: rest.slice(2) };
}

/** Node's own flags (`--max-old-space-size=4096`) go through NODE_OPTIONS, which tripod's process reads as node's does. */
function nodeFlagError(flag: string, script: string | undefined): UserError {
  if (!process.allowedNodeEnvironmentFlags.has(flag)) {
    return new UserError(`tripod: ${flag} is an option of node's that tripod cannot pass on; write the script right after node (tripod -- node app.js), or leave node out`);
  }
  return new UserError(`tripod: ${flag} is an option of node's, not tripod's; pass it as NODE_OPTIONS=${shellQuote(flag)} tripod ${script ?? 'app.js'}`);
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The first of tripod's words that is not an option of tripod's (nor an option's value) but one of node's. */
function nodeFlagAmong(own: string[]): string | undefined {
  for (let i = 0; i < own.length; i++) {
    const word = own[i];
    if (takesStringValue(word, RUN_ARGS)) i++;
    else if (word.startsWith('-') && !isRunOption(word) && process.allowedNodeEnvironmentFlags.has(word)) return word;
  }
  return undefined;
}

function isRunOption(word: string): boolean {
  const name = word.split('=')[0];
  if (name.startsWith('--')) return RUN_ARGS[name.slice(2)] !== undefined;
  return Object.values(RUN_ARGS).some((option) => option.short !== undefined && name.slice(1).includes(option.short));
}

export function parseRunCommand(argv: string[], env: Env): RunCommand {
  const { own, script, scriptArgs } = splitRunArgv(argv);
  const nodeFlag = nodeFlagAmong(own);
  if (nodeFlag !== undefined) throw nodeFlagError(nodeFlag, script);
  const { values } = parseCommandLine('run', own, env, false);
  if (values.has('help')) return { kind: 'help' };
  if (values.has('version')) return { kind: 'version' };
  if (values.has('agent-path')) return { kind: 'agent-path' };
  if (!script) throw new UserError('tripod: no script given; usage: tripod [options] script.js [args], or a Node program by name (tripod tsc -p .) (tripod --help)');
  // 0 turns periodic sampling off; anything else is floored as `tripod record` is: 1e-9 meant ~640 samples a second.
  const interval = values.number('interval');
  const watchdog = watchdogConfig(values);
  const crash = crashConfig(values);
  const profile = profileConfig(values);
  const threads = values.switch('threads');
  const children = values.switch('children');
  if (interval === 0 && !watchdog && !crash && !profile) {
    throw new UserError(
      'tripod: an interval of 0 turns periodic sampling off, which leaves nothing to do; use a positive number of seconds such as 5, or add --watchdog MS or --crash, or --profile',
    );
  }
  if (interval === 0 && threads) {
    throw new UserError('tripod: --threads samples worker threads every --interval, and an interval of 0 turns that off; use a positive number of seconds such as 5');
  }
  return {
    kind: 'run',
    config: {
      script,
      scriptArgs,
      interval,
      ...(watchdog ? { watchdog } : {}),
      ...(crash ? { crash } : {}),
      ...(profile ? { profile } : {}),
      ...(threads ? { threads } : {}),
      requests: requestsConfig(values),
      ...(children ? { children } : {}),
      ...(values.switch('monitor') ? { monitor: true } : {}),
      timeoutMs: values.number('timeout') * 1000,
      localsBudget: values.number('locals-budget') / 100,
      logPath: values.text('log'),
      limits: captureLimits(values),
      quiet: values.switch('quiet'),
      ...startFlags(values.list('flag')),
      debug: values.debugTraces(),
    },
  };
}

/** The capture bounds every command that captures shares (--depth, --max-*, --redact, locals on or off). */
export function captureLimits(values: OptionValues): CaptureLimits {
  return {
    depth: values.number('depth'),
    maxElements: values.number('max-elements'),
    maxString: values.number('max-string'),
    maxFrames: values.number('max-frames'),
    locals: values.switch('locals'),
    redactKeys: values.keys('redact'),
  };
}

function watchdogConfig(values: OptionValues): WatchdogConfig | undefined {
  const thresholdMs = values.optionalNumber('watchdog');
  const repeatMs = values.optionalNumber('watchdog-repeat');
  if (thresholdMs === undefined) {
    if (repeatMs !== undefined) throw new UserError('tripod: --watchdog-repeat needs --watchdog MS (TRIPOD_WATCHDOG_MS) to say what a stall is');
    return undefined;
  }
  return { thresholdMs, repeatMs: repeatMs ?? 0 };
}

/** Before Node 24 the running request costs promise hooks: only with --requests (README, "Requests in flight"). */
export function requestsConfig(values: OptionValues, nodeMajor = Number(process.versions.node.split('.')[0])): RequestsConfig {
  const thresholdMs = values.optionalNumber('slow');
  const repeatMs = values.optionalNumber('slow-repeat');
  if (thresholdMs === undefined && repeatMs !== undefined) throw new UserError('tripod: --slow-repeat needs --slow MS (TRIPOD_SLOW_MS) to say what a slow request is');
  // The awaits are kept per request: it needs the request's async context, the running request's AsyncLocalStorage.
  const asyncStacks = values.switch('async-stacks');
  return {
    keepQuery: values.switch('keep-query'),
    running: values.switch('requests') || asyncStacks || nodeMajor >= 24,
    ...(asyncStacks ? { asyncStacks: true } : {}),
    ...(thresholdMs !== undefined ? { slow: { thresholdMs, repeatMs: repeatMs ?? 0 } } : {}),
  };
}

function crashConfig(values: OptionValues): CrashConfig | undefined {
  const rejections = values.switch('on-rejection');
  return rejections || values.switch('crash') ? { rejections } : undefined;
}

/** TRIPOD_RATE alone is only the rate for when profiling is on; --rate without --profile is a mistake. */
function profileConfig(values: OptionValues): ProfileConfig | undefined {
  if (!values.switch('profile')) {
    if (values.has('rate')) throw new UserError('tripod: --rate HZ sets the rate of --profile; add --profile (TRIPOD_PROFILE=1)');
    return undefined;
  }
  return { rateHz: values.number('rate') };
}

/** --flag NAME=VALUE / TRIPOD_FLAGS="a=1,b=true": read by each flag's type when it registers; only the form is checked here. */
function startFlags(given: string[]): { flags?: Record<string, string> } {
  const flags: Record<string, string> = {};
  for (const item of given) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UserError(`tripod: --flag ${JSON.stringify(item)} is not NAME=VALUE; e.g. --flag debugCache=2 (or TRIPOD_FLAGS="debugCache=2,retryVerbose=true")`);
    flags[item.slice(0, at)] = item.slice(at + 1);
  }
  return given.length > 0 ? { flags } : {};
}
