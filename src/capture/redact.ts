/**
 * What tripod keeps out of the log: values under secret-looking names, and
 * credentials written inside strings. Names are compared ignoring case, '-',
 * '_' and white space, and a key found anywhere in a name matches, so
 * `accessToken`, `X-Api-Key` and `db_password` match.
 *
 * The readers (in-target-reader.ts, values.ts) skip secret-named properties as
 * they read; `redactFrame` is the pass every captured frame goes through after,
 * over the read values alone, so it holds whichever reader read them: it follows
 * name/value pairs in arrays (`req.rawHeaders`, `[[name, value]]` tuples), Map
 * entries under string or symbol keys, and credentials inside any string.
 */
import type { Frame, TaggedValue, Value } from '../record/sample';

export const REDACTED = '[redacted]';

/** The names redacted unless --redact (TRIPOD_REDACT) replaces them; `+K` adds to these. */
export const DEFAULT_REDACT_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'authorization',
  'cookie',
  'api_key',
  'apikey',
  'private_key',
  'pwd',
  'auth',
  'jwt',
  'bearer',
  'credential',
  'passphrase',
];

export type SecretTest = (name: string) => boolean;

/** The redaction keys as names are compared with them: lower case, without '-', '_' or white space. */
export function secretNeedles(keys: string[]): string[] {
  return keys.map(normalise).filter(Boolean);
}

/** Names remembered per test: the same variable and property names come back in every sample. */
const REMEMBERED_NAMES = 10_000;
/** Longer names (a Map key can be a long string) are tested each time rather than kept alive. */
const LONGEST_REMEMBERED_NAME = 200;

export function secretNameTest(keys: string[]): SecretTest {
  const needles = secretNeedles(keys);
  if (needles.length === 0) return () => false;
  const known = new Map<string, boolean>();
  return (name) => {
    let secret = known.get(name);
    if (secret === undefined) {
      const hay = normalise(name);
      secret = needles.some((needle) => hay.includes(needle));
      if (name.length <= LONGEST_REMEMBERED_NAME) {
        if (known.size >= REMEMBERED_NAMES) known.clear();
        known.set(name, secret);
      }
    }
    return secret;
  };
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** A frame whose args, locals and closure hold no secret the name list or the credential patterns find. */
export function redactFrame(frame: Frame, isSecret: SecretTest): Frame {
  const out: Frame = { ...frame };
  if (frame.args) out.args = redactVariables(frame.args, isSecret);
  if (frame.locals) out.locals = redactVariables(frame.locals, isSecret);
  if (frame.closure) out.closure = redactVariables(frame.closure, isSecret);
  return out;
}

export function redactVariables(vars: Record<string, Value>, isSecret: SecretTest): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [name, value] of Object.entries(vars)) {
    // A property read as "__proto__" is data here: assigning it would set the copy's prototype instead.
    if (name === '__proto__') Object.defineProperty(out, name, { value: named(name, value, isSecret), enumerable: true, writable: true, configurable: true });
    else out[name] = named(name, value, isSecret);
  }
  return out;
}

/** A captured value with its secrets replaced by "[redacted]"; the input is left as it was. */
export function redactValue(value: Value, isSecret: SecretTest): Value {
  if (typeof value === 'string') return redactCredentials(value, isSecret);
  if (value === null || typeof value !== 'object') return value;
  return redactTagged(value, isSecret);
}

/** A value held under `name` (a variable, a property, a Map key, the item before it in an array). */
function named(name: string | undefined, value: Value, isSecret: SecretTest): Value {
  if (name !== undefined && isSecret(name) && !isFunction(value)) return REDACTED;
  return redactValue(value, isSecret);
}

/** A function is code, not a secret: `crypto.createPrivateKey` stays itself. Getters and setters carry no value. */
function isFunction(value: Value): boolean {
  return typeof value === 'object' && value !== null && ['function', 'async function', 'class', 'getter', 'setter'].includes(value.$type);
}

function redactTagged(v: TaggedValue, isSecret: SecretTest): TaggedValue {
  const out: TaggedValue = { ...v };
  if (typeof v.value === 'string') out.value = redactCredentials(v.$type === 'string' && v.more ? withoutCutPassword(v.value) : v.value, isSecret);
  if (typeof v.message === 'string') out.message = redactCredentials(v.message, isSecret);
  if (v.props) out.props = redactVariables(v.props, isSecret);
  if (v.items) out.items = redactPairs(v.items, isSecret);
  if (v.entries) out.entries = v.entries.map(([key, value]) => [redactValue(key, isSecret), named(keyName(key), value, isSecret)]);
  return out;
}

/**
 * Array items, where an item that is a secret name hides the one after it:
 * Node's raw headers (['Authorization', 'Bearer …', 'Cookie', …]), header tuples
 * (['cookie', 'a=b']), argv (['--password', 'x']).
 */
function redactPairs(items: Value[], isSecret: SecretTest): Value[] {
  const out: Value[] = [];
  let name: string | undefined;
  for (const item of items) {
    const hidden = name !== undefined && isSecret(name) && !isFunction(item);
    out.push(hidden ? REDACTED : redactValue(item, isSecret));
    // A value that was hidden names nothing: 'Bearer …' is not a name for the item after it.
    name = hidden ? undefined : textOf(item);
  }
  return out;
}

/** The name a Map key stands for: a string's text, a symbol's description (`Symbol(password)`). */
function keyName(key: Value): string | undefined {
  if (typeof key === 'object' && key !== null && key.$type === 'symbol') return key.value;
  return textOf(key);
}

/** A string value's text, also when it was cut to --max-string. */
function textOf(value: Value): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && value.$type === 'string') return value.value;
  return undefined;
}

/** HTTP credentials: `Bearer <token>`, `Basic <base64>` and the other schemes that carry one. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Digest|Negotiate)(\s+)(?!\[redacted\])[\w\-.~+/]+=*/gi;
const AUTH_SCHEME_WORD = /^(Bearer|Basic|Token|Digest|Negotiate)$/i;
/** A string cut to --max-string may end inside a URL's user info, before its '@': `scheme://user:pass…`. */
const CUT_URL_PASSWORD = /((?<![a-z\d+.-])[a-z][a-z\d+.-]*:\/\/[^\s/?#@:]*):[^\s/?#@]*$/i;

function withoutCutPassword(text: string): string {
  return text.includes('://') ? text.replace(CUT_URL_PASSWORD, `$1:${REDACTED}`) : text;
}

/** The password of a URL's user info: `scheme://user:password@host`. */
const URL_PASSWORD = /((?<![a-z\d+.-])[a-z][a-z\d+.-]*:\/\/[^\s/?#@:]*):[^\s/?#@]*@/gi;
/** A name and what joins it to a value: `name=`, `name: `, `"name": ` (text, query and connection strings, JSON, header lines). */
// The look-behind makes a name start where a word starts: without it a long word is scanned once per letter.
const NAME_GLUE = /(?<![\w-])([\w-]+)(["']?[ \t]*[=:][ \t]*)/g;

/**
 * A string with the credentials it holds replaced by "[redacted]": schemes'
 * tokens (`Bearer …`, `Basic …`) and URL passwords always; with `isSecret`,
 * also values written after a secret name (`password=…`, `"token": "…"`,
 * `Cookie: …`). Errs on the side of hiding: "Basic usage" loses "usage".
 */
export function redactCredentials(text: string, isSecret?: SecretTest): string {
  if (text.length < 6) return text;
  let out = text;
  // Cheap looks first: most strings hold none of these, and a sample can hold thousands of strings.
  if (out.includes('://') && out.includes('@')) out = out.replace(URL_PASSWORD, `$1:${REDACTED}@`);
  if (isSecret && (out.includes('=') || out.includes(':'))) out = redactNamedValues(out, isSecret);
  if (MAY_HOLD_SCHEME.test(out)) out = out.replace(AUTH_SCHEME, (_whole, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
  return out;
}

const MAY_HOLD_SCHEME = /bearer|basic|token|digest|negotiate/i;

/**
 * Hides what follows a secret name and its glue: a quoted value to its quote, a
 * header-style `name: value` to the end of its line (a Cookie line's pairs are
 * all its value), a `name=value` to the next separator.
 */
function redactNamedValues(text: string, isSecret: SecretTest): string {
  let out = '';
  let from = 0;
  NAME_GLUE.lastIndex = 0;
  for (let m = NAME_GLUE.exec(text); m; m = NAME_GLUE.exec(text)) {
    const valueAt = m.index + m[0].length;
    if (!isSecret(m[1])) {
      // The value may itself hold `name=` pairs: look again right after the glue.
      NAME_GLUE.lastIndex = valueAt;
      continue;
    }
    const length = valueLength(text, valueAt, m[2].includes('='));
    const value = text.slice(valueAt, valueAt + length);
    if (length > 0 && !keepsValue(value)) {
      out += text.slice(from, valueAt) + maskValue(value);
      from = valueAt + length;
    }
    NAME_GLUE.lastIndex = Math.max(valueAt + length, valueAt + 1);
  }
  return out + text.slice(from);
}

function valueLength(text: string, at: number, equals: boolean): number {
  const quote = text[at];
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, at + 1);
    return close < 0 ? text.length - at : close - at + 1;
  }
  const end = text.slice(at).search(equals ? /[\s&;,"'}]/ : /[\r\n]/);
  return end < 0 ? text.length - at : end;
}

/** A quoted value keeps its quotes, so JSON stays JSON. */
function maskValue(value: string): string {
  const quote = value[0];
  return quote === '"' || quote === "'" ? `${quote}${REDACTED}${quote}` : REDACTED;
}

/** Already hidden, or `Authorization: Bearer x`, whose scheme stays: the token after it goes by AUTH_SCHEME. */
function keepsValue(value: string): boolean {
  const bare = value.replace(/^["']|["']$/g, '').trim();
  return bare === '' || bare === REDACTED || AUTH_SCHEME_WORD.test(bare.split(/\s/)[0]);
}
