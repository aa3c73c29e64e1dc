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
  const list = balancedList(text, open);
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
