/**
 * Unit tests, in-process: how `tripod show` renders captured values (close to util.inspect), over values written
 * out here in the log's shapes.
 */
import { describe, expect, it } from 'vitest';
import { renderValue } from '../../src/report/render-value';

describe('renderValue', () => {
  it.each([
    [null, 'null'],
    [42, '42'],
    [true, 'true'],
    ['ada', "'ada'"],
    // Single quotes always, the inner one escaped (util.inspect would switch to double quotes).
    ["it's", "'it\\'s'"],
    [{ $type: 'undefined' }, 'undefined'],
    [{ $type: 'number', value: 'NaN' }, 'NaN'],
    [{ $type: 'bigint', value: '10n' }, '10n'],
    [{ $type: 'symbol', value: 'Symbol(tag)' }, 'Symbol(tag)'],
    [{ $type: 'string', value: 'abc', length: 10, more: 7 }, "'abc'… (7 more characters)"],
    [{ $type: 'function', name: 'namedFn' }, '[Function: namedFn]'],
    [{ $type: 'async function', name: 'load' }, '[AsyncFunction: load]'],
    [{ $type: 'class', name: 'Account' }, '[class Account]'],
    [{ $type: 'getter' }, '[Getter]'],
    [{ $type: 'Proxy' }, 'Proxy [not read]'],
    [{ $type: 'RangeError', message: 'RangeError: out of range' }, '[RangeError: out of range]'],
    [{ $type: 'RegExp', value: '/ab+c/gi' }, 'RegExp /ab+c/gi'],
    [{ $type: 'Array', length: 2, truncated: 'depth' }, '[Array(2)]'],
    [{ $type: 'Object', truncated: 'depth' }, '[Object]'],
    [{ $type: 'Promise', truncated: 'state' }, 'Promise [state not read]'],
    [{ $type: 'Object', truncated: 'size' }, '[elements not read: over 1000]'],
    [{ $type: 'Array', length: 10_000_000, items: [0, 1, 2], more: 9_999_997 }, 'Array(10000000) [ 0, 1, 2, … 9999997 more ]'],
    [{ $type: 'Map', length: 2, entries: [['a', 1], ['b', { $type: 'Object', props: { deep: 1 } }]] }, "Map(2) { 'a' => 1, 'b' => { deep: 1 } }"],
    [{ $type: 'Set', length: 3, items: [1, 2, 3] }, 'Set(3) [ 1, 2, 3 ]'],
    [{ $type: 'Account', props: { id: 42, 'x-y': 'z' }, more: 3 }, "Account { id: 42, 'x-y': 'z', … 3 more }"],
    [{ $type: 'String', value: 'boxed' }, 'String boxed'],
  ])('%j', (value, text) => {
    expect(renderValue(value as never)).toBe(text);
  });

  it('escapes control characters in strings, keys and names as util.inspect does', () => {
    expect(renderValue('a\u001b[2Jb\n')).toBe("'a\\x1B[2Jb\\n'");
    expect(renderValue({ $type: 'Object', props: { 'k\u0007': 1 } })).toBe("{ 'k\\x07': 1 }");
    expect(renderValue({ $type: 'function', name: 'f\u009b' })).toBe('[Function: f\\x9B]');
  });

  it('breaks a value over 100 characters onto indented lines', () => {
    const items = Array.from({ length: 12 }, (_, i) => `item-number-${i}`);
    const text = renderValue({ $type: 'Array', length: 12, items });
    expect(text.split('\n')).toEqual(['Array(12) [', ...items.map((item, i) => `  '${item}'${i < 11 ? ',' : ''}`), ']']);
  });
});
