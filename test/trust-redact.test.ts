/**
 * Issue 10 item 4: secrets stay out of the log. The pure pass over read values
 * (src/capture/redact.ts) in-process, the redaction setting refused when empty
 * or bad, and a real HTTP server sampled while its handler spins with secrets in
 * raw headers, header tuples, a Map under Symbol('password'), names outside the
 * old list, a URL's password and Bearer/Basic text: none of them reaches the log,
 * whichever reader read the values.
 */
import { request } from 'node:http';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DEFAULT_REDACT_KEYS, redactCredentials, redactFrame, redactValue, secretNameTest } from '../src/capture/redact';
import type { Value } from '../src/record/sample';
import { FIXTURES, readLog, samplesOf, tempLog, tripod } from './helpers/cli';
import { startTarget, stopAllTargets } from './helpers/target';

const nodes = inject('nodes');
const isSecret = secretNameTest(DEFAULT_REDACT_KEYS);

describe('redaction pass over read values', () => {
  it('follows name/value pairs in arrays: raw headers, header tuples, argv', () => {
    const raw: Value = { $type: 'Array', length: 6, items: ['Host', '127.0.0.1', 'Authorization', 'Bearer t-1', 'Cookie', 'sid=c-2'] };
    expect(redactValue(raw, isSecret)).toEqual({ $type: 'Array', length: 6, items: ['Host', '127.0.0.1', 'Authorization', '[redacted]', 'Cookie', '[redacted]'] });
    const tuples: Value = { $type: 'Array', items: [{ $type: 'Array', items: ['set-cookie', { $type: 'string', value: 'sid=c-3', length: 900, more: 893 }] }] };
    expect(JSON.stringify(redactValue(tuples, isSecret))).not.toContain('c-3');
    expect(redactValue({ $type: 'Array', items: ['node', '--password', 'p-4'] }, isSecret)).toMatchObject({ items: ['node', '--password', '[redacted]'] });
  });

  it('redacts Map entries under string and symbol keys, and symbol-named properties', () => {
    const map: Value = { $type: 'Map', length: 2, entries: [[{ $type: 'symbol', value: 'Symbol(password)' }, 'm-5'], ['plain', 'shown']] };
    expect(redactValue(map, isSecret)).toEqual({ $type: 'Map', length: 2, entries: [[{ $type: 'symbol', value: 'Symbol(password)' }, '[redacted]'], ['plain', 'shown']] });
    expect(redactValue({ $type: 'Object', props: { 'Symbol(apiKey)': 'k-6' } }, isSecret)).toEqual({ $type: 'Object', props: { 'Symbol(apiKey)': '[redacted]' } });
  });

  it('covers names outside the old list and leaves functions alone', () => {
    const frame = redactFrame(
      {
        function: 'f',
        url: 'file:///x.js',
        line: 1,
        column: 1,
        args: { pwd: 'a', auth: 'b', jwt: 'c', bearer: 'd', credentials: { $type: 'Object', props: { key: 'e' } }, passphrase: 'f' },
        locals: { createPrivateKey: { $type: 'function', name: 'createPrivateKey' }, tokenize: { $type: 'class', name: 'Tokenizer' } },
      },
      isSecret,
    );
    expect(frame.args).toEqual({ pwd: '[redacted]', auth: '[redacted]', jwt: '[redacted]', bearer: '[redacted]', credentials: '[redacted]', passphrase: '[redacted]' });
    expect(frame.locals).toEqual({ createPrivateKey: { $type: 'function', name: 'createPrivateKey' }, tokenize: { $type: 'class', name: 'Tokenizer' } });
  });

  it('hides credentials inside strings, error messages and summaries', () => {
    expect(redactCredentials('postgres://ada:u-7@db:5432/app', isSecret)).toBe('postgres://ada:[redacted]@db:5432/app');
    expect(redactCredentials('retry with Bearer b-8.x_y and Basic YWRhOmh1bnRlcjI=', isSecret)).toBe('retry with Bearer [redacted] and Basic [redacted]');
    expect(redactCredentials('Authorization: Bearer b-9', isSecret)).toBe('Authorization: Bearer [redacted]');
    expect(redactCredentials('user=ada&password=p-10&x=1', isSecret)).toBe('user=ada&password=[redacted]&x=1');
    expect(redactCredentials('{"user":"ada","token":"t 11"}', isSecret)).toBe('{"user":"ada","token":"[redacted]"}');
    expect(redactCredentials('Cookie: theme=dark; sid=c-12', isSecret)).toBe('Cookie: [redacted]');
    expect(redactValue({ $type: 'Error', message: 'login failed with password=p-13' }, isSecret)).toEqual({ $type: 'Error', message: 'login failed with password=[redacted]' });
    expect(redactCredentials('https://example.com/a?b=c at 12:07:17', isSecret)).toBe('https://example.com/a?b=c at 12:07:17');
    // Cut to --max-string before the '@': what may be a password is hidden all the same.
    expect(redactValue({ $type: 'string', value: 'see postgres://ada:hunt', length: 900, more: 877 }, isSecret)).toEqual({ $type: 'string', value: 'see postgres://ada:[redacted]', length: 900, more: 877 });
  });

  it('leaves the value it was given unchanged', () => {
    const value: Value = { $type: 'Object', props: { token: 't', inner: { $type: 'Array', items: ['cookie', 'c'] } } };
    const before = JSON.stringify(value);
    redactValue(value, isSecret);
    expect(JSON.stringify(value)).toBe(before);
  });
});

/** Secrets the server test sends or sets; none may appear in the log. */
const SECRETS = {
  header: 'hdr-bearer-5b1c9e',
  cookie: 'ck-session-7d2f11',
  proxy: 'prx-auth-44aa01',
  MAP_SECRET: 'map-secret-0c9d3a',
  PWD_SECRET: 'pwd-secret-61be02',
  AUTH_SECRET: 'auth-secret-9f0a77',
  JWT_SECRET: 'jwt-secret-2ce5b8',
  BEARER_SECRET: 'bearer-secret-830d4f',
  CREDENTIALS_SECRET: 'cred-secret-5a6b7c',
  PASSPHRASE_SECRET: 'pass-secret-d4e5f6',
  URL_SECRET: 'url-secret-13579b',
  NOTE_SECRET: 'note-secret-24680a',
  BASIC_SECRET: 'basic-secret-abcdef',
};

function send(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        headers: { Authorization: `Bearer ${SECRETS.header}`, Cookie: `theme=dark; session=${SECRETS.cookie}`, 'Proxy-Authorization': `Basic ${SECRETS.proxy}`, 'X-Request-Id': 'r-1' },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.each(nodes)('secrets in an HTTP handler, $label', ({ bin }) => {
  afterEach(stopAllTargets);

  it.each([
    ['the in-target reader', '0'],
    ['getProperties (the reader declined)', '1'],
  ])('keeps every secret out of the log when %s reads the values', async (_how, decline) => {
    const log = tempLog();
    const env = { ...Object.fromEntries(Object.entries(SECRETS).filter(([k]) => k.endsWith('_SECRET'))), SECRETS_DECLINE_READER: decline, SECRETS_REQUESTS: '2' };
    const target = startTarget(bin, [path.join(__dirname, '..', 'bin', 'tripod.js'), '-q', '--interval', '0.2', '--log', log, path.join(FIXTURES, 'secrets-http.js')], env);
    const [, port] = await target.waitFor(/listening (\d+)/);
    await send(Number(port));
    await send(Number(port));
    const { code } = await target.exited;
    expect(code, target.stderr()).toBe(0);
    const text = readFileSync(log, 'utf8');
    const handled = samplesOf(readLog(log))
      .flatMap((s) => s.frames)
      .filter((f: any) => f.function === 'handle' && f.locals);
    // The test means something only if the handler's values were read.
    expect(handled.length).toBeGreaterThan(0);
    const frame = handled.find((f: any) => f.locals.vault?.entries && f.locals.raw?.items) ?? handled[0];
    expect(frame.locals.raw.items).toContain('Authorization');
    expect(frame.locals.vault.entries).toContainEqual(['plain', 'visible-value']);
    // A function under a secret-looking name is code, not a secret.
    expect(frame.locals.keys?.props?.createPrivateKey).toMatchObject({ $type: 'function' });
    for (const [name, secret] of Object.entries(SECRETS)) expect(text.includes(secret), `${name} (${secret}) is in the log`).toBe(false);
    expect(text).not.toContain(Buffer.from(`ada:${SECRETS.BASIC_SECRET}`).toString('base64'));
  });
});

describe.each(nodes)('secrets in an error message, $label', ({ bin }) => {
  it('--crash writes an uncaught error\'s message without the credentials it carries, in the crash and end records', async () => {
    const log = tempLog();
    const env = { DB_URL: 'postgres://ada:hunter2-crash-secret@db.local/app', AUTH_HEADER: 'Bearer crash-token-abc.def.ghi' };
    const result = await tripod(bin, ['-q', '--crash', '--interval', '0', '--log', log, path.join(FIXTURES, 'secrets-crash.js')], { env });
    // The program's own output is its own: Node prints the error as it is.
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('hunter2-crash-secret');
    const records = readLog(log);
    const crash = records.find((r) => r.event === 'crash');
    expect(crash?.error.message).toContain('cannot reach postgres://ada:');
    expect(records.at(-1)).toMatchObject({ event: 'end', error: { name: 'Error' } });
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain('hunter2-crash-secret');
    expect(text).not.toContain('crash-token-abc.def.ghi');
  });
});

describe.each(nodes)('secrets in a dump, $label', ({ bin }) => {
  afterEach(stopAllTargets);

  it('tripod dump --locals of a handler holding them writes none of them', async () => {
    const env = { ...Object.fromEntries(Object.entries(SECRETS).filter(([k]) => k.endsWith('_SECRET'))), SECRETS_REQUESTS: '1', SECRETS_BUSY_MS: '8000' };
    const target = startTarget(bin, ['--inspect-port=0', path.join(FIXTURES, 'secrets-http.js')], env);
    const [, port] = await target.waitFor(/listening (\d+)/);
    const answered = send(Number(port));
    await target.waitFor(/handling/);
    const [text, json] = [await tripod(bin, ['dump', '--locals', String(target.pid)]), await tripod(bin, ['dump', '--locals', '--json', String(target.pid)])];
    for (const result of [text, json]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/handle/);
      for (const [name, secret] of Object.entries(SECRETS)) expect(result.stdout.includes(secret), `${name} (${secret}) is in the dump`).toBe(false);
    }
    // The dump read the handler's values: the raw headers are there, their values hidden.
    const handler = JSON.parse(json.stdout).threads[0].frames.find((f: any) => f.function === 'handle');
    const raw: unknown[] = handler.locals.raw.items;
    expect(raw[raw.indexOf('Authorization') + 1]).toBe('[redacted]');
    expect(text.stdout).toMatch(/'Authorization',\s+'\[redacted\]'/);
    await answered;
  });
});

describe.each(nodes)('redaction setting, $label', ({ bin }) => {
  it.each([
    ['TRIPOD_REDACT set but empty', { TRIPOD_REDACT: '' }, []],
    ['TRIPOD_REDACT with an empty name', { TRIPOD_REDACT: 'a,,b' }, []],
    ['--redact empty', {}, ['--redact', '']],
    ['--redact +', {}, ['--redact', '+']],
  ])('refuses %s in one line, exit 2, before the script runs', async (_what, env, flags) => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', ...flags, '--log', log, path.join(FIXTURES, 'secrets-http.js')], { env: env as Record<string, string> });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/tripod: (TRIPOD_REDACT|--redact)=.* (names no key|has an empty name); give names/);
    expect(result.stdout).not.toContain('listening');
  });
});
