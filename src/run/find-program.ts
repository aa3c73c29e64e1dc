/**
 * `tripod tsc -p .`: a bare name with no file of that name in the cwd is looked
 * up as npx looks it up (the nearest node_modules/.bin walking up from the cwd,
 * then PATH), and run in-process only if it is a Node program: a `node` shebang
 * or a .js/.cjs/.mjs file once its symlinks are followed (.bin entries are
 * symlinks). Anything else is refused the way a shell refuses it: 126 when found
 * but not runnable here, 127 when not found.
 */
import { accessSync, closeSync, constants, openSync, readSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';

/** Exit codes a shell gives: found but cannot be run, and not found. */
const CANNOT_EXECUTE = 126;
const NOT_FOUND = 127;

const NODE_EXTENSIONS = /\.(js|cjs|mjs)$/;
const TYPESCRIPT_EXTENSIONS = /\.(ts|cts|mts)$/;
/** node, nodejs (Debian), node20 and the like: the interpreters a shebang may name. */
const NODE_INTERPRETER = /^node(js)?[-_.\d]*$/;
/** A shebang line is at most this long on Linux (BINPRM_BUF_SIZE). */
const SHEBANG_BYTES = 256;

/** Whether `node NAME` would take NAME for a path: anything with a directory part. */
export function isBareName(script: string): boolean {
  return !script.includes('/') && script !== '.' && script !== '..';
}

/**
 * The executable a shell would run for NAME, with npx's preference for the
 * project's own node_modules/.bin; the path as found, its symlinks unfollowed
 * (a shell hands that path to the interpreter, so it is the program's argv[1]).
 */
export function findOnSearchPath(name: string, cwd: string, pathVariable: string | undefined): string | undefined {
  const dirs = [...binDirsUpFrom(cwd), ...(pathVariable ?? '').split(path.delimiter).filter(Boolean)];
  return dirs.map((dir) => path.resolve(cwd, dir, name)).find(isExecutableFile);
}

function binDirsUpFrom(cwd: string): string[] {
  const dirs: string[] = [];
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    dirs.push(path.join(dir, 'node_modules', '.bin'));
    if (path.dirname(dir) === dir) return dirs;
  }
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A found program that is a Node script passes; anything else is one line with exit 126. */
export function checkNodeProgram(name: string, found: string): void {
  const real = realpathSync(found);
  if (NODE_EXTENSIONS.test(real) || TYPESCRIPT_EXTENSIONS.test(real)) return;
  const head = readHead(real);
  if (isNodeShebang(head)) return;
  throw new UserError(
    `tripod: ${name} is not a Node.js program (${found} is ${describeFile(head, real, found)}); run it without tripod, or point tripod at a .js file`,
    CANNOT_EXECUTE,
  );
}

/** `#!/usr/bin/env node`, `#!/usr/bin/env -S node --flag`, `#!/usr/local/bin/node --flag`. */
export function isNodeShebang(head: Buffer): boolean {
  const words = shebangWords(head);
  if (!words) return false;
  const [interpreter, ...rest] = words;
  if (path.basename(interpreter) !== 'env') return NODE_INTERPRETER.test(path.basename(interpreter));
  const command = rest.find((word) => !word.startsWith('-') && !word.includes('='));
  return command !== undefined && NODE_INTERPRETER.test(path.basename(command));
}

function shebangWords(head: Buffer): string[] | undefined {
  if (head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const line = head.toString('latin1', 2).split(/\r?\n/)[0];
  const words = line.trim().split(/\s+/).filter(Boolean);
  return words.length > 0 ? words : undefined;
}

function describeFile(head: Buffer, real: string, found: string): string {
  const target = real === found ? '' : ` -> ${real}`;
  if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return `an ELF executable${target}`;
  const words = shebangWords(head);
  if (words) return `a script for ${words.join(' ')}${target}`;
  return `neither a .js file nor a script with a node shebang${target}`;
}

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(SHEBANG_BYTES);
    return buffer.subarray(0, readSync(fd, buffer, 0, SHEBANG_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/** A bare name found nowhere: 127, as a shell says "command not found". */
export function notFoundError(name: string, cwd: string): UserError {
  return new UserError(
    `tripod: cannot find the script ${name} (no file ${path.join(cwd, name)}, and no ${name} in node_modules/.bin from here up nor on PATH); check the name, or install the package that provides it`,
    NOT_FOUND,
  );
}

/**
 * TypeScript runs where this Node strips types (22.18+, 23.6+ by default); Node 20 would read it as JS and
 * fail at its first annotation, so it is refused in one line that says which Node can.
 */
export function checkTypeScriptRuns(file: string, features = process.features as { typescript?: unknown }): void {
  if (!TYPESCRIPT_EXTENSIONS.test(file) || features.typescript) return;
  throw new UserError(
    `tripod: node ${process.version} cannot run TypeScript (${file}); run it with Node 22.18+ or 23.6+, which strip types, or compile it to .js first`,
    CANNOT_EXECUTE,
  );
}
