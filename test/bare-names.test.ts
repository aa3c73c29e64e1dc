/**
 * `tripod NAME`: a bare name is looked up as npx does (node_modules/.bin from the
 * cwd up, then PATH) and run in-process when it is a Node program; anything else
 * is refused in one line with a shell's exit code (126 found, 127 not found).
 */
import { chmodSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT, run, tempDir, tripod } from './helpers/cli';

const nodes = inject('nodes');

/** What a program sees of how it was started, as JSON on stdout. */
const REPORTER = `console.log(JSON.stringify({ argv: process.argv.slice(1), isMain: require.main === module, filename: require.main && require.main.filename }));\n`;

interface Project {
  root: string;
  /** A directory below the project: the .bin lookup walks up from it. */
  cwd: string;
  /** A directory put first on PATH. */
  onPath: string;
}

function executable(file: string, text: string): string {
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

/** A project as npm lays it out: a package's bin file, and its symlink in node_modules/.bin. */
function makeProject(): Project {
  const root = realpathSync(tempDir());
  const pkg = path.join(root, 'node_modules', 'hello-cli');
  mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  mkdirSync(path.join(root, 'node_modules', '.bin'));
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'hello-cli', version: '1.0.0', bin: { hello: 'bin/hello' } }));
  executable(path.join(pkg, 'bin', 'hello'), `#!/usr/bin/env node\n${REPORTER}`);
  symlinkSync('../hello-cli/bin/hello', path.join(root, 'node_modules', '.bin', 'hello'));
  const cwd = path.join(root, 'src', 'deeper');
  mkdirSync(cwd, { recursive: true });
  const onPath = path.join(root, 'path-bin');
  mkdirSync(onPath);
  executable(path.join(onPath, 'on-path'), `#!/usr/bin/env -S node --no-warnings\n${REPORTER}`);
  executable(path.join(onPath, 'shell-script'), '#!/bin/sh\necho from the shell\n');
  writeFileSync(path.join(root, 'typed.ts'), 'const answer: number = 41;\nconsole.log(answer + 1, require.main === module);\n');
  return { root, cwd, onPath };
}

function pathWith(dir: string): string {
  return `${dir}${path.delimiter}${process.env.PATH ?? ''}`;
}

describe.each(nodes)('bare program names, $label', ({ bin, label }) => {
  let project: Project;
  beforeAll(() => {
    project = makeProject();
  });

  it('runs a node_modules/.bin entry from a directory below the project, with the argv and require.main node gives it', async () => {
    const binPath = path.join(project.root, 'node_modules', '.bin', 'hello');
    const plain = await run(bin, [binPath, 'a', '--flag'], { cwd: project.cwd });
    const under = await tripod(bin, ['-q', 'hello', 'a', '--flag'], { cwd: project.cwd, env: { TRIPOD_LOG: path.join(project.root, 'hello.log') } });
    expect(under.stderr).toBe('');
    expect(under.code).toBe(0);
    expect(JSON.parse(under.stdout)).toEqual(JSON.parse(plain.stdout));
    expect(JSON.parse(under.stdout)).toEqual({ argv: [binPath, 'a', '--flag'], isMain: true, filename: path.join(project.root, 'node_modules', 'hello-cli', 'bin', 'hello') });
  });

  it('prefers a file of that name in the cwd, as node does', async () => {
    writeFileSync(path.join(project.cwd, 'hello.js'), 'console.log("the local file");\n');
    const result = await tripod(bin, ['-q', 'hello'], { cwd: project.cwd, env: { TRIPOD_LOG: path.join(project.root, 'local.log') } });
    expect(result.stdout).toBe('the local file\n');
  });

  it('finds a Node program on PATH, shebang flags and all', async () => {
    const found = path.join(project.onPath, 'on-path');
    const result = await tripod(bin, ['-q', 'on-path', 'x'], { cwd: project.cwd, env: { PATH: pathWith(project.onPath), TRIPOD_LOG: path.join(project.root, 'path.log') } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ argv: [found, 'x'], isMain: true, filename: found });
  });

  it('refuses a shell script and an ELF executable with 126, and a missing name with 127, each in one line', async () => {
    const env = { PATH: pathWith(project.onPath), TRIPOD_LOG: path.join(project.root, 'refused.log') };
    const script = await tripod(bin, ['shell-script'], { cwd: project.cwd, env });
    expect(script.code).toBe(126);
    expect(script.stdout).toBe('');
    expect(script.stderr).toBe(
      `tripod: shell-script is not a Node.js program (${path.join(project.onPath, 'shell-script')} is a script for /bin/sh); run it without tripod, or point tripod at a .js file\n`,
    );
    const elf = await tripod(bin, ['ls'], { cwd: project.cwd, env });
    expect(elf.code).toBe(126);
    expect(elf.stderr).toMatch(/^tripod: ls is not a Node\.js program \(\/\S+\/ls is an ELF executable\); run it without tripod, or point tripod at a \.js file\n$/);
    const missing = await tripod(bin, ['no-such-program-anywhere'], { cwd: project.cwd, env });
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/^tripod: cannot find the script no-such-program-anywhere \(no file .*, and no no-such-program-anywhere in node_modules\/\.bin from here up nor on PATH\); check the name[^\n]*\n$/);
  });

  it('runs a .ts script where this Node strips types, and says which Node can where it does not', async () => {
    const typed = path.join(project.root, 'typed.ts');
    const plain = await run(bin, [typed], { cwd: project.root });
    const under = await tripod(bin, ['-q', 'typed.ts'], { cwd: project.root, env: { TRIPOD_LOG: path.join(project.root, 'typed.log') } });
    if (Number(/node v(\d+)/.exec(label)![1]) >= 24) {
      expect(under.code).toBe(0);
      expect(under.stdout).toBe('42 true\n');
      expect(under.stdout).toBe(plain.stdout);
      return;
    }
    expect(under.code).toBe(126);
    expect(under.stdout).toBe('');
    expect(under.stderr).toMatch(/^tripod: node v\d+\.\d+\.\d+ cannot run TypeScript \(.*typed\.ts\); run it with Node 22\.18\+ or 23\.6\+, which strip types, or compile it to \.js first\n$/);
  });

  it("runs a real package's bin: tsc from the checkout's dev dependencies", async () => {
    const plain = await run(bin, [path.join(ROOT, 'node_modules', '.bin', 'tsc'), '--version']);
    const under = await tripod(bin, ['-q', 'tsc', '--version'], { env: { TRIPOD_LOG: path.join(project.root, 'tsc.log') } });
    expect(under.code).toBe(0);
    expect(under.stdout).toMatch(/^Version \d+\.\d+\.\d+\n$/);
    expect(under.stdout).toBe(plain.stdout);
  });
});
