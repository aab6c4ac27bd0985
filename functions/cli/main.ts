/**
 * `inkoop`: the operators' command-line tool. Each capability registers its
 * subcommands from its own module in ./commands; errors are mapped to exit
 * codes here and only here (see ./run.ts).
 */
import { Command } from 'commander';
import { commandModules } from './commands/index.ts';

const program = new Command()
  .name('inkoop')
  .description('Runs and inspects a health insurer\'s provider-contracting calendar.')
  .option('--aws', 'work against the deployed stack (its outputs and your AWS credentials) instead of the local runtime')
  .option('--data <dir>', 'local runtime data folder', '.local')
  .showHelpAfterError();

for (const register of commandModules) register(program);

await program.parseAsync(process.argv);
