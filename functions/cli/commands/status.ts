/**
 * `inkoop status [<cycle>] [--json]`: every cycle (or one) with its execution
 * status (Step Functions in AWS, the local engine in a rehearsal), each
 * milestone with local and UTC times, applications per state, emails per
 * status, what is due or overdue, and failed milestones with the command that
 * re-runs them (`inkoop milestone retry <cycle> <milestone>`).
 */
import type { Command } from 'commander';
import type { GlobalOptions } from '../operator-context.ts';
import { statusText } from '../../operators/text.ts';
import { action, printJson } from '../run.ts';
import { withOperatorContext } from './load.ts';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .argument('[cycle]', 'a cycle id (default: every cycle)')
    .option('--json', 'print the status as JSON')
    .description('Show cycles: execution, milestones (local and UTC times), applications per state, emails per status, what is overdue, failed milestones.')
    .action(
      action(async (cycle: string | undefined, opts: { json?: boolean }, command: Command) => {
        await withOperatorContext(command.optsWithGlobals<GlobalOptions>(), async ({ service }) => {
          const views = cycle ? [await service.cycle(cycle)] : await service.cycles();
          if (opts.json) return printJson(cycle ? views[0] : views);
          process.stdout.write(views.length ? `${views.map(statusText).join('\n\n')}\n` : 'No cycles yet.\n');
        });
      }),
    );
}
