/**
 * Parameter names of a function, read from its source text, so a frame's
 * variables can be split into arguments and locals as Python's tripod did.
 * V8's local scope lists both together.
 */

const IDENTIFIER = /^[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*/;

/** What a function's text starts with: `function f(`, `async (`, `x =>`, `method(`, `get [k](`. */
const FUNCTION_HEADER = /^\s*(?:async\s+)?(?:function\b[\s*]*[\w$]*\s*\(|\(|[\w$]+\s*=>|(?:static\s+)?(?:get\s+|set\s+)?\*?\s*(?:[\w$]+|\[[^\]]*\]|#[\w$]+)\s*\()/;

/** `text` starts where V8 says the function starts; undefined when it is not a function's header (a module's top level). */
export function parameterNames(text: string): string[] | undefined {
  if (!FUNCTION_HEADER.test(text)) return undefined;
  const arrow = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(text);
  if (arrow) return [arrow[1]];
  const open = text.indexOf('(');
  if (open < 0) return undefined;
  // Defaults may hold strings and comments with commas and brackets in them: blanked, they split nothing.
  const list = balancedList(blanked(text), open);
  if (list === undefined) return undefined;
  return splitTopLevel(list).flatMap(bindingNames);
}

/** The text between the parenthesis at `open` and its match. */
function balancedList(text: string, open: number): string | undefined {
  let depth = 0;
  let quote = '';
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return undefined;
}

/**
 * The text with what is inside string literals and comments replaced by spaces
 * (quotes kept), so that only code is left to split; positions stay where they were.
 */
function blanked(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const end = c === '"' || c === "'" || c === '`' ? stringEnd(text, i) : text.startsWith('/*', i) ? text.indexOf('*/', i + 2) + 1 : text.startsWith('//', i) ? lineEnd(text, i) : -2;
    if (end === -2) {
      out += c;
      continue;
    }
    const stop = end <= i ? text.length - 1 : end;
    const keepQuotes = c === '"' || c === "'" || c === '`';
    out += keepQuotes ? c + ' '.repeat(Math.max(0, stop - i - 1)) + (stop > i ? text[stop] : '') : text.slice(i, stop + 1).replace(/[^\n]/g, ' ');
    i = stop;
  }
  return out;
}

/** Where the string literal opened at `open` closes (-1: it does not). */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === text[open]) return i;
  }
  return -1;
}

/** The last character of the line comment at `at`, before its newline. */
function lineEnd(text: string, at: number): number {
  const newline = text.indexOf('\n', at);
  return newline < 0 ? text.length - 1 : newline - 1;
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** `a`, `a = 1`, `...rest`, `{ a, b: c }`, `[x, y]` -> the names they bind. */
function bindingNames(param: string): string[] {
  const body = withoutDefault(param.replace(/^\.\.\./, '').trim());
  if (body.startsWith('{') || body.startsWith('[')) {
    const inner = body.slice(1, -1);
    return splitTopLevel(inner).flatMap((part) => {
      const colon = topLevelIndex(part, ':');
      return bindingNames(colon >= 0 ? part.slice(colon + 1) : part);
    });
  }
  const name = IDENTIFIER.exec(body);
  return name ? [name[0]] : [];
}

function withoutDefault(param: string): string {
  const eq = topLevelIndex(param, '=');
  return (eq >= 0 ? param.slice(0, eq) : param).trim();
}

function topLevelIndex(text: string, char: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === char && depth === 0 && text[i + 1] !== '>') return i;
  }
  return -1;
}
