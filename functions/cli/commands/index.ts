import type { Command } from 'commander';

/** Each capability adds its module here: `(program) => void` registering its subcommands. */
export const commandModules: Array<(program: Command) => void> = [];
