/**
 * README's option tables (each follows a `<!-- options: COMMAND -->` marker) say
 * what src/options/table.ts says: every option of the command is there, under its
 * flag, with its variable, default and range.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type Command, type CommandOption, optionsOf } from '../src/options/table';

describe("README's option tables", () => {
  const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const tables = readmeTables(readme);

  it('has one for every command with options of its own', () => {
    const documented = new Set(tables.flatMap((t) => t.commands));
    for (const command of COMMANDS) expect(documented.has(command), command).toBe(true);
  });

  it('says what the table says: flags, variables, defaults and ranges', () => {
    for (const table of tables) {
      const named = new Map<Command, Set<string>>(table.commands.map((c) => [c, new Set()]));
      for (const row of table.rows) {
        const commands = row.only ? table.commands.filter((c) => c === row.only) : table.commands;
        for (const command of commands) {
          const options = row.flags.map((flag) => findOption(command, flag));
          for (const [i, option] of options.entries()) {
            expect(option, `README's ${row.flags[i]} in ${command}'s table`).toBeDefined();
            named.get(command)!.add(option!.key);
          }
          if (options.length === 1) checkRow(row, options[0]!, command);
        }
      }
      for (const [command, keys] of named) {
        for (const option of optionsOf(command)) if (option.key !== 'help') expect(keys.has(option.key), `${command}'s --${option.flag} in README`).toBe(true);
      }
    }
  });
});

interface ReadmeRow {
  flags: string[];
  only?: Command;
  env?: string;
  defaultCell?: string;
  meaning: string;
}

/** The tables that follow `<!-- options: run -->` (or `dump, record`) markers. */
function readmeTables(readme: string): Array<{ commands: Command[]; rows: ReadmeRow[] }> {
  return [...readme.matchAll(/<!-- options: ([\w, ]+?)(?: \(.*\))? -->\n((?:\|.*\n)+)/g)].map((match) => {
    const commands = match[1].split(',').map((c) => c.trim() as Command);
    const lines = match[2].trim().split('\n');
    const header = cells(lines[0]);
    const rows = lines.slice(2).map((line) => {
      const row = cells(line);
      const column = (name: string) => (header.includes(name) ? row[header.indexOf(name)] : undefined);
      return {
        flags: [...row[0].matchAll(/`(-[\w-]+)/g)].map((m) => m[1]),
        only: /\((dump|record)\)/.exec(row[0])?.[1] as Command | undefined,
        env: column('environment'),
        defaultCell: column('default'),
        meaning: column('meaning') ?? '',
      };
    });
    return { commands, rows };
  });
}

function cells(line: string): string[] {
  return line.split('|').slice(1, -1).map((cell) => cell.trim());
}

function findOption(command: Command, flag: string): CommandOption | undefined {
  return optionsOf(command).find((o) => `--${o.flag}` === flag || `--${o.alias}` === flag || `-${o.short}` === flag);
}

function checkRow(row: ReadmeRow, option: CommandOption, command: Command): void {
  const where = `README's ${row.flags[0]} (${command})`;
  if (row.env !== undefined && row.env !== 'as for the runner') {
    const expected = option.env === undefined ? '' : option.kind === 'switch' ? `\`${option.env}=${option.default ? 0 : 1}\`` : `\`${option.env}\``;
    expect(row.env, where).toBe(expected);
  }
  if (row.defaultCell !== undefined && row.defaultCell !== 'as for the runner') {
    if (typeof option.default === 'number' && option.defaultText === undefined) expect(row.defaultCell, where).toBe(String(option.default));
    else if (option.defaultText !== undefined) expect(row.defaultCell.startsWith(option.defaultText), `${where}: ${row.defaultCell}`).toBe(true);
    else if (option.kind === 'switch' && !option.default) expect(['off', ''], where).toContain(row.defaultCell);
  }
  const ranges = [...row.meaning.matchAll(/(\d[\d.]*)–(\d[\d.]*)/g)].map((m) => `${m[1]}-${m[2]}`);
  if (option.range) expect(ranges, where).toContain(`${option.range.min}-${option.range.max}`);
  else expect(ranges, where).toEqual([]);
  if (typeof option.default === 'number' && row.defaultCell === undefined && /\(default [\d.]+\)/.test(row.meaning)) {
    expect(row.meaning, where).toContain(`(default ${option.default})`);
  }
}
