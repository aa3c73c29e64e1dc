/**
 * Unit tests, in-process: reading flag values by type, the registry's
 * handles (flags/index.ts), and the pieces of `tripod flags` that are pure: pino's
 * bindings selector, --debug's namespaces, the --ls glob.
 */
import { describe, expect, it } from 'vitest';
import { flag, parseFlagValue, processRegistry } from '../../src/flags/index';
import { debugNamespaces } from '../../src/controls/debug';
import { levelName, parseSelector } from '../../src/controls/pino';
import { globRegex } from '../../src/controls/render';
import { consoleRequest } from '../../src/controls/flags-command';
import { parseFlagsCommand } from '../../src/options/flags';
import { parseRunCommand } from '../../src/options/run';

describe('flag values', () => {
  it('reads each type, and says what is allowed otherwise', () => {
    expect(parseFlagValue({ type: 'number' }, '2')).toEqual({ ok: true, value: 2 });
    expect(parseFlagValue({ type: 'number' }, '-1.5e3')).toEqual({ ok: true, value: -1500 });
    for (const bad of ['', '0x10', 'Infinity', 'two']) expect(parseFlagValue({ type: 'number' }, bad)).toEqual({ ok: false, allowed: 'a number' });
    expect(parseFlagValue({ type: 'boolean' }, 'yes')).toEqual({ ok: true, value: true });
    expect(parseFlagValue({ type: 'boolean' }, '0')).toEqual({ ok: true, value: false });
    expect(parseFlagValue({ type: 'boolean' }, 'maybe')).toEqual({ ok: false, allowed: 'true or false' });
    expect(parseFlagValue({ type: 'choice', choices: ['fast', 'safe'] }, 'safe')).toEqual({ ok: true, value: 'safe' });
    expect(parseFlagValue({ type: 'choice', choices: ['fast', 'safe'] }, 'Safe')).toEqual({ ok: false, allowed: 'one of fast, safe' });
    expect(parseFlagValue({ type: 'string' }, 'a b=c')).toEqual({ ok: true, value: 'a b=c' });
  });
});

describe('flag()', () => {
  it('gives a handle whose value is a plain data property, and the same handle for the same name and type', () => {
    const handle = flag('unitSame', 3, 'help text');
    expect(Object.getOwnPropertyDescriptor(handle, 'value')).toEqual({ value: 3, writable: true, enumerable: true, configurable: true });
    expect(Object.keys(handle)).toEqual(['value', 'default', 'name']);
    expect(flag('unitSame', 9)).toBe(handle);
    expect(handle.default).toBe(3);
    expect(JSON.parse(processRegistry().meta.unitSame)).toEqual({ type: 'number', module: __filename, help: 'help text' });
  });

  it('refuses another type for a name, a bad name, and a default outside its choices, each in one line', () => {
    flag('unitTyped', false);
    expect(() => flag('unitTyped', 'x')).toThrow(/^tripod\/flags: flag "unitTyped" is registered already as a boolean \(by .*controls\.test\.ts\); .* registers it as a string: give one of them another name$/);
    expect(() => flag('unitTyped', 'a', { choices: ['a'] })).toThrow(/as a choice of a/);
    for (const name of ['a=b', 'two words', '', 'a,b']) expect(() => flag(name, 1)).toThrow(/is not a flag name; use one word/);
    expect(() => flag('unitChoice', 'slow', { choices: ['fast', 'safe'] })).toThrow(/its default must be one of them/);
    expect(() => flag('unitNaN', Number.NaN)).toThrow(/must be a finite number, a boolean or a string/);
  });

  it('takes a value given at start if it reads for the type, and says so on the warn hook otherwise', () => {
    const registry = processRegistry();
    const said: string[] = [];
    registry.warn = (line) => said.push(line);
    registry.pending.unitStartGood = '7';
    registry.pending.unitStartBad = 'seven';
    expect(flag('unitStartGood', 1).value).toBe(7);
    expect(flag('unitStartBad', 1).value).toBe(1);
    expect(said).toEqual(['tripod: --flag unitStartBad="seven" is not a number; unitStartBad keeps its default 1']);
    expect(registry.pending.unitStartGood).toBeUndefined();
    delete registry.warn;
  });

  it('calls onChange listeners only through tripod, and a listener can be removed', () => {
    const handle = flag('unitListen', 0);
    const seen: unknown[] = [];
    const stop = handle.onChange((value, old) => seen.push([value, old]));
    const listeners = processRegistry().listeners.unitListen;
    expect(listeners).toHaveLength(1);
    stop();
    expect(listeners).toHaveLength(0);
  });
});

describe('tripod flags pieces', () => {
  it("reads pino's bindings selector", () => {
    expect(parseSelector('{module:"db"}')).toEqual({ module: 'db' });
    expect(parseSelector('{module:db, "req id":2}')).toEqual({ module: 'db', 'req id': 2 });
    expect(parseSelector('module:db')).toBeUndefined();
    expect(parseSelector('{module}')).toBeUndefined();
  });

  it('adds --debug namespaces to those on, replaces them with =, and turns all off with -', () => {
    expect(debugNamespaces('express:router*', 'express:*,-express:router')).toBe('express:router*,express:*,-express:router');
    expect(debugNamespaces('a,b', 'b')).toBe('a,b');
    expect(debugNamespaces('a', '=c')).toBe('c');
    expect(debugNamespaces('a', '-')).toBe('');
    expect(debugNamespaces('', 'x')).toBe('x');
  });

  it('matches --ls globs on whole names', () => {
    expect(globRegex('debug*').test('debugCache')).toBe(true);
    expect(globRegex('debug*').test('mydebug')).toBe(false);
    expect(globRegex('a.b?').test('a.bc')).toBe(true);
    expect(globRegex('a.b?').test('axbc')).toBe(false);
  });
});

describe("pino's level names", () => {
  it('names a level by pino\'s own names or the logger\'s custom ones, and a number it has no name for by its value', () => {
    expect(levelName(30)).toBe('info');
    expect(levelName(Infinity)).toBe('silent');
    expect(levelName(35)).toBe('35');
    expect(levelName(35, { trace: 10, info: 30, audit: 35, silent: Infinity })).toBe('audit');
    expect(levelName(undefined)).toBe('?');
  });
});

describe('tripod flags options', () => {
  it('reads what to do, the glob or names after the pid, and repeated --set', () => {
    expect(parseFlagsCommand(['4242', '--ls', 'debug*'], {})).toMatchObject({ pid: 4242, list: { glob: 'debug*' }, sets: [], timeoutMs: 2000, quiet: false, deep: false });
    expect(parseFlagsCommand(['4242', '--ls', '--deep'], {})).toMatchObject({ list: {}, deep: true });
    expect(parseFlagsCommand(['4242', '--set', 'a=1', '--set', 'pino=debug', '--debug', 'x:*'], {})).toMatchObject({ sets: ['a=1', 'pino=debug'], debugNamespaces: 'x:*' });
    expect(parseFlagsCommand(['4242', '--clear'], {})).toMatchObject({ clear: [] });
    expect(parseFlagsCommand(['4242', '--clear', 'a', 'b'], {})).toMatchObject({ clear: ['a', 'b'] });
    // TRIPOD_DEBUG is tripod's own traces; it never becomes debug namespaces.
    expect(parseFlagsCommand(['4242', '--ls'], { TRIPOD_DEBUG: '1' })).toMatchObject({ debug: true });
    expect(parseFlagsCommand(['4242', '--ls'], { TRIPOD_DEBUG: '1' })).not.toHaveProperty('debugNamespaces');
  });

  it('refuses a command that says nothing to do, or names after the pid without --ls or --clear', () => {
    expect(() => parseFlagsCommand(['4242'], {})).toThrow(/^tripod flags: say what to do: --ls/);
    expect(() => parseFlagsCommand(['4242', 'a', '--set', 'b=1'], {})).toThrow(/goes with --ls \(a glob\) or --clear/);
    expect(() => parseFlagsCommand(['4242', '--ls', '--clear'], {})).toThrow(/give one of them/);
  });

  it('takes --flag and TRIPOD_FLAGS for the runner, and refuses one that is not NAME=VALUE', () => {
    const run = (argv: string[], env = {}) => parseRunCommand(argv, env) as { kind: string; config: { flags?: Record<string, string> } };
    expect(run(['--flag', 'a=1', '--flag', 'b=x=y', 'app.js']).config.flags).toEqual({ a: '1', b: 'x=y' });
    expect(run(['app.js'], { TRIPOD_FLAGS: 'a=1, b=true' }).config.flags).toEqual({ a: '1', b: 'true' });
    expect(run(['app.js']).config.flags).toBeUndefined();
    expect(() => run(['--flag', 'novalue', 'app.js'])).toThrow(/^tripod: --flag "novalue" is not NAME=VALUE/);
  });

  it("maps the console's flags, set, clear and level commands to requests", () => {
    expect(consoleRequest('flags', [])).toEqual({ list: {}, sets: [] });
    expect(consoleRequest('flags', ['d*'])).toEqual({ list: { glob: 'd*' }, sets: [] });
    expect(consoleRequest('set', ['a=1', 'b=2'])).toEqual({ sets: ['a=1', 'b=2'] });
    expect(consoleRequest('clear', [])).toEqual({ sets: [], clear: [] });
    expect(consoleRequest('level', ['debug'])).toEqual({ sets: ['pino=debug'] });
    expect(consoleRequest('level', ['pino{module:"db"}=warn'])).toEqual({ sets: ['pino{module:"db"}=warn'] });
    expect(consoleRequest('level', ['debug', 'app:*'])).toEqual({ sets: [], debugNamespaces: 'app:*' });
    expect(consoleRequest('quit', [])).toBeUndefined();
  });
});
