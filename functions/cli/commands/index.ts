import type { Command } from 'commander';
import { registerCalendarCommands } from './calendar.ts';
import { registerClockCommands } from './clock.ts';
import { registerContactCommands } from './contact.ts';
import { registerCycleCommands } from './cycle.ts';
import { registerDashboardCommand } from './dashboard.ts';
import { registerDecideCommand } from './decide.ts';
import { registerMilestoneCommands } from './milestone.ts';
import { registerProviderCommand } from './provider.ts';
import { registerProviderCommands } from './providers.ts';
import { registerQuestionsCommands } from './questions.ts';
import { registerRehearseCommand } from './rehearse.ts';
import { registerStatusCommand } from './status.ts';

/** Each capability adds its module here: `(program) => void` registering its subcommands. */
export const commandModules: Array<(program: Command) => void> = [
  registerCalendarCommands,
  registerCycleCommands, // after calendar: adds `calendar amend`
  registerMilestoneCommands,
  registerProviderCommands,
  registerStatusCommand,
  registerProviderCommand,
  registerDecideCommand,
  registerContactCommands,
  registerQuestionsCommands,
  registerDashboardCommand,
  registerRehearseCommand,
  registerClockCommands,
];
