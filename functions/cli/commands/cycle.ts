/**
 * `inkoop cycle create|list|start` and `inkoop calendar amend`: the lifecycle of
 * a contracting cycle, through the operator service (locally on the data
 * folder, with `--aws` the deployed operator API). The work is in
 * functions/cycles; this module parses arguments and prints. Errors go through
 * ../run.ts (domain errors exit 1).
 */
import type { Command } from 'commander';
import { formatLocalInstant } from '../../calendar/time.ts';
import { ValidationError } from '../../commons/errors.ts';
import type { GlobalOptions } from '../operator-context.ts';
import type { CycleStatusView } from '../../operators/views.ts';
import { action, printJson } from '../run.ts';
import { localActor, withOperatorContext } from './load.ts';

export type Globals = GlobalOptions;

export const globalsOf = (command: Command): Globals => command.optsWithGlobals<Globals>();

/** One row of `cycle list`, from the cycle's status view. */
function listRow(view: CycleStatusView) {
  const c = view.cycle;
  const steps = view.milestones.flatMap((m) => m.steps);
  const next = view.nextStep;
  return {
    id: c.id,
    calendarId: c.calendarId,
    careType: c.careType,
    contract: c.contract,
    status: c.status,
    ...(c.status === 'failed' && c.cause ? { cause: c.cause } : {}),
    steps: { total: steps.length, done: steps.filter((s) => s.status === 'done').length },
    next: next ? { stepId: next.stepId, status: next.status, at: next.at } : null,
  };
}

export function registerCycleCommands(program: Command): void {
  const cycle = program.command('cycle').description('Contracting cycles: one per calendar, walked by the cycle workflow.');

  cycle
    .command('create')
    .argument('<calendar>', 'a calendar file, or the id of one in workflows/calendars')
    .option('--json', 'print the result as JSON')
    .description('Create the cycle of a calendar with its milestone steps (idempotent: an existing cycle is left as it is).')
    .action(
      action(async (file: string, options: { json?: boolean }, command: Command) => {
        const { loadCalendar } = await import('../../calendar/validate.ts');
        const calendar = await loadCalendar(file);
        // The service's clock stamps it: a running rehearsal's virtual time, else the real time.
        const result = await withOperatorContext(globalsOf(command), ({ service }) => service.createCycle({ calendar, source: file.split(/[\\/]/).pop() }));
        const c = result.cycle;
        if (options.json) {
          return printJson({ created: result.created, calendarDiffers: result.calendarDiffers, cycle: { id: c.id, status: c.status }, steps: result.steps.total });
        }
        const first = result.steps.first;
        process.stdout.write(
          result.created
            ? `Created cycle ${c.id} (${c.careType}, contract ${c.firstYear}): ${result.steps.total} steps` +
                (first ? `, first ${first.stepId} at ${formatLocalInstant(first.at)}` : '') +
                `\nStart it with: inkoop cycle start ${c.id}\n`
            : `Cycle ${c.id} exists (${c.status}); nothing changed.\n` +
                (result.calendarDiffers ? `Its calendar differs from ${file}: dates are changed with inkoop calendar amend.\n` : ''),
        );
      }),
    );

  cycle
    .command('list')
    .option('--json', 'print the cycles as JSON')
    .description('List the cycles with their status and next step.')
    .action(
      action(async (options: { json?: boolean }, command: Command) => {
        const globals = globalsOf(command);
        const rows = (await withOperatorContext(globals, ({ service }) => service.cycles())).map(listRow);
        if (options.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write('No cycles yet. Create one with: inkoop cycle create <calendar>\n');
        const table = [
          ['CYCLE', 'STATUS', 'CARE TYPE', 'CONTRACT', 'DONE', 'NEXT STEP'],
          ...rows.map((r) => [
            r.id,
            r.status,
            r.careType.name,
            r.contract.termYears === 1 ? `${r.contract.firstYear}` : `${r.contract.firstYear}-${r.contract.firstYear + r.contract.termYears - 1}`,
            `${r.steps.done}/${r.steps.total}`,
            r.next ? `${r.next.stepId} (${r.next.status}) ${formatLocalInstant(r.next.at)}` : '-',
          ]),
        ];
        const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
        process.stdout.write(`${table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n')}\n`);
        for (const r of rows) if ('cause' in r) process.stdout.write(`${r.id} failed: ${r.cause}\n`);
      }),
    );

  cycle
    .command('start')
    .argument('<cycle>', 'the cycle id')
    .description('Start the workflow execution of a planned cycle.')
    .action(
      action(async (cycleId: string, _options: unknown, command: Command) => {
        const { executionArn } = await withOperatorContext(globalsOf(command), ({ service }) => service.startCycle(cycleId));
        process.stdout.write(`Started cycle ${cycleId}: ${executionArn}\n`);
      }),
    );

  cycle
    .command('resume')
    .argument('<cycle>', 'the cycle id')
    .option('--json', 'print the result as JSON')
    .description(
      'Resume a stalled cycle (inkoop status says so: its last execution failed, timed out, was aborted or crossed a ' +
        'Step Functions limit). Steps left running or failed go back to due and a new execution (<cycle>--resume-<n>) ' +
        'picks up at the first step not done. Refused while an execution of the cycle runs. No email is sent twice.',
    )
    .action(
      action(async (cycleId: string, options: { json?: boolean }, command: Command) => {
        await withOperatorContext(command.optsWithGlobals<GlobalOptions>(), async ({ service }) => {
          const result = await service.resume(cycleId, await localActor());
          if (options.json) return printJson(result);
          const steps = result.steps.length ? `${result.steps.join(', ')} back to due; ` : '';
          process.stdout.write(
            result.executionArn
              ? `Resuming ${cycleId}: ${steps}started ${result.executionName} (${result.executionArn})\n`
              : `Resuming ${cycleId}: ${steps}no execution was started here: the local runtime resumes the cycle when it runs it (${result.executionName}).\n`,
          );
        });
      }),
    );

  registerAmend(program);
}

function registerAmend(program: Command): void {
  const calendar = program.commands.find((c) => c.name() === 'calendar') ?? program.command('calendar');
  calendar
    .command('amend')
    .argument('<cycle>', 'the cycle id')
    .argument('<milestone>', 'the milestone id (see inkoop calendar show <calendar>)')
    .argument('[date]', 'the new date (YYYY-MM-DD) of a single-date milestone')
    .option('--opens <date>', 'a window\'s new first day (YYYY-MM-DD)')
    .option('--closes <date>', 'a window\'s new last day (YYYY-MM-DD)')
    .option('--reason <text>', 'why the date changes (required: it is sent to every provider)')
    .option('--json', 'print the result as JSON')
    .description(
      'Move a date of a running cycle. The amended calendar must pass the same rules as a calendar file; every provider ' +
        'of the care type and of the cycle is told, with the reason. The running workflow follows the new date.',
    )
    .action(
      action(async (cycleId: string, milestoneId: string, date: string | undefined, options: { opens?: string; closes?: string; reason?: string; json?: boolean }, command: Command) => {
        if (!options.reason?.trim()) {
          throw new ValidationError(
            'A reason is required (--reason "…"): the regulator requires every change to a published calendar to be justified and announced the same way as the policy',
          );
        }
        const input = { ...(date !== undefined ? { date } : {}), ...(options.opens !== undefined ? { opens: options.opens } : {}), ...(options.closes !== undefined ? { closes: options.closes } : {}), reason: options.reason };
        const result = await withOperatorContext(globalsOf(command), async ({ service }) => service.amend({ cycleId, milestoneId }, input, await localActor()));
        if (options.json) {
          return printJson({
            cycleId,
            milestoneId,
            amendment: result.amendment,
            changes: result.changes,
            moved: result.moved,
            soon: result.soon,
            notified: result.notified,
            resumed: result.resumed,
          });
        }
        const out = [
          `${result.resumed ? 'Finished amendment' : 'Amended'} ${milestoneId} of ${cycleId} (amendment ${result.amendment}): ` +
            result.changes.map((c) => `${c.field} ${c.from} → ${c.to}`).join(', '),
          ...result.moved.map((m) => `  ${m.stepId}: ${formatLocalInstant(m.from)} → ${formatLocalInstant(m.to)}${m.status === 'done' ? ' (already done, stays done)' : ''}`),
          `${result.notified} providers get a calendar-amended email.`,
          ...(result.soon.length
            ? [`Note: ${result.soon.join(', ')} now run within a day; a waiting execution re-reads its next step at least daily, so it may start up to a day late.`]
            : []),
        ];
        process.stdout.write(`${out.join('\n')}\n`);
      }),
    );
}
