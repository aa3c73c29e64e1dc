/**
 * Unit tests, in-process: redaction over values written out here (names, pairs in arrays, Map entries,
 * credentials inside strings), with the default and custom key lists.
 */
import { describe, expect, it } from 'vitest';
import { REDACTED, redactCredentials, redactFrame, redactValue, secretNameTest } from '../../src/capture/redact';

const isSecret = secretNameTest(['password', 'token', 'secret', 'apikey', 'authorization', 'cookie']);

describe('secretNameTest', () => {
  it('matches a key anywhere in a name, ignoring case, "-", "_" and white space', () => {
    for (const name of ['password', 'db_password', 'X-Api-Key', 'accessToken', 'AUTHORIZATION', 'set cookie']) expect(isSecret(name), name).toBe(true);
    for (const name of ['user', 'passage', 'tokenizer'.slice(0, 4), 'api', 'key']) expect(isSecret(name), name).toBe(false);
  });

  it('an empty list redacts no name', () => {
    expect(secretNameTest([])('password')).toBe(false);
  });
});

describe('redactValue and redactFrame', () => {
  it('hides values under secret names, keeps functions, getters and the rest', () => {
    const frame = redactFrame(
      {
        function: 'login',
        url: 'file:///app.js',
        line: 1,
        column: 1,
        args: { user: 'ada', password: 'hunter2' },
        locals: {
          createPrivateKey: { $type: 'function', name: 'createPrivateKey' },
          session: { $type: 'Object', props: { token: 'tok-1', getToken: { $type: 'getter' }, id: 7 } },
        },
      },
      isSecret,
    );
    expect(frame.args).toEqual({ user: 'ada', password: REDACTED });
    expect(frame.locals).toEqual({
      createPrivateKey: { $type: 'function', name: 'createPrivateKey' },
      session: { $type: 'Object', props: { token: REDACTED, getToken: { $type: 'getter' }, id: 7 } },
    });
  });

  it('follows name/value pairs in arrays and Map entries under string and symbol keys', () => {
    expect(redactValue({ $type: 'Array', length: 4, items: ['Authorization', 'Bearer abc', 'Accept', 'text/html'] }, isSecret)).toEqual({
      $type: 'Array',
      length: 4,
      items: ['Authorization', REDACTED, 'Accept', 'text/html'],
    });
    const map = redactValue(
      {
        $type: 'Map',
        length: 3,
        entries: [
          ['apiKey', 'k-1'],
          [{ $type: 'symbol', value: 'Symbol(secret)' }, 's-1'],
          ['signWithSecret', { $type: 'function', name: 'sign' }],
        ],
      },
      isSecret,
    );
    expect(map).toEqual({
      $type: 'Map',
      length: 3,
      entries: [
        ['apiKey', REDACTED],
        [{ $type: 'symbol', value: 'Symbol(secret)' }, REDACTED],
        ['signWithSecret', { $type: 'function', name: 'sign' }],
      ],
    });
  });

  it('leaves the input as it was', () => {
    const input = { $type: 'Object', props: { password: 'x' } };
    redactValue(input, isSecret);
    expect(input.props.password).toBe('x');
  });
});

describe('redactCredentials', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/x', 'postgres://app:[redacted]@db:5432/x'],
    ['Authorization: Bearer eyJhbGciOi.x.y', 'Authorization: Bearer [redacted]'],
    ['curl -H "Basic dXNlcjpwYXNz"', 'curl -H "Basic [redacted]"'],
    ['?user=ada&password=hunter2&next=/', '?user=ada&password=[redacted]&next=/'],
    ['{"token": "t-1", "id": 3}', '{"token": "[redacted]", "id": 3}'],
    ['Cookie: a=1; b=2\nHost: x', 'Cookie: [redacted]\nHost: x'],
    ['nothing to hide here', 'nothing to hide here'],
  ])('%s', (text, expected) => {
    expect(redactCredentials(text, isSecret)).toBe(expected);
  });

  it('hides URL passwords and scheme tokens even without a name list', () => {
    expect(redactCredentials('https://u:p@host/ and Token abc')).toBe('https://u:[redacted]@host/ and Token [redacted]');
  });
});
