/**
 * Runs the target script in this process exactly as `node script args` would:
 * argv[1] is its absolute path, CommonJS sees require.main === module, ES
 * modules get their own import.meta.url.
 */
import Module from 'node:module';
import * as path from 'node:path';
import { UserError } from '../errors';

interface ModuleInternals {
  _findPath(request: string, paths: string[] | null, isMain: boolean): string | false;
  runMain(main?: string): void;
}

const internals = Module as unknown as ModuleInternals;

/** The file Node would run for `node script`, or a UserError (exit 127, like a shell's "not found"). */
export function resolveScript(script: string): string {
  const absolute = path.resolve(script);
  const found = internals._findPath(absolute, null, true);
  if (!found) throw new UserError(`tripod: cannot find the script ${script} (looked for ${absolute}); check the path`, 127);
  return found;
}

export function runScript(scriptPath: string, args: string[]): void {
  process.argv = [process.argv[0], scriptPath, ...args];
  internals.runMain(scriptPath);
}
