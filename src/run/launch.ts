/**
 * Runs the target script in this process exactly as `node script args` would:
 * argv[1] is its absolute path, CommonJS sees require.main === module, ES
 * modules get their own import.meta.url. A bare name that is no file here is a
 * program to look up as npx does (find-program.ts).
 */
import Module from 'node:module';
import * as path from 'node:path';
import { realpathSync } from 'node:fs';
import { UserError } from '../errors';
import { checkNodeProgram, checkTypeScriptRuns, findOnSearchPath, isBareName, notFoundError } from './find-program';

interface ModuleInternals {
  _findPath(request: string, paths: string[] | null, isMain: boolean): string | false;
  runMain(main?: string): void;
}

const internals = Module as unknown as ModuleInternals;

/**
 * The file Node would run for `node script`; else, for a bare name, the program a shell would run (its path
 * as found, which is what a shell gives the interpreter as argv[1]); or a UserError with a shell's exit code.
 */
export function resolveScript(script: string, cwd = process.cwd(), pathVariable = process.env.PATH): string {
  const absolute = path.resolve(cwd, script);
  const found = internals._findPath(absolute, null, true);
  if (found) {
    checkTypeScriptRuns(found);
    return found;
  }
  if (!isBareName(script)) throw new UserError(`tripod: cannot find the script ${script} (looked for ${absolute}); check the path`, 127);
  const program = findOnSearchPath(script, cwd, pathVariable);
  if (!program) throw notFoundError(script, cwd);
  checkNodeProgram(script, program);
  checkTypeScriptRuns(realpathSync(program));
  return program;
}

export function runScript(scriptPath: string, args: string[]): void {
  process.argv = [process.argv[0], scriptPath, ...args];
  internals.runMain(scriptPath);
}
