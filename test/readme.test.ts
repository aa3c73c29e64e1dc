/**
 * README says what happens: every exit code its "Exit codes" table documents and every
 * tripod message its code blocks quote must exist in the code. Each quoted message is
 * found among the source's strings; the examples that are cheap to reproduce are run
 * as README writes them, and must print that very line with that exit code. README's
 * links into docs/design.md must land on headings. (Documented options are checked
 * against the option table by their own test.)
 */
import { spawn } from 'node:child_process';
import { chownSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ATTACH_EXIT } from '../src/attach/exit-codes';
import { ROOT, tempDir, tripod } from './helpers/cli';

const nodes = inject('nodes');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DESIGN = readFileSync(path.join(ROOT, 'docs', 'design.md'), 'utf8');
const SOURCES = sourceFiles(path.join(ROOT, 'src')).map((file) => readFileSync(file, 'utf8'));

// ---- reading README ----

/** The lines of each fenced code block. */
function codeBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  let open: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      if (open) blocks.push(open);
      open = open ? undefined : [];
    } else open?.push(line);
  }
  return blocks;
}

/** The rows of the table under "## Exit codes": exit code -> the rest of the row. */
function exitCodeTable(markdown: string): Map<number, string> {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Exit codes\n'));
  if (!section) throw new Error('README has no "## Exit codes" section');
  const rows = new Map<number, string>();
  for (const line of section.split('\n')) {
    const cells = /^\| (\d+) \|(.*)\|$/.exec(line);
    if (cells) rows.set(Number(cells[1]), cells[2]);
  }
  return rows;
}

const quotedMessages = codeBlocks(README)
  .flat()
  // tripod's messages; `tripod:capture …` lines are TRIPOD_DEBUG's output, not messages.
  .filter((line) => line.startsWith('tripod: '));

// ---- reading the source ----

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

interface Literal {
  /** The literal's text pieces, between its `${…}` interpolations. */
  pieces: string[];
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"', '`': '`', $: '$' };

/**
 * Every string and template literal of a source file, skipping comments. A template's
 * interpolations are skipped with their nesting (they may hold strings of their own).
 */
function literalsOf(text: string): Literal[] {
  const found: Literal[] = [];
  let i = 0;
  const readQuoted = (quote: string): Literal => {
    const pieces = [''];
    i++;
    while (i < text.length && text[i] !== quote) {
      if (text[i] === '\\') {
        pieces[pieces.length - 1] += ESCAPES[text[i + 1]] ?? text[i + 1];
        i += 2;
      } else if (quote === '`' && text.startsWith('${', i)) {
        i = skipInterpolation(i + 2);
        pieces.push('');
      } else pieces[pieces.length - 1] += text[i++];
    }
    i++;
    return { pieces };
  };
  const skipInterpolation = (from: number): number => {
    let depth = 1;
    i = from;
    while (i < text.length && depth > 0) {
      const c = text[i];
      if (c === '{') depth++;
      if (c === '}') depth--;
      if (c === "'" || c === '"' || c === '`') found.push(readQuoted(c));
      else i++;
    }
    return i;
  };
  while (i < text.length) {
    if (text.startsWith('//', i)) i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i) + 2;
    else if (text[i] === "'" || text[i] === '"' || text[i] === '`') found.push(readQuoted(text[i]));
    else i++;
  }
  return found;
}

const LITERALS = SOURCES.flatMap(literalsOf);
/** Fewer literal characters than this, and a template would match about any line (`tripod: ${message}`). */
const MIN_LITERAL_CHARS = 20;

/** Whether some source literal, its interpolations standing for any text, is the whole message. */
function sourceSays(message: string): boolean {
  return LITERALS.some(({ pieces }) => {
    const text = pieces.map((piece) => piece.replace(/\n$/, ''));
    if (text.join('').length < MIN_LITERAL_CHARS) return false;
    const pattern = text.map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?');
    return new RegExp(`^${pattern}$`).test(message);
  });
}

/** Balanced to the closing parenthesis: the argument text of a call that starts at `open`. */
function callArguments(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') {
      // Skip the literal: find its end the way literalsOf reads it.
      i = endOfLiteral(text, i);
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return '';
}

function endOfLiteral(text: string, start: number): number {
  const quote = text[start];
  let depth = 0;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (quote === '`' && text.startsWith('${', i)) depth++;
    else if (quote === '`' && depth > 0 && text[i] === '}') depth--;
    else if (text[i] === quote && depth === 0) return i;
  }
  return text.length;
}

/** The last top-level argument of an argument list (literals and nested calls skipped). */
function lastArgument(list: string): string | undefined {
  // A trailing comma (prettier's, in a call over several lines) ends no argument.
  const args = list.trim().replace(/,$/, '');
  let depth = 0;
  let last = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (c === "'" || c === '"' || c === '`') i = endOfLiteral(args, i);
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) last = i + 1;
  }
  return last === 0 ? undefined : args.slice(last).trim();
}

/** Exit codes the source can end with: each UserError's code (2 unless given), and exitCode assignments. */
function producibleExitCodes(): Set<number> {
  const codes = new Set<number>();
  const attach = ATTACH_EXIT as Record<string, number>;
  const defaultCode = /readonly exitCode = (\d+)/.exec(readFileSync(path.join(ROOT, 'src', 'errors.ts'), 'utf8'));
  for (const text of SOURCES) {
    for (const match of text.matchAll(/new UserError\(/g)) {
      const code = lastArgument(callArguments(text, match.index! + match[0].length - 1));
      if (code === undefined) codes.add(Number(defaultCode![1]));
      else if (/^\d+$/.test(code)) codes.add(Number(code));
      else if (code.startsWith('ATTACH_EXIT.') && code.slice('ATTACH_EXIT.'.length) in attach) codes.add(attach[code.slice('ATTACH_EXIT.'.length)]);
      else {
        // A constant of the same file: `const CANNOT_EXECUTE = 126;`.
        const constant = new RegExp(`const ${code} = (\\d+);`).exec(text);
        if (constant) codes.add(Number(constant[1]));
      }
    }
    for (const match of text.matchAll(/process\.exitCode = (\d+);/g)) codes.add(Number(match[1]));
  }
  return codes;
}

// ---- checks that need no process ----

describe('README', () => {
  const table = exitCodeTable(README);

  it('has an exit-code table covering the run, show/report and attach failures', () => {
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 8, 70, 126, 127, 130]) expect(table.has(code), `exit ${code} in README's table`).toBe(true);
  });

  it('documents only exit codes the code can end with', () => {
    const producible = producibleExitCodes();
    // 0 is a command that did its work; every other documented code must be one tripod sets.
    const missing = [...table.keys()].filter((code) => code !== 0 && !producible.has(code));
    expect(missing, `README documents exit codes no code path sets (the source sets ${[...producible].sort((a, b) => a - b).join(', ')})`).toEqual([]);
  });

  it('quotes tripod messages the source says', () => {
    expect(quotedMessages.length).toBeGreaterThanOrEqual(5);
    const unknown = quotedMessages.filter((message) => !sourceSays(message));
    expect(unknown, 'README quotes messages that no source string makes').toEqual([]);
  });

  it('would notice a message that does not exist', () => {
    expect(sourceSays('tripod: the log is full of bees; remove the bees with --no-bees or TRIPOD_BEES')).toBe(false);
    const quoted = quotedMessages.find((message) => message.includes('; use e.g. '))!;
    expect(sourceSays(quoted)).toBe(true);
    // Mended inside a literal piece of its source: text that stands where a `${…}` is matches anything.
    expect(sourceSays(quoted.replace('; use e.g. ', '; try e.g. '))).toBe(false);
  });

  it('links only to headings of docs/design.md that exist', () => {
    const headings = new Set([...DESIGN.matchAll(/^#+ (.+)$/gm)].map((match) => slug(match[1])));
    const links = [...README.matchAll(/\]\(docs\/design\.md#([^)]+)\)/g), ...DESIGN.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]);
    expect(links.length).toBeGreaterThanOrEqual(10);
    expect(links.filter((anchor) => !headings.has(anchor))).toEqual([]);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

// ---- README's examples, run as written ----

interface Example {
  /** The `$ ` line of a README code block, without the `$ `. */
  command: string;
  exit: number;
  /** Makes what the command needs in the temp directory it runs in; a pid it returns stands for README's 5396. */
  prepare?: (dir: string) => Promise<{ pid?: number; cleanup?: () => void } | void>;
  skip?: string;
}

const README_PID = /\b5396\b/;

const EXAMPLES: Example[] = [
  { command: 'TRIPOD_INTERVAL=soon tripod app.js', exit: 2 },
  { command: 'tripod /srv/missing.js', exit: 127, skip: existsSync('/srv/missing.js') ? '/srv/missing.js exists here' : undefined },
  { command: 'tripod show empty.log', exit: 1, prepare: async (dir) => writeFileSync(path.join(dir, 'empty.log'), '') },
  { command: 'tripod dump 4000000', exit: ATTACH_EXIT.noSuchProcess, skip: existsSync('/proc/4000000') ? 'pid 4000000 is in use here' : undefined },
  {
    command: 'tripod dump 5396',
    exit: ATTACH_EXIT.notNode,
    prepare: async () => {
      const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
      await new Promise((resolve) => sleeper.once('spawn', resolve));
      return { pid: sleeper.pid, cleanup: () => sleeper.kill() };
    },
  },
  // The script runs on without its log: the exit code is the script's.
  { command: 'tripod --log /dev/full app.js', exit: 0, prepare: async (dir) => writeFileSync(path.join(dir, 'app.js'), '') },
  {
    command: 'tripod --log /tmp/shared.log app.js',
    exit: 2,
    skip: process.getuid?.() === 0 ? undefined : 'needs root to give a file to user 1001',
    prepare: async (dir) => {
      writeFileSync(path.join(dir, 'app.js'), '');
      writeFileSync('/tmp/shared.log', '', { mode: 0o600 });
      chownSync('/tmp/shared.log', 1001, 1001);
      return { cleanup: () => rmSync('/tmp/shared.log', { force: true }) };
    },
  },
];

/** The tripod lines README prints under `$ command`, in the same code block. */
function readmeLinesAfter(command: string): string[] {
  for (const block of codeBlocks(README)) {
    const at = block.indexOf(`$ ${command}`);
    if (at === -1) continue;
    const lines: string[] = [];
    for (const line of block.slice(at + 1)) {
      if (line.startsWith('$ ')) break;
      if (line.startsWith('tripod:')) lines.push(line);
    }
    return lines;
  }
  return [];
}

function parseCommand(command: string): { env: Record<string, string>; args: string[] } {
  const words = command.split(' ');
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    env[name] = value.join('=');
  }
  expect(words.shift()).toBe('tripod');
  return { env, args: words };
}

describe.each(nodes)("README's examples, $label", ({ bin }) => {
  const table = exitCodeTable(README);

  it.each(EXAMPLES)('$command prints what README says, with its exit code', async (example) => {
    if (example.skip) return void console.warn(`skipped "${example.command}": ${example.skip}`);
    const expected = readmeLinesAfter(example.command);
    expect(expected, `README shows "$ ${example.command}" and what it prints`).not.toHaveLength(0);
    expect(table.has(example.exit), `exit ${example.exit} in README's table`).toBe(true);
    const dir = tempDir();
    const prepared = (await example.prepare?.(dir)) || {};
    try {
      const pid = prepared.pid === undefined ? undefined : String(prepared.pid);
      const { env, args } = parseCommand(pid ? example.command.replace(README_PID, pid) : example.command);
      const result = await tripod(bin, args, { env, cwd: dir });
      expect(result.code).toBe(example.exit);
      const printed = result.stderr.split('\n').filter((line) => line.startsWith('tripod:'));
      expect(printed).toEqual(expected.map((line) => (pid ? line.replace(README_PID, pid) : line)));
    } finally {
      prepared.cleanup?.();
    }
  });
});
