/**
 * Unit tests, in-process: parameter names read from a function's source text (what splits a frame's variables
 * into arguments and locals), over function texts written out here.
 */
import { describe, expect, it } from 'vitest';
import { parameterNames } from '../../src/capture/parameters';

describe('parameterNames', () => {
  it.each([
    ['function login(user, password) { … }', ['user', 'password']],
    ['async function fetch(url, { retries = 3, timeout } = {}) {', ['url', 'retries', 'timeout']],
    ['function* gen(a, [b, c], ...rest) {', ['a', 'b', 'c', 'rest']],
    ['(a, b = (1, 2), c = "x,y") => a', ['a', 'b', 'c']],
    ['async (req, res) => {', ['req', 'res']],
    ['item => item.id', ['item']],
    ['async item => item', ['item']],
    ['handle(event, { detail: { id } }) {', ['event', 'id']],
    ['get [Symbol.iterator]() {', []],
    ['static #secret(key) {', ['key']],
    ['function () {}', []],
    ['function f(a /* , fake */, b // c\n) {}', ['a', 'b']],
  ])('%s', (text, names) => {
    expect(parameterNames(text)).toEqual(names);
  });

  it('answers undefined for text that is not a function header (a module top level)', () => {
    expect(parameterNames("'use strict';\nconst x = 1;")).toBeUndefined();
    expect(parameterNames('x + 1')).toBeUndefined();
  });
});
