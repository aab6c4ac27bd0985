/**
 * `inkoop calendar validate|show|ics`: check a calendar file, see the steps the
 * workflow will run, export it to an agenda. Errors go to stderr through
 * ../run.ts (exit 1 for an invalid calendar); stdout only carries results.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Calendar } from '../../calendar/schema.ts';
import { formatLocalInstant } from '../../calendar/time.ts';
import type { TimelineStep } from '../../calendar/timeline.ts';
import { NotFoundError } from '../../commons/errors.ts';
import { action, printJson } from '../run.ts';
import { globalsOf } from './cycle.ts';

export function registerCalendarCommands(program: Command): void {
  const calendar = program.command('calendar').description('Validate, inspect and export contracting calendars (workflows/calendars/*.json).');

  calendar
    .command('validate')
    .argument('<file>', 'a calendar file, or the id of one in workflows/calendars')
    .option('--json', 'print the result as JSON (problems as JSON on stderr)')
    .description('Check a calendar file: shape, dates, order, reminders, the contract years and the Zvw publication dates.')
    .action(
      action(async (file: string, options: { json?: boolean }) => {
        const { loadCalendar } = await import('../../calendar/validate.ts');
        const { buildTimeline } = await import('../../calendar/timeline.ts');
        const cal = await loadCalendar(file);
        const steps = buildTimeline(cal);
        if (options.json) return printJson({ ok: true, file, id: cal.id, regime: cal.regime, contract: cal.contract, milestones: cal.milestones.length, steps: steps.length });
        process.stdout.write(`OK ${file}\n${summary(cal, steps)}\n`);
      }),
    );

  calendar
    .command('show')
    .argument('<file|id>', 'a calendar file, or the id of one in workflows/calendars')
    .option('--json', 'print the timeline steps as JSON')
    .description('Show the steps the workflow runs, in order, with local and UTC times.')
    .action(
      action(async (fileOrId: string, options: { json?: boolean }) => {
        const { loadCalendar } = await import('../../calendar/validate.ts');
        const { buildTimeline } = await import('../../calendar/timeline.ts');
        const cal = await loadCalendar(fileOrId);
        const steps = buildTimeline(cal);
        if (options.json) return printJson(steps);
        process.stdout.write(`${summary(cal, steps)}\n\n${timelineTable(cal, steps)}\n`);
      }),
    );

  calendar
    .command('ics')
    .argument('<file|id>', 'a calendar file, or the id of one in workflows/calendars (with --cycle: a cycle id)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--cycle', 'export the running cycle of that id: its amended dates, SEQUENCE = its amendment count')
    .description('Export the calendar as iCalendar (.ics) for agendas.')
    .action(
      action(async (fileOrId: string, options: { output?: string; cycle?: boolean }, command: Command) => {
        const { calendarToIcs } = await import('../../calendar/ics.ts');
        let cal: Calendar;
        let ics: string;
        if (options.cycle) {
          const { withStore } = await import('../context.ts');
          const { icsVersion } = await import('../../domain/cycle.ts');
          const cycle = await withStore(globalsOf(command), async (store) => store.getCycle(fileOrId));
          if (!cycle) throw new NotFoundError(`No cycle ${fileOrId} (inkoop cycle list shows the cycles)`);
          cal = cycle.calendar;
          ics = calendarToIcs(cal, icsVersion(cycle));
        } else {
          const { loadCalendar } = await import('../../calendar/validate.ts');
          cal = await loadCalendar(fileOrId);
          ics = calendarToIcs(cal);
        }
        if (!options.output) return void process.stdout.write(ics);
        await writeFile(options.output, ics);
        process.stdout.write(`wrote ${cal.milestones.length} events to ${options.output}\n`);
      }),
    );
}

function summary(cal: Calendar, steps: TimelineStep[]): string {
  const { firstYear, termYears } = cal.contract;
  const dates = cal.milestones.flatMap((m) => [m.date, m.opens, m.closes]).filter((d): d is string => d !== undefined).sort();
  return [
    `${cal.id}: ${cal.careType.name} (${cal.regime}), contract from ${firstYear} for ${termYears} year${termYears > 1 ? 's' : ''}`,
    `${cal.milestones.length} milestones from ${dates[0]} to ${dates.at(-1)}, ${steps.length} timeline steps, sent at ${cal.sendTime} ${cal.timeZone}`,
  ].join('\n');
}

function timelineTable(cal: Calendar, steps: TimelineStep[]): string {
  const titles = new Map(cal.milestones.map((m) => [m.id, m.title]));
  const rows = [
    ['DATE', 'RUNS AT (EUROPE/AMSTERDAM)', 'RUNS AT (UTC)', 'PHASE', 'STEP', 'TITLE'],
    ...steps.map((s) => [s.localDate, formatLocalInstant(s.at), s.at, s.phase, s.stepId, titles.get(s.milestoneId) ?? '']),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n');
}
