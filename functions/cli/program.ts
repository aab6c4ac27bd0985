/**
 * The `inkoop` program: each capability registers its subcommands from its own
 * module in ./commands; errors are mapped to exit codes in ./run.ts only.
 */
import { Command } from 'commander';
import { commandModules } from './commands/index.ts';

export function createProgram(): Command {
  const program = new Command()
    .name('inkoop')
    .description('Runs and inspects a health insurer\'s provider-contracting calendar.')
    .option('--aws', 'work against the deployed stack, through its operator API (SigV4, your AWS credentials), instead of the local runtime')
    .option('--data <dir>', 'local runtime data folder', '.local')
    .showHelpAfterError();
  for (const register of commandModules) register(program);
  return program;
}
