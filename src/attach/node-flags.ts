/**
 * What a Node process's own options say about its inspector: where SIGUSR1 will
 * open it (--inspect-port, --inspect=host:port; 127.0.0.1:9229 by default),
 * whether it was started open (--inspect*), and whether SIGUSR1 is turned off.
 * Options come from the command line before the script and from NODE_OPTIONS.
 */

export interface InspectorFlags {
  host: string;
  port: number;
  /** Started with --inspect, --inspect-brk or --inspect-wait: the inspector was open from the start. */
  openedAtStart: boolean;
  sigusr1Disabled: boolean;
}

export const DEFAULT_INSPECTOR_HOST = '127.0.0.1';
export const DEFAULT_INSPECTOR_PORT = 9229;

/** Node options that take the next word as their value (so it is not the script). */
const VALUE_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-e', '--eval', '-p', '--print', '-C', '--conditions', '--title', '--env-file', '--input-type', '--inspect-port', '--debug-port']);

/** Node's own options: those before the script (or -e) on its command line. */
export function nodeOptionsOf(argv: string[]): string[] {
  const own: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--' || !arg.startsWith('-') || arg === '-') break;
    own.push(arg);
    if (VALUE_OPTIONS.has(arg) && i + 1 < argv.length) own.push(argv[++i]);
  }
  return own;
}

export function inspectorFlags(argv: string[], nodeOptionsEnv: string | undefined): InspectorFlags {
  const flags: InspectorFlags = { host: DEFAULT_INSPECTOR_HOST, port: DEFAULT_INSPECTOR_PORT, openedAtStart: false, sigusr1Disabled: false };
  // NODE_OPTIONS comes first: the command line overrides it.
  const words = [...splitNodeOptions(nodeOptionsEnv ?? ''), ...nodeOptionsOf(argv)];
  for (let i = 0; i < words.length; i++) {
    const [name, inline] = splitOption(words[i]);
    if (name === '--disable-sigusr1') flags.sigusr1Disabled = true;
    else if (name === '--inspect' || name === '--inspect-brk' || name === '--inspect-wait') {
      flags.openedAtStart = true;
      if (inline !== undefined) applyAddress(flags, inline);
    } else if (name === '--inspect-port' || name === '--debug-port') {
      const value = inline ?? words[++i];
      if (value !== undefined) applyAddress(flags, value);
    }
  }
  return flags;
}

function splitOption(word: string): [string, string | undefined] {
  const at = word.indexOf('=');
  return at < 0 ? [word, undefined] : [word.slice(0, at), word.slice(at + 1)];
}

/** "[host:]port", as Node reads it; "[::1]:9229" for IPv6. */
function applyAddress(flags: InspectorFlags, value: string): void {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) {
    flags.host = bracketed[1];
    if (bracketed[2]) flags.port = Number(bracketed[2]);
    return;
  }
  const at = value.lastIndexOf(':');
  if (/^\d+$/.test(value)) flags.port = Number(value);
  else if (at >= 0) {
    flags.host = value.slice(0, at);
    flags.port = Number(value.slice(at + 1));
  } else flags.host = value;
}

/** NODE_OPTIONS words: whitespace-separated, double quotes group. */
function splitNodeOptions(text: string): string[] {
  return [...text.matchAll(/"((?:\\.|[^"])*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]));
}
