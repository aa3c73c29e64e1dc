/**
 * The first arguments that name a command of tripod's rather than a script to run: bin/tripod.js loads
 * the CLI's bundle for these and the runner's bundle for a script (see there), and cli.ts
 * dispatches them through its COMMANDS table, whose type is this list.
 */
export const SUBCOMMANDS = ['show', 'dump', 'record', 'flags', 'logs', 'monitor', 'report', 'help'] as const;

export type Subcommand = (typeof SUBCOMMANDS)[number];
