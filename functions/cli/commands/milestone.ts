/** `inkoop milestone retry <cycle> <milestone>`: re-run a failed milestone without repeating what it did. */
import type { Command } from 'commander';
import { action, printJson } from '../run.ts';
import { globalsOf } from './cycle.ts';
import { localActor, withOperatorContext } from './load.ts';

export function registerMilestoneCommands(program: Command): void {
  const milestone = program.command('milestone').description('Milestones of a cycle.');
  milestone
    .command('retry')
    .argument('<cycle>', 'the cycle id')
    .argument('<milestone>', 'the failed milestone (its id, or one step id such as registration#closes)')
    .option('--json', 'print the result as JSON')
    .description(
      'Put a failed milestone back and start a new execution (<cycle>-retry-<n>) that resumes there. ' +
        'Emails already queued are not queued again; applications already moved are not moved again.',
    )
    .action(
      action(async (cycleId: string, milestoneId: string, options: { json?: boolean }, command: Command) => {
        const result = await withOperatorContext(globalsOf(command), async ({ service }) => service.retry(cycleId, milestoneId, await localActor()));
        if (options.json) {
          return printJson({ cycleId, steps: result.steps, executionName: result.executionName, executionArn: result.executionArn });
        }
        const steps = result.steps.join(', ');
        process.stdout.write(
          result.executionArn
            ? `Retrying ${steps} of ${cycleId}: started ${result.executionName} (${result.executionArn})\n`
            : `Put ${steps} of ${cycleId} back to due. No execution was started here: the local runtime resumes the cycle when it runs it (${result.executionName}).\n`,
        );
      }),
    );
}
