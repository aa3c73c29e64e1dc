/**
 * Captured values as people read them, close to Node's util.inspect (control
 * characters in strings, keys and names escaped as it escapes them).
 */
import type { TaggedValue, Value } from '../record/sample';
import { plain } from './terminal-text';

const INDENT = '  ';
const SIMPLE_KEY = /^[A-Za-z_$][\w$]*$/;

export function renderValue(value: Value, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object') return String(value);
  return renderTagged(value, indent);
}

function renderTagged(v: TaggedValue, indent: string): string {
  switch (v.$type) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `${quote(v.value ?? '')}… (${v.more} more characters)`;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
      return plain(v.value ?? v.$type);
    case 'function':
    case 'async function':
      return `[${v.$type === 'function' ? 'Function' : 'AsyncFunction'}: ${plain(v.name ?? '')}]`;
    case 'class':
      return `[class ${plain(v.name ?? '')}]`;
    case 'getter':
      return '[Getter]';
    case 'setter':
      return '[Setter]';
    case 'Proxy':
      return 'Proxy [not read]';
  }
  if (v.message !== undefined) return `[${plain(v.message)}]`;
  const type = plain(v.$type);
  const size = v.length !== undefined ? `(${v.length})` : '';
  const head = v.$type === 'Object' && !size ? '' : `${type}${size} `;
  if (v.truncated === 'depth' && !v.props && !v.items && !v.entries) return `[${type}${size}]`;
  if (v.truncated && !v.props && !v.items && !v.entries) return `${head}[${truncationNote(v.truncated)}]`.trim();
  if (v.value !== undefined && !v.props) return `${head}${plain(v.value)}`.trim();
  const parts = [
    ...(v.items ?? []).map((item) => renderValue(item, indent + INDENT)),
    ...(v.entries ?? []).map(([k, val]) => `${renderValue(k, indent + INDENT)} => ${renderValue(val, indent + INDENT)}`),
    ...Object.entries(v.props ?? {}).map(([k, val]) => `${SIMPLE_KEY.test(k) ? k : quote(k)}: ${renderValue(val, indent + INDENT)}`),
  ];
  if (v.more) parts.push(`… ${v.more} more`);
  const [open, close] = v.items ? ['[', ']'] : ['{', '}'];
  const prefix = v.value !== undefined ? `${head}<${plain(v.value)}> ` : head;
  if (parts.length === 0) return `${prefix}${open}${close}`;
  const oneLine = `${prefix}${open} ${parts.join(', ')} ${close}`;
  if (oneLine.length + indent.length <= 100 && !oneLine.includes('\n')) return oneLine;
  return `${prefix}${open}\n${parts.map((p) => indent + INDENT + p).join(',\n')}\n${indent}${close}`;
}

/** What a `truncated` reason says when a container was not read. */
const TRUNCATION_NOTES: Record<string, string> = {
  budget: 'not read: sample budget spent',
  size: 'elements not read: over 1000',
  time: "not read: the sample's read time ran out",
  record: "not read: the sample's record was full",
  state: 'state not read',
  unreadable: 'unreadable',
};

function truncationNote(reason: string): string {
  return TRUNCATION_NOTES[reason] ?? `not read: ${reason}`;
}

function quote(text: string): string {
  return `'${plain(text.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))}'`;
}
