import type { Command } from 'commander';
import { registerCalendarCommands } from './calendar.ts';
import { registerProviderCommands } from './providers.ts';

/** Each capability adds its module here: `(program) => void` registering its subcommands. */
export const commandModules: Array<(program: Command) => void> = [registerCalendarCommands, registerProviderCommands];
