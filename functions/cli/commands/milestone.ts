/** `inkoop milestone retry <cycle> <milestone>`: re-run a failed milestone without repeating what it did. */
import type { Command } from 'commander';
import { retryMilestone } from '../../cycles/retry.ts';
import { withStore } from '../context.ts';
import { action, printJson } from '../run.ts';
import { globalsOf, openExecutionStarter, operatorActor } from './cycle.ts';

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
        const globals = globalsOf(command);
        const executions = await openExecutionStarter(globals);
        try {
          const result = await withStore(globals, (store) =>
            retryMilestone(store, executions.starter, { cycleId, milestone: milestoneId, actor: operatorActor() }),
          );
          if (options.json) {
            return printJson({ cycleId, steps: result.steps.map((s) => s.stepId), executionName: result.executionName, executionArn: result.executionArn ?? null });
          }
          const steps = result.audit.kind === 'retry' ? result.audit.stepIds.join(', ') : '';
          process.stdout.write(
            result.executionArn
              ? `Retrying ${steps} of ${cycleId}: started ${result.executionName} (${result.executionArn})\n`
              : `Put ${steps} of ${cycleId} back to due. No execution was started here: the local runtime resumes the cycle when it runs it (${result.executionName}).\n`,
          );
        } finally {
          await executions.close();
        }
      }),
    );
}
