/**
 * `inkoop cycle create|list|start` and `inkoop calendar amend`: the lifecycle of
 * a contracting cycle. The work is in functions/cycles; this module parses
 * arguments and prints. Errors go through ../run.ts (domain errors exit 1).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { formatLocalInstant } from '../../calendar/time.ts';
import { buildTimeline } from '../../calendar/timeline.ts';
import { loadCalendar } from '../../calendar/validate.ts';
import { ValidationError } from '../../commons/errors.ts';
import { amendMilestone } from '../../cycles/amend.ts';
import { createCycle, startCycle } from '../../cycles/create.ts';
import { createSfnExecutionStarter, openLocalExecutionStarter, type ExecutionStarter } from '../../cycles/executions.ts';
import type { Actor } from '../../domain/model.ts';
import { inRunOrder } from '../../milestones/loop.ts';
import { localActor } from '../../operators/app.ts';
import { stackOutput } from '../../operators/cli-context.ts';
import { withStore } from '../context.ts';
import { action, printJson } from '../run.ts';

export interface Globals {
  aws?: boolean;
  data?: string;
}

export const globalsOf = (command: Command): Globals => command.optsWithGlobals<Globals>();

/** Who is acting on this machine, for the audit trail: the OS user, labelled local (never a flag or variable). */
export const operatorActor = (): Actor => ({ kind: 'operator', id: localActor() });

/** How this command starts executions: Step Functions with --aws, the local runtime's starter otherwise (if it offers one). */
export async function openExecutionStarter(globals: Globals): Promise<{ starter?: ExecutionStarter; close(): Promise<void> }> {
  if (globals.aws) {
    const client = new SFNClient({});
    const stateMachineArn = process.env.INKOOP_STATE_MACHINE_ARN || (await stackOutput('StateMachineArn'));
    return { starter: createSfnExecutionStarter({ client, stateMachineArn }), close: async () => client.destroy() };
  }
  const local = await openLocalExecutionStarter({ data: globals.data });
  return { starter: local, close: async () => local?.close?.() };
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
        const globals = globalsOf(command);
        const calendar = await loadCalendar(file);
        // The store's clock: a running rehearsal's virtual time, else the real time.
        const result = await withStore(globals, (store, opened) => createCycle(store, calendar, opened.clock));
        const { cycle: c, steps } = result;
        if (options.json) {
          return printJson({ created: result.created, calendarDiffers: result.calendarDiffers, cycle: { id: c.id, status: c.status }, steps: steps.length });
        }
        const first = inRunOrder(steps, buildTimeline(c.calendar).map((s) => s.stepId)).find((s) => s.status !== 'done');
        process.stdout.write(
          result.created
            ? `Created cycle ${c.id} (${c.careType.name}, contract ${c.contract.firstYear}): ${steps.length} steps` +
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
        const rows = await withStore(globals, async (store) => {
          const cycles = await store.listCycles();
          return Promise.all(
            cycles.map(async (c) => {
              const steps = inRunOrder(await store.getSteps(c.id), buildTimeline(c.calendar).map((s) => s.stepId));
              const next = steps.find((s) => s.status !== 'done');
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
            }),
          );
        });
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
        const globals = globalsOf(command);
        const executions = await openExecutionStarter(globals);
        try {
          if (!executions.starter) {
            throw new ValidationError('No way to start an execution here: use --aws, or run the local runtime (inkoop rehearse / npm start), which starts its cycles itself');
          }
          const starter = executions.starter;
          const { executionArn } = await withStore(globals, (store) => startCycle(store, starter, cycleId));
          process.stdout.write(`Started cycle ${cycleId}: ${executionArn}\n`);
        } finally {
          await executions.close();
        }
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
        const globals = globalsOf(command);
        const result = await withStore(globals, (store, opened) =>
          amendMilestone(
            store,
            { cycleId, milestoneId, newDate: date, newOpens: options.opens, newCloses: options.closes, reason: options.reason!, actor: operatorActor() },
            { clock: opened.clock },
          ),
        );
        if (options.json) {
          return printJson({
            cycleId,
            milestoneId,
            amendment: result.audit.seq,
            changes: result.changes,
            moved: result.moved,
            soon: result.soon,
            notified: result.notified,
            resumed: result.resumed,
          });
        }
        const out = [
          `${result.resumed ? 'Finished amendment' : 'Amended'} ${milestoneId} of ${cycleId} (amendment ${result.audit.seq}): ` +
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
